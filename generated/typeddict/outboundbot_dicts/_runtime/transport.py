"""Blocking HTTP/1.1 transport over raw sockets: the I/O shell of ``TransportCore``.

Also re-exports ``AsyncTransport`` and ``HTTPResponse``.
"""

from __future__ import annotations

import time

from ._sansio import FAILURES, MAX_CONNECTIONS, Deadline, Exchange, TransportCore
from .async_transport import AsyncTransport
from .http11 import HTTPResponse, ResponseReader, StaleConnection, is_dropped
from .errors import ParameterError
from .network import DEFAULT_NETWORK

TYPE_CHECKING = False
if TYPE_CHECKING:
    import socket
    import ssl
    from collections.abc import Callable, Mapping
    from typing import Any

    from ._sansio import Body
    from .hooks import Hooks, RequestInfo
    from .streaming import SyncOpened
    from .network import Network
    from .uploads import Upload

__all__ = ["AsyncTransport", "HTTPResponse", "SyncTransport"]

_RECV_BYTES = 65536


class _Connection:
    """One connected (and, for https, handshaken) socket."""

    __slots__ = ("sock",)

    def __init__(self, sock: socket.socket) -> None:
        """Wrap a ready socket."""
        self.sock = sock

    @classmethod
    def open(cls, host: str, port: int, deadline: Deadline) -> _Connection:
        """Connect before ``deadline``."""
        import socket

        sock = socket.create_connection((host, port), deadline.left())
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except BaseException:
            sock.close()
            raise
        return cls(sock)

    def start_tls(self, tls: ssl.SSLContext, host: str, deadline: Deadline) -> None:
        """Make this a TLS connection to ``host`` (handshake before ``deadline``)."""
        self.sock.settimeout(deadline.left())
        self.sock = tls.wrap_socket(self.sock, server_hostname=host)

    def is_usable(self) -> bool:
        """False once the peer closed it or sent bytes while it was idle."""
        return not is_dropped(self.sock)

    def send(self, data: bytes, seconds: float) -> None:
        """Send all of ``data`` within ``seconds``."""
        self.sock.settimeout(seconds)
        self.sock.sendall(data)

    def recv(self, seconds: float) -> bytes:
        """The next bytes received within ``seconds``; ``b""`` at end of stream."""
        self.sock.settimeout(seconds)
        return self.sock.recv(_RECV_BYTES)

    def close(self) -> None:
        """Close the socket, ignoring errors."""
        try:
            self.sock.close()
        except OSError:
            pass


