"""The I/O-free core of both transports: settings, pool policy, deadlines, failures."""

from __future__ import annotations

import _thread
import time

from .errors import APIConnectionError, APITimeoutError, ParameterError, SDKError
from .http11 import (
    ClosedEarly,
    ProtocolError,
    ResponseReader,
    StaleConnection,
    build_request_head,
    check_scheme,
    describe_error,
)
from .network import DEFAULT_NETWORK
from .proxy import connect_request, proxy_refusal, select_proxy
from .tls import default_tls_context, describe_tls_error
from .uploads import Upload

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ssl
    from collections.abc import Mapping
    from typing import Any

    from .errors import APIError
    from .http11 import HTTPResponse
    from .network import Network

    Body = bytes | Upload

MAX_CONNECTIONS = 100
# What a transport catches around one exchange and hands to ``TransportCore._failure``.
FAILURES = (OSError, ProtocolError, ClosedEarly)


def check_timeout(value: object) -> float:
    """A positive number of seconds."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ParameterError(
            f"timeout must be a positive number of seconds, got {value!r}"
        )
    return float(value)


def check_max_connections(value: object) -> int:
    """An int >= 1: how many connections may be open (and requests in flight) at once."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ParameterError(f"max_connections must be an int >= 1, got {value!r}")
    return value


class Deadline:
    """When one step (connecting, or one exchange) must end."""

    __slots__ = ("seconds", "_end")

    def __init__(self, seconds: float) -> None:
        """Start the clock: ``seconds`` from now."""
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def restart(self) -> None:
        """Start the clock again (after each piece of a streamed body)."""
        self._end = time.monotonic() + self.seconds

    def left(self) -> float:
        """Seconds left for the next wait; ``TimeoutError`` once none are."""
        left = self._end - time.monotonic()
        if left <= 0:
            raise TimeoutError
        return left


class Exchange(Deadline):
    """One request and its answer on one connection: deadline, progress, reader."""

    __slots__ = ("reused", "sent", "reader")

    def __init__(self, method: str, seconds: float, reused: bool) -> None:
        """``reused``: the connection carried an earlier request."""
        super().__init__(seconds)
        self.reused = reused
        self.sent = False
        self.reader = ResponseReader(method)


