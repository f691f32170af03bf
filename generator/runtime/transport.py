"""Blocking HTTP transport: ``http.client`` connections in a thread-safe pool.

Also re-exports ``AsyncTransport`` and ``HTTPResponse``.
"""

from __future__ import annotations

import _thread

from .async_transport import AsyncTransport
from .errors import APIConnectionError, APITimeoutError, SDKError
from .http11 import (
    HTTPResponse,
    StaleConnection,
    check_scheme,
    default_tls_context,
    describe_error,
    merge_headers,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    import socket
    from collections.abc import Mapping
    from http.client import HTTPConnection

__all__ = ["AsyncTransport", "HTTPResponse", "SyncTransport"]


def is_dropped(sock: socket.socket) -> bool:
    """Whether an idle connection is readable (closed by the peer, or stray bytes)."""
    import select

    try:
        if hasattr(select, "poll"):
            poller = select.poll()
            poller.register(sock, select.POLLIN)
            return bool(poller.poll(0))
        readable, _, _ = select.select([sock], [], [], 0)
        return bool(readable)
    except (OSError, ValueError):
        return True


class SyncTransport:
    """Sends requests over pooled keep-alive connections; thread-safe."""

    def __init__(
        self,
        scheme: str,
        host: str,
        port: int | None,
        *,
        timeout: float,
        user_agent: str,
        max_connections: int = 100,
    ) -> None:
        """``timeout`` is the default; ``max_connections`` bounds the idle pool."""
        check_scheme(scheme)
        self._scheme = scheme
        self._host = host
        self._port = port
        self._timeout = timeout
        self._user_agent = user_agent
        self._max_idle = max_connections
        self._origin = f"{scheme}://{host}" + (f":{port}" if port else "")
        self._lock = _thread.allocate_lock()
        self._idle: list[HTTPConnection] = []
        self._closed = False

    def __repr__(self) -> str:
        """Show the origin."""
        return f"SyncTransport({self._origin!r})"

    def _new_connection(self, timeout: float) -> HTTPConnection:
        """An unconnected ``http.client`` connection to the origin."""
        import http.client  # deferred: it takes longer to import than the runtime

        if self._scheme == "https":
            return http.client.HTTPSConnection(
                self._host, self._port, timeout=timeout, context=default_tls_context()
            )
        return http.client.HTTPConnection(self._host, self._port, timeout=timeout)

    def _checkout(self, timeout: float) -> tuple[HTTPConnection, bool]:
        """An idle live connection (reused=True) or a new one."""
        while True:
            with self._lock:
                if self._closed:
                    raise SDKError("this client has been closed")
                conn = self._idle.pop() if self._idle else None
            if conn is None:
                return self._new_connection(timeout), False
            if conn.sock is not None and not is_dropped(conn.sock):
                return conn, True
            conn.close()

    def _checkin(self, conn: HTTPConnection) -> None:
        """Give a connection back to the pool, or close it when the pool is full."""
        with self._lock:
            if not self._closed and len(self._idle) < self._max_idle:
                self._idle.append(conn)
                return
        conn.close()

    def send(
        self,
        method: str,
        path_and_query: str,
        headers: Mapping[str, str],
        body: bytes,
        timeout: float | None = None,
    ) -> HTTPResponse:
        """Send a request and read the answer; resend once on a stale connection."""
        if timeout is None:
            timeout = self._timeout
        if "user-agent" not in headers:
            headers = {**headers, "user-agent": self._user_agent}
        conn, reused = self._checkout(timeout)
        try:
            try:
                response, keep = self._exchange(
                    conn, reused, method, path_and_query, headers, body, timeout
                )
            except StaleConnection:
                conn.close()
                conn = self._new_connection(timeout)
                response, keep = self._exchange(
                    conn, False, method, path_and_query, headers, body, timeout
                )
        except BaseException:
            conn.close()
            raise
        if keep:
            self._checkin(conn)
        else:
            conn.close()
        return response

    def _connect(self, conn: HTTPConnection, timeout: float) -> None:
        """Open the socket (and TLS session), mapping failures to SDK errors."""
        conn.timeout = timeout
        try:
            conn.connect()
        except TimeoutError as exc:
            raise APITimeoutError(
                f"Timed out connecting to {self._origin} (timeout {timeout:g} s).",
                phase="connect",
                request_sent=False,
            ) from exc
        except OSError as exc:
            raise APIConnectionError(
                f"Could not connect to {self._origin}: {describe_error(exc)}",
                request_sent=False,
            ) from exc

    def _exchange(
        self,
        conn: HTTPConnection,
        reused: bool,
        method: str,
        target: str,
        headers: Mapping[str, str],
        body: bytes,
        timeout: float,
    ) -> tuple[HTTPResponse, bool]:
        """One request and answer on ``conn``; also whether ``conn`` may be reused."""
        import http.client as http

        if conn.sock is None:
            self._connect(conn, timeout)
        else:
            conn.sock.settimeout(timeout)
        sent = received = False
        try:
            conn.request(method, target, body, headers)
            sent = True
            answer = conn.getresponse()
            received = True
            data = answer.read()
        except TimeoutError as exc:
            raise APITimeoutError(
                f"Timed out waiting for {self._origin} (timeout {timeout:g} s).",
                phase="read",
                request_sent=sent,
            ) from exc
        except http.IncompleteRead as exc:
            raise APIConnectionError(
                f"The connection to {self._origin} closed before the response body "
                f"was complete ({len(exc.partial)} bytes received).",
                request_sent=True,
            ) from exc
        except ConnectionError as exc:
            if reused and not received:
                raise StaleConnection from exc
            where = "response" if not received else "response body"
            raise APIConnectionError(
                f"The connection to {self._origin} failed while reading the {where}: "
                f"{describe_error(exc)}",
                request_sent=sent,
            ) from exc
        except http.HTTPException as exc:
            raise APIConnectionError(
                f"Invalid HTTP response from {self._origin}: {exc!r}",
                request_sent=True,
            ) from exc
        except OSError as exc:
            raise APIConnectionError(
                f"The connection to {self._origin} failed: {describe_error(exc)}",
                request_sent=sent,
            ) from exc
        response = HTTPResponse(answer.status, merge_headers(answer.getheaders()), data)
        return response, conn.sock is not None and not answer.will_close

    def close(self) -> None:
        """Close every pooled connection; later sends raise ``SDKError``."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