class SyncTransport(TransportCore):
    """Sends requests over at most ``max_connections`` keep-alive connections; thread-safe."""

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
        import queue

        super().__init__(
            scheme,
            host,
            port,
            timeout=timeout,
            user_agent=user_agent,
            max_connections=max_connections,
            network=network,
        )
        # A request in flight holds a slot: slots are made up to the bound, then
        # reused through ``_free`` (a cheaper BoundedSemaphore).
        self._slots = 0
        self._free: queue.SimpleQueue[None] = queue.SimpleQueue()

    def send(
        self,
        method: str,
        path_and_query: str,
        headers: Mapping[str, str],
        body: Body,
        timeout: float | None = None,
    ) -> HTTPResponse:
        """Send a request and read the answer; resend once on a stale connection.

        ``body``: bytes, or an ``Upload`` sent piece by piece (a file is rewound to resend it).
        """
        request, upload = self._request(method, path_and_query, headers, body)
        if upload is not None and upload.is_async:
            raise ParameterError(
                "an async iterable body needs the AsyncClient; pass bytes, a binary "
                "file or an iterable of bytes"
            )
        seconds = self._timeout if timeout is None else timeout
        if self._hooks is not None:
            info = self._hooks.request_info(
                self._origin, method, path_and_query, headers, body
            )
            return self._observed(self._hooks, info, request, upload, seconds)
        return self._held(method, request, upload, seconds)

    def open_stream(
        self,
        method: str,
        target: str,
        headers: Mapping[str, str],
        body: Body,
        timeout: float | None = None,
    ) -> SyncOpened | HTTPResponse:
        """Send on a connection of its own and read the head (``streaming.open_stream``)."""
        from .streaming import open_stream

        return open_stream(self, method, target, headers, body, timeout)

    def _held(
        self, method: str, request: bytes, upload: Upload | None, seconds: float
    ) -> HTTPResponse:
        """``_send`` while holding a slot."""
        self._hold_slot()
        try:
            return self._send(method, request, upload, seconds)
        finally:
            self._free.put(None)

    def _observed(
        self,
        hooks: Hooks,
        info: RequestInfo,
        request: bytes,
        upload: Upload | None,
        seconds: float,
    ) -> HTTPResponse:
        """Send with the request hooks called before and the response hooks after."""
        for hook in hooks.request:
            self._run_hook(hook, info)
        start = time.monotonic()
        response = self._held(info.method, request, upload, seconds)
        answer = hooks.response_info(info, response, time.monotonic() - start)
        for hook in hooks.response:
            self._run_hook(hook, answer)
        return response

    def _run_hook(self, hook: Callable[[Any], Any], value: object) -> None:
        """Call one hook (the async twin awaits coroutine functions)."""
        hook(value)

    def _hold_slot(self) -> None:
        """Make a slot while fewer than ``max_connections`` exist, else wait for one."""
        with self._lock:
            if self._slots < self._max_connections:
                self._slots += 1
                return
        self._free.get()

    def _send(
        self, method: str, request: bytes, upload: Upload | None, seconds: float
    ) -> HTTPResponse:
        """Send on an idle or new connection; on a stale one, once more on a new one."""
        conn: _Connection | None = self._take()
        reused = conn is not None
        if conn is None:
            conn = self._connect(seconds)
        try:
            try:
                response, keep = self._exchange(
                    conn, reused, method, request, upload, seconds
                )
            except StaleConnection:
                conn.close()
                self._rewind(upload)
                conn = self._connect(seconds)
                response, keep = self._exchange(
                    conn, False, method, request, upload, seconds
                )
        except BaseException:
            conn.close()
            raise
        self._put(conn, keep)
        return self._checked(response)

    def _connect(self, seconds: float) -> _Connection:
        """Open a connection (tunnelled through a proxy, TLS for https), mapping failures."""
        deadline = Deadline(seconds)
        conn = None
        try:
            conn = _Connection.open(*self._dial, deadline)
            if self._tunnel is not None:
                self._open_tunnel(conn, self._tunnel, deadline)
            tls = self._tls()
            if tls is not None:
                conn.start_tls(tls, self._host, deadline)
        except BaseException as exc:
            if conn is not None:
                conn.close()
            if isinstance(exc, FAILURES):
                raise self._connect_failure(exc, deadline) from exc
            raise
        return conn

    def _open_tunnel(
        self, conn: _Connection, connect: bytes, deadline: Deadline
    ) -> None:
        """Ask the proxy on ``conn`` for a tunnel to the origin (the ``connect`` request)."""
        reader = ResponseReader("CONNECT")
        conn.send(connect, deadline.left())
        response = None
        while response is None:
            response = reader.feed(conn.recv(deadline.left()))
        self._tunnel_answer(response)

    def _write(
        self,
        conn: _Connection,
        request: bytes,
        upload: Upload | None,
        deadline: Deadline,
    ) -> None:
        """Send ``request``, then a streamed body piece by piece (the clock restarts per piece)."""
        conn.send(request, deadline.left())
        if upload is None:
            return
        for piece in upload.pieces():
            deadline.restart()
            conn.send(upload.frame(piece), deadline.left())
        conn.send(upload.end(), deadline.left())
        deadline.restart()

    def _exchange(
        self,
        conn: _Connection,
        reused: bool,
        method: str,
        request: bytes,
        upload: Upload | None,
        seconds: float,
    ) -> tuple[HTTPResponse, bool]:
        """One request and answer on ``conn``; also whether ``conn`` may be reused."""
        exchange = Exchange(method, seconds, reused)
        try:
            self._write(conn, request, upload, exchange)
            exchange.sent = True
            response = None
            while response is None:
                response = exchange.reader.feed(conn.recv(exchange.left()))
        except FAILURES as exc:
            raise self._failure(exchange, exc) from exc
        return response, exchange.reader.keep

    def close(self) -> None:
        """Close every pooled connection; later sends raise ``SDKError``."""
        self._drop_idle(final=True)
