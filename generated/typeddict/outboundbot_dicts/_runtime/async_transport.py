"""Asyncio HTTP/1.1 transport: the I/O shell of ``TransportCore`` for coroutines."""

from __future__ import annotations

import time

from ._sansio import FAILURES, Deadline, Exchange, TransportCore
from .http11 import ResponseReader, StaleConnection, is_dropped

TYPE_CHECKING = False
if TYPE_CHECKING:
    import asyncio
    import socket
    import ssl
    from asyncio import Protocol as _Protocol
    from collections.abc import Awaitable, Callable, Mapping
    from typing import Any, TypeVar

    from ._sansio import Body
    from .hooks import Hooks, RequestInfo
    from .streaming import AsyncOpened
    from .http11 import HTTPResponse
    from .uploads import Upload

    _T = TypeVar("_T")
else:
    _Protocol = object  # asyncio needs only the methods; importing it here is slow


async def _within(awaitable: Awaitable[_T], seconds: float) -> _T:
    """Await with a timeout, raising the built-in ``TimeoutError`` on every version."""
    import asyncio

    if hasattr(asyncio, "timeout"):
        async with asyncio.timeout(seconds):
            return await awaitable
    try:
        return await asyncio.wait_for(awaitable, seconds)
    except asyncio.TimeoutError:
        raise TimeoutError from None


class _Connection(_Protocol):
    """One connection: an asyncio protocol keeping what arrived until it is read."""

    __slots__ = (
        "transport",
        "_loop",
        "_sock",
        "_data",
        "_eof",
        "_error",
        "_paused",
        "_waiter",
        "_closed",
    )
    transport: asyncio.Transport
    _sock: socket.socket

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        """Nothing received yet."""
        self._loop = loop
        self._data = bytearray()
        self._eof = False
        self._error: Exception | None = None
        self._paused = False
        self._waiter: asyncio.Future[None] | None = None
        self._closed: asyncio.Future[None] = loop.create_future()

    @classmethod
    async def open(cls, host: str, port: int, deadline: Deadline) -> _Connection:
        """Connect before ``deadline``."""
        import asyncio

        loop = asyncio.get_running_loop()
        transport, conn = await _within(
            loop.create_connection(lambda: cls(loop), host, port), deadline.left()
        )
        conn.transport = transport
        conn._sock = transport.get_extra_info("socket")
        return conn

    async def start_tls(
        self, tls: ssl.SSLContext, host: str, deadline: Deadline
    ) -> None:
        """Make this a TLS connection to ``host`` (handshake before ``deadline``)."""
        transport = await _within(
            self._loop.start_tls(self.transport, self, tls, server_hostname=host),
            deadline.left(),
        )
        if transport is None:
            raise ConnectionResetError("the connection closed before TLS started")
        self.transport = transport

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Nothing to do: ``open`` keeps the transport."""

    def data_received(self, data: bytes) -> None:
        """Keep the bytes for ``recv``."""
        self._data += data
        self._wake()

    def eof_received(self) -> None:
        """The peer closed its side; the transport closes itself."""
        self._eof = True
        self._wake()

    def connection_lost(self, exc: Exception | None) -> None:
        """The connection is closed (``exc``: why, if it failed)."""
        self._eof = True
        self._error = exc
        self._wake()
        if not self._closed.done():
            self._closed.set_result(None)

    def pause_writing(self) -> None:
        """The transport's write buffer is full."""
        self._paused = True

    def resume_writing(self) -> None:
        """The transport's write buffer has drained."""
        self._paused = False
        self._wake()

    def _wake(self) -> None:
        """Resume ``send`` or ``recv`` if one is waiting."""
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def _wait(self, seconds: float) -> None:
        """Wait for the next protocol event, at most ``seconds``."""
        self._waiter = self._loop.create_future()
        try:
            await _within(self._waiter, seconds)
        finally:
            self._waiter = None

    def is_usable(self) -> bool:
        """False once the peer closed it or sent bytes while it was idle."""
        if self._data or self._eof or self.transport.is_closing():
            return False
        return not is_dropped(self._sock)

    async def send(self, data: bytes, seconds: float) -> None:
        """Hand all of ``data`` to the transport within ``seconds``."""
        self.transport.write(data)
        while self._paused and not self._eof:
            await self._wait(seconds)
        if self._error is not None:
            raise self._error

    async def recv(self, seconds: float) -> bytes:
        """The bytes received, waiting up to ``seconds`` for some; ``b""`` at end of stream."""
        while not self._data and not self._eof:
            await self._wait(seconds)
        if self._data:
            data = bytes(self._data)
            self._data.clear()
            return data
        if self._error is not None:
            raise self._error
        return b""

    def close(self) -> None:
        """Close without waiting; if its event loop is gone, at least shut it down."""
        try:
            self.transport.close()
        except RuntimeError:
            import socket

            try:
                self._sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    async def wait_closed(self) -> None:
        """Wait until the transport has closed (no-op from another event loop)."""
        try:
            await self._closed
        except RuntimeError:
            pass


