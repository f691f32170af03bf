"""Blocking HTTP/1.1 transport over raw sockets, with a thread-safe keep-alive pool.

Also re-exports ``AsyncTransport`` and ``HTTPResponse``.
"""

from __future__ import annotations

import _thread

from .async_transport import AsyncTransport
from .errors import APIConnectionError, APITimeoutError, SDKError
from .http11 import (
    MAX_HEAD_BYTES,
    HTTPResponse,
    ProtocolError,
    StaleConnection,
    build_request_head,
    check_scheme,
    content_length,
    default_tls_context,
    describe_error,
    has_no_body,
    is_chunked,
    keeps_alive,
    parse_chunk_size,
    parse_response_head,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    import socket
    from collections.abc import Mapping

__all__ = ["AsyncTransport", "HTTPResponse", "SyncTransport"]

_HEAD_END = b"\r\n\r\n"
_RECV_BYTES = 65536
_MAX_LINE_BYTES = 8192


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


class _Closed(Exception):
    """The peer closed the connection before the answer was complete."""

    def __init__(self, received: int) -> None:
        """``received``: how many bytes of the answer had arrived."""
        super().__init__(received)
        self.received = received


class _Connection:
    """One socket and the bytes read from it but not consumed yet."""

    __slots__ = ("sock", "buffer", "received")

    def __init__(self, sock: socket.socket) -> None:
        """Wrap a connected (and, for https, handshaken) socket."""
        self.sock = sock
        self.buffer = b""
        self.received = 0

    def _fill(self) -> None:
        """Read more bytes into the buffer; ``_Closed`` at end of stream."""
        data = self.sock.recv(_RECV_BYTES)
        if not data:
            raise _Closed(self.received)
        self.received += len(data)
        self.buffer += data

    def read_until(self, marker: bytes, limit: int, what: str) -> bytes:
        """Bytes up to and including ``marker``, at most ``limit`` of them."""
        start = 0
        while True:
            end = self.buffer.find(marker, start)
            if end >= 0:
                end += len(marker)
                if end > limit:
                    break
                block, self.buffer = self.buffer[:end], self.buffer[end:]
                return block
            if len(self.buffer) > limit:
                break
            start = max(len(self.buffer) - len(marker) + 1, 0)
            self._fill()
        raise ProtocolError(f"{what} exceeds {limit} bytes")

    def read_exactly(self, size: int) -> bytes:
        """Exactly ``size`` bytes."""
        while len(self.buffer) < size:
            self._fill()
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def read_to_end(self) -> bytes:
        """Everything until the peer closes the connection."""
        parts = [self.buffer]
        while True:
            data = self.sock.recv(_RECV_BYTES)
            if not data:
                break
            parts.append(data)
        self.buffer = b""
        return b"".join(parts)

    def close(self) -> None:
        """Close the socket, ignoring errors."""
        try:
            self.sock.close()
        except OSError:
            pass


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
        self._port = port if port else (443 if scheme == "https" else 80)
        bracketed = f"[{host}]" if ":" in host else host
        self._host_header = bracketed if port is None else f"{bracketed}:{port}"
        self._timeout = timeout
        self._user_agent = user_agent
        self._max_idle = max_connections
        self._origin = f"{scheme}://{self._host_header}"
        self._lock = _thread.allocate_lock()
        self._idle: list[_Connection] = []
        self._closed = False

    def __repr__(self) -> str:
        """Show the origin."""
        return f"SyncTransport({self._origin!r})"

    def _checkout(self) -> _Connection | None:
        """The most recently used live idle connection, if any."""
        while True:
            with self._lock:
                if self._closed:
                    raise SDKError("this client has been closed")
                if not self._idle:
                    return None
                conn = self._idle.pop()
            if not is_dropped(conn.sock):
                return conn
            conn.close()

    def _checkin(self, conn: _Connection) -> None:
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
        head = build_request_head(
            method,
            path_and_query,
            self._host_header,
            headers,
            len(body),
            self._user_agent,
        )
        request = head + body if body else head
        conn = self._checkout()
        reused = conn is not None
        if conn is None:
            conn = self._connect(timeout)
        try:
            try:
                response, keep = self._exchange(conn, reused, method, request, timeout)
            except StaleConnection:
                conn.close()
                conn = self._connect(timeout)
                response, keep = self._exchange(conn, False, method, request, timeout)
        except BaseException:
            conn.close()
            raise
        if keep:
            self._checkin(conn)
        else:
            conn.close()
        return response

    def _connect(self, timeout: float) -> _Connection:
        """Open a connection (TLS for https), mapping failures to SDK errors."""
        import socket

        sock = None
        try:
            sock = socket.create_connection((self._host, self._port), timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self._scheme == "https":
                sock = default_tls_context().wrap_socket(
                    sock, server_hostname=self._host
                )
        except TimeoutError as exc:
            if sock is not None:
                sock.close()
            raise APITimeoutError(
                f"Timed out connecting to {self._origin} (timeout {timeout:g} s).",
                phase="connect",
                request_sent=False,
            ) from exc
        except OSError as exc:
            if sock is not None:
                sock.close()
            raise APIConnectionError(
                f"Could not connect to {self._origin}: {describe_error(exc)}",
                request_sent=False,
            ) from exc
        return _Connection(sock)

    def _exchange(
        self,
        conn: _Connection,
        reused: bool,
        method: str,
        request: bytes,
        timeout: float,
    ) -> tuple[HTTPResponse, bool]:
        """One request and answer on ``conn``; also whether ``conn`` may be reused."""
        sent = False
        conn.received = 0
        try:
            conn.sock.settimeout(timeout)
            conn.sock.sendall(request)
            sent = True
            return _read_response(conn, method)
        except TimeoutError as exc:
            raise APITimeoutError(
                f"Timed out waiting for {self._origin} (timeout {timeout:g} s).",
                phase="read",
                request_sent=sent,
            ) from exc
        except _Closed as exc:
            if reused and not exc.received:
                raise StaleConnection from exc
            where = "response body" if exc.received else "response headers"
            raise APIConnectionError(
                f"The connection to {self._origin} closed before the {where} "
                f"were complete ({exc.received} bytes received).",
                request_sent=sent,
            ) from exc
        except ConnectionError as exc:
            if reused and not conn.received:
                raise StaleConnection from exc
            raise APIConnectionError(
                f"The connection to {self._origin} failed: {describe_error(exc)}",
                request_sent=sent,
            ) from exc
        except ProtocolError as exc:
            raise APIConnectionError(
                f"Invalid HTTP response from {self._origin}: {exc}",
                request_sent=True,
            ) from exc
        except OSError as exc:
            raise APIConnectionError(
                f"The connection to {self._origin} failed: {describe_error(exc)}",
                request_sent=sent,
            ) from exc

    def close(self) -> None:
        """Close every pooled connection; later sends raise ``SDKError``."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


def _read_response(conn: _Connection, method: str) -> tuple[HTTPResponse, bool]:
    """Read one answer (skipping 1xx): the response and whether to keep ``conn``."""
    while True:
        block = conn.read_until(_HEAD_END, MAX_HEAD_BYTES, "the response head")
        version, status, headers = parse_response_head(block)
        if not (100 <= status < 200) or status == 101:
            break
    if has_no_body(method, status):
        data, complete = b"", True
    elif is_chunked(headers):
        data, complete = _read_chunked(conn), True
    else:
        length = content_length(headers)
        if length is None:
            data, complete = conn.read_to_end(), False
        else:
            data, complete = conn.read_exactly(length), True
    keep = complete and not conn.buffer and keeps_alive(version, headers)
    return HTTPResponse(status, headers, data), keep


def _read_chunked(conn: _Connection) -> bytes:
    """Read a chunked body and its trailers."""
    parts = []
    while True:
        line = conn.read_until(b"\r\n", _MAX_LINE_BYTES, "a chunk-size line")
        size = parse_chunk_size(line)
        if size == 0:
            break
        parts.append(conn.read_exactly(size))
        if conn.read_exactly(2) != b"\r\n":
            raise ProtocolError("missing CRLF after a chunk")
    trailers = 0
    while True:
        line = conn.read_until(b"\r\n", _MAX_LINE_BYTES, "a trailer line")
        if line == b"\r\n":
            return b"".join(parts)
        trailers += len(line)
        if trailers > MAX_HEAD_BYTES:
            raise ProtocolError(f"the trailers exceed {MAX_HEAD_BYTES} bytes")