class TransportCore:
    """Endpoint, route (direct or proxy), settings, idle connections, failure messages."""

    def __init__(
        self,
        scheme: str,
        host: str,
        port: int | None,
        *,
        timeout: float,
        user_agent: str,
        max_connections: int = MAX_CONNECTIONS,
        network: Network = DEFAULT_NETWORK,
    ) -> None:
        """``timeout`` is the default of ``send``; nothing is opened yet."""
        check_scheme(scheme)
        self._scheme = scheme
        self._host = host
        self._port = port if port else (443 if scheme == "https" else 80)
        bracketed = f"[{host}]" if ":" in host else host
        self._host_header = bracketed if port is None else f"{bracketed}:{port}"
        self._origin = f"{scheme}://{self._host_header}"
        self._tls_context = network.tls
        self._hooks = network.hooks
        # Through a proxy, https goes in a CONNECT tunnel and http in absolute form.
        self._proxy = select_proxy(
            scheme, self._host_header, network.proxy, network.trust_env
        )
        self._dial = (host, self._port)
        self._tunnel: bytes | None = None
        self._absolute = False
        if self._proxy is not None:
            self._dial = (self._proxy.host, self._proxy.port)
            if scheme == "https":
                authority = f"{bracketed}:{self._port}"
                self._tunnel = connect_request(authority, self._proxy, user_agent)
            else:
                self._absolute = True
        self._timeout = check_timeout(timeout)
        self._user_agent = user_agent
        # Subclasses let at most this many requests be in flight, each on one
        # connection, and a new connection opens only when no idle one is left:
        # so idle and busy connections together never exceed the bound.
        self._max_connections = check_max_connections(max_connections)
        self._lock = _thread.allocate_lock()
        self._idle: list[Any] = []
        self._closed = False

    def __repr__(self) -> str:
        """Show the class and the origin."""
        return f"{type(self).__name__}({self._origin!r})"

    def _request(
        self, method: str, target: str, headers: Mapping[str, str], body: Body
    ) -> tuple[bytes, Upload | None]:
        """The bytes of one request (head, and body unless it is streamed) and its streamed body."""
        if self._absolute:
            target = self._origin + target
            authorization = self._proxy.authorization if self._proxy else None
            if authorization is not None:
                headers = {**headers, "Proxy-Authorization": authorization}
        if isinstance(body, Upload):
            head = build_request_head(
                method,
                target,
                self._host_header,
                headers,
                body.length,
                self._user_agent,
            )
            return head, body
        head = build_request_head(
            method, target, self._host_header, headers, len(body), self._user_agent
        )
        return (head + body if body else head), None

    def _rewind(self, upload: Upload | None) -> None:
        """Get a streamed body ready to be sent again on a new connection, else raise."""
        if upload is not None and not upload.rewind():
            raise APIConnectionError(
                f"The connection to {self._origin} closed before the answer, and the "
                "body (an iterable, readable once) cannot be sent again.",
                request_sent=True,
            )

    def _tls(self) -> ssl.SSLContext | None:
        """The TLS context for https, None for http."""
        if self._scheme != "https":
            return None
        return self._tls_context or default_tls_context()

    def _checked(self, response: HTTPResponse) -> HTTPResponse:
        """``response``, unless it is a proxy's refusal of an absolute-form request."""
        if self._absolute and response.status == 407 and self._proxy is not None:
            raise proxy_refusal(self._proxy, self._origin, response)
        return response

    def _tunnel_answer(self, response: HTTPResponse) -> None:
        """Accept the proxy's answer to CONNECT (any 2xx), else raise."""
        if not 200 <= response.status < 300 and self._proxy is not None:
            raise proxy_refusal(self._proxy, self._origin, response)

    def _take(self) -> Any:
        """The most recently used usable idle connection; None to open one."""
        while True:
            with self._lock:
                if self._closed:
                    raise SDKError("this client has been closed")
                if not self._idle:
                    return None
                conn = self._idle.pop()
            if conn.is_usable():
                return conn
            conn.close()

    def _put(self, conn: Any, keep: bool) -> None:
        """Pool ``conn`` after an exchange when ``keep``, else close it."""
        with self._lock:
            if keep and not self._closed:
                self._idle.append(conn)
                return
        conn.close()

    def _drop_idle(self, final: bool) -> list[Any]:
        """Close the idle connections (and refuse later sends when ``final``)."""
        with self._lock:
            self._closed = self._closed or final
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
        return idle

    def _connect_failure(self, exc: Exception, deadline: Deadline) -> APIError:
        """The error for a connection (or tunnel, or TLS session) that could not be opened."""
        where = self._origin
        if self._proxy is not None:
            where = f"{where} through the proxy {self._proxy.label}"
        if isinstance(exc, TimeoutError):
            return APITimeoutError(
                f"Timed out connecting to {where} (timeout {deadline.seconds:g} s).",
                phase="connect",
                request_sent=False,
            )
        if isinstance(exc, ClosedEarly):
            reason = "the connection closed while it was being set up"
        elif isinstance(exc, OSError):
            reason = describe_tls_error(exc) or describe_error(exc)
        else:
            reason = f"invalid answer from the proxy: {exc}"
        return APIConnectionError(
            f"Could not connect to {where}: {reason}", request_sent=False
        )

    def _failure(self, exchange: Exchange, exc: Exception) -> Exception:
        """The error for a failed exchange, or ``StaleConnection`` to resend it."""
        received = exchange.reader.received
        if isinstance(exc, TimeoutError):
            return APITimeoutError(
                f"Timed out waiting for {self._origin} "
                f"(timeout {exchange.seconds:g} s).",
                phase="read",
                request_sent=exchange.sent,
            )
        if isinstance(exc, ProtocolError):
            return APIConnectionError(
                f"Invalid HTTP response from {self._origin}: {exc}",
                request_sent=True,
            )
        dropped = isinstance(exc, (ClosedEarly, ConnectionError))
        if dropped and exchange.reused and not received:
            return StaleConnection()
        if isinstance(exc, ClosedEarly):
            where = "body was" if exchange.reader.head_done else "headers were"
            return APIConnectionError(
                f"The connection to {self._origin} closed before the response "
                f"{where} complete ({received} bytes received).",
                request_sent=exchange.sent,
            )
        return APIConnectionError(
            f"The connection to {self._origin} failed: {describe_error(exc)}",
            request_sent=exchange.sent,
        )