class AsyncTransport(TransportCore):
    """Sends requests from coroutines over at most ``max_connections`` keep-alive connections."""

    _loop: asyncio.AbstractEventLoop | None = None
    _slots: asyncio.Semaphore

    def _bind(self) -> asyncio.Semaphore:
        """The slots of the running loop; a new loop starts a fresh pool."""
        import asyncio

        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._drop_idle(final=False)
            self._loop = loop
            self._slots = asyncio.Semaphore(self._max_connections)
        return self._slots

    async def send(
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
        seconds = self._timeout if timeout is None else timeout
        if self._hooks is not None:
            info = self._hooks.request_info(
                self._origin, method, path_and_query, headers, body
            )
            return await self._observed(self._hooks, info, request, upload, seconds)
        return await self._held(method, request, upload, seconds)

    async def open_stream(
        self,
        method: str,
        target: str,
        headers: Mapping[str, str],
        body: Body,
        timeout: float | None = None,
    ) -> AsyncOpened | HTTPResponse:
        """Send on a connection of its own and read the head (``streaming.open_async_stream``)."""
        from .streaming import open_async_stream

        return await open_async_stream(self, method, target, headers, body, timeout)

    async def _held(
        self, method: str, request: bytes, upload: Upload | None, seconds: float
    ) -> HTTPResponse:
        """``_send`` while holding a slot."""
        async with self._bind():
            return await self._send(method, request, upload, seconds)

    async def _observed(
        self,
        hooks: Hooks,
        info: RequestInfo,
        request: bytes,
        upload: Upload | None,
        seconds: float,
    ) -> HTTPResponse:
        """Send with the request hooks called before and the response hooks after."""
        for hook in hooks.request:
            await self._run_hook(hook, info)
        start = time.monotonic()
        response = await self._held(info.method, request, upload, seconds)
        answer = hooks.response_info(info, response, time.monotonic() - start)
        for hook in hooks.response:
            await self._run_hook(hook, answer)
        return response

    async def _run_hook(self, hook: Callable[[Any], Any], value: object) -> None:
        """Call one hook, awaiting it if it is a coroutine function."""
        import inspect

        result = hook(value)
        if inspect.isawaitable(result):
            await result

    async def _send(
        self, method: str, request: bytes, upload: Upload | None, seconds: float
    ) -> HTTPResponse:
        """Send on an idle or new connection; on a stale one, once more on a new one."""
        conn: _Connection | None = self._take()
        reused = conn is not None
        if conn is None:
            conn = await self._connect(seconds)
        try:
            try:
                response, keep = await self._exchange(
                    conn, reused, method, request, upload, seconds
                )
            except StaleConnection:
                conn.close()
                self._rewind(upload)
                conn = await self._connect(seconds)
                response, keep = await self._exchange(
                    conn, False, method, request, upload, seconds
                )
        except BaseException:
            conn.close()
            raise
        self._put(conn, keep)
        return self._checked(response)

    async def _connect(self, seconds: float) -> _Connection:
        """Open a connection (tunnelled through a proxy, TLS for https), mapping failures."""
        deadline = Deadline(seconds)
        conn = None
        try:
            conn = await _Connection.open(*self._dial, deadline)
            if self._tunnel is not None:
                await self._open_tunnel(conn, self._tunnel, deadline)
            tls = self._tls()
            if tls is not None:
                await conn.start_tls(tls, self._host, deadline)
        except BaseException as exc:
            if conn is not None:
                conn.close()
            if isinstance(exc, FAILURES):
                raise self._connect_failure(exc, deadline) from exc
            raise
        return conn

    async def _open_tunnel(
        self, conn: _Connection, connect: bytes, deadline: Deadline
    ) -> None:
        """Ask the proxy on ``conn`` for a tunnel to the origin (the ``connect`` request)."""
        reader = ResponseReader("CONNECT")
        await conn.send(connect, deadline.left())
        response = None
        while response is None:
            response = reader.feed(await conn.recv(deadline.left()))
        self._tunnel_answer(response)

    async def _write(
        self,
        conn: _Connection,
        request: bytes,
        upload: Upload | None,
        deadline: Deadline,
    ) -> None:
        """Send ``request``, then a streamed body piece by piece (the clock restarts per piece)."""
        await conn.send(request, deadline.left())
        if upload is None:
            return
        async for piece in upload.apieces():
            deadline.restart()
            await conn.send(upload.frame(piece), deadline.left())
        await conn.send(upload.end(), deadline.left())
        deadline.restart()

    async def _exchange(
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
            await self._write(conn, request, upload, exchange)
            exchange.sent = True
            response = None
            while response is None:
                response = exchange.reader.feed(await conn.recv(exchange.left()))
        except FAILURES as exc:
            raise self._failure(exchange, exc) from exc
        return response, exchange.reader.keep

    async def aclose(self) -> None:
        """Close every pooled connection; later sends raise ``SDKError``."""
        for conn in self._drop_idle(final=True):
            await conn.wait_closed()
