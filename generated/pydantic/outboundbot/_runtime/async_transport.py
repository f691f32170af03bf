"""Asyncio HTTP/1.1 transport: a small client over streams with a keep-alive pool."""

from __future__ import annotations

from .errors import APIConnectionError, APITimeoutError, ParameterError, SDKError
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
    import asyncio
    from collections.abc import Awaitable, Mapping
    from typing import TypeVar

    _T = TypeVar("_T")

_HEAD_END = b"\r\n\r\n"


class _Progress:
    """How far an exchange got, to classify failures."""

    __slots__ = ("sent", "received")

    def __init__(self) -> None:
        """Nothing sent or received yet."""
        self.sent = False
        self.received = False


class _Connection:
    """One open stream pair."""

    __slots__ = ("reader", "writer")

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        """Wrap the pair returned by ``asyncio.open_connection``."""
        self.reader = reader
        self.writer = writer

    def is_usable(self) -> bool:
        """False once the peer closed it or it has unread bytes."""
        return not (
            self.writer.is_closing()
            or self.reader.at_eof()
            or self.reader.exception() is not None
        )

    def close(self) -> None:
        """Close without waiting; if its event loop is gone, at least shut it down."""
        try:
            self.writer.close()
        except RuntimeError:
            import socket

            sock = self.writer.get_extra_info("socket")
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


async def _within(awaitable: Awaitable[_T], timeout: float) -> _T:
    """Await with a timeout (``asyncio.timeout`` where available, else ``wait_for``)."""
    import asyncio

    if hasattr(asyncio, "timeout"):
        async with asyncio.timeout(timeout):
            return await awaitable
    return await asyncio.wait_for(awaitable, timeout)


def _timeout_errors() -> tuple[type[BaseException], ...]:
    """Timeout exception types (``asyncio.TimeoutError`` is distinct before 3.11)."""
    import asyncio

    return (TimeoutError, asyncio.TimeoutError)


class AsyncTransport:
    """Sends requests from coroutines over pooled keep-alive connections."""

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
        """At most ``max_connections`` requests are in flight; others wait."""
        check_scheme(scheme)
        if max_connections < 1:
            raise ParameterError("max_connections must be at least 1")
        self._scheme = scheme
        self._host = host
        self._port = port if port else (443 if scheme == "https" else 80)
        bracketed = f"[{host}]" if ":" in host else host
        self._host_header = bracketed if port is None else f"{bracketed}:{port}"
        self._timeout = timeout
        self._user_agent = user_agent
        self._max_connections = max_connections
        self._origin = f"{scheme}://{self._host_header}"
        self._idle: list[_Connection] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots: asyncio.Semaphore | None = None
        self._closed = False

    def __repr__(self) -> str:
        """Show the origin."""
        return f"AsyncTransport({self._origin!r})"

    def _bind(self) -> asyncio.Semaphore:
        """The slot semaphore of the running loop; a new loop starts a fresh pool."""
        import asyncio

        loop = asyncio.get_running_loop()
        if loop is not self._loop or self._slots is None:
            for conn in self._idle:
                conn.close()
            self._idle = []
            self._loop = loop
            self._slots = asyncio.Semaphore(self._max_connections)
        return self._slots

    async def send(
        self,
        method: str,
        path_and_query: str,
        headers: Mapping[str, str],
        body: bytes,
        timeout: float | None = None,
    ) -> HTTPResponse:
        """Send a request and read the answer; resend once on a stale connection."""
        if self._closed:
            raise SDKError("this client has been closed")
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
        slots = self._bind()
        async with slots:
            conn = self._checkout()
            reused = conn is not None
            if conn is None:
                conn = await self._connect(timeout)
            try:
                try:
                    response, keep = await self._exchange(
                        conn, reused, method, head, body, timeout
                    )
                except StaleConnection:
                    conn.close()
                    conn = await self._connect(timeout)
                    response, keep = await self._exchange(
                        conn, False, method, head, body, timeout
                    )
            except BaseException:
                conn.close()
                raise
            if keep and not self._closed:
                self._idle.append(conn)
            else:
                conn.close()
        return response

    def _checkout(self) -> _Connection | None:
        """The most recently used live idle connection, if any."""
        while self._idle:
            conn = self._idle.pop()
            if conn.is_usable():
                return conn
            conn.close()
        return None

    async def _connect(self, timeout: float) -> _Connection:
        """Open a connection (TLS for https), mapping failures to SDK errors."""
        import asyncio

        context = default_tls_context() if self._scheme == "https" else None
        try:
            reader, writer = await _within(
                asyncio.open_connection(
                    self._host, self._port, ssl=context, limit=MAX_HEAD_BYTES
                ),
                timeout,
            )
        except _timeout_errors() as exc:
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
        return _Connection(reader, writer)

    async def _exchange(
        self,
        conn: _Connection,
        reused: bool,
        method: str,
        head: bytes,
        body: bytes,
        timeout: float,
    ) -> tuple[HTTPResponse, bool]:
        """One request/answer on ``conn``, mapping failures to SDK errors."""
        import asyncio

        progress = _Progress()
        try:
            return await _within(
                self._roundtrip(conn, method, head, body, progress), timeout
            )
        except _timeout_errors() as exc:
            raise APITimeoutError(
                f"Timed out waiting for {self._origin} (timeout {timeout:g} s).",
                phase="read",
                request_sent=progress.sent,
            ) from exc
        except asyncio.IncompleteReadError as exc:
            if reused and not progress.received and not exc.partial:
                raise StaleConnection from exc
            what = "response body" if progress.received else "response headers"
            raise APIConnectionError(
                f"The connection to {self._origin} closed before the {what} "
                f"were complete.",
                request_sent=progress.sent,
            ) from exc
        except ConnectionError as exc:
            if reused and not progress.received:
                raise StaleConnection from exc
            raise APIConnectionError(
                f"The connection to {self._origin} failed: {describe_error(exc)}",
                request_sent=progress.sent,
            ) from exc
        except asyncio.LimitOverrunError as exc:
            raise APIConnectionError(
                f"Invalid HTTP response from {self._origin}: a header line or block "
                f"exceeds {MAX_HEAD_BYTES} bytes.",
                request_sent=True,
            ) from exc
        except ProtocolError as exc:
            raise APIConnectionError(
                f"Invalid HTTP response from {self._origin}: {exc}",
                request_sent=True,
            ) from exc
        except OSError as exc:
            raise APIConnectionError(
                f"The connection to {self._origin} failed: {describe_error(exc)}",
                request_sent=progress.sent,
            ) from exc

    async def _roundtrip(
        self,
        conn: _Connection,
        method: str,
        head: bytes,
        body: bytes,
        progress: _Progress,
    ) -> tuple[HTTPResponse, bool]:
        """Write the request, then read the head and the body."""
        reader, writer = conn.reader, conn.writer
        writer.write(head + body if body else head)
        await writer.drain()
        progress.sent = True
        while True:
            block = await reader.readuntil(_HEAD_END)
            progress.received = True
            version, status, headers = parse_response_head(block)
            if not (100 <= status < 200) or status == 101:
                break
        if has_no_body(method, status):
            data, complete = b"", True
        elif is_chunked(headers):
            data, complete = await _read_chunked(reader), True
        else:
            length = content_length(headers)
            if length is None:
                data, complete = await reader.read(), False
            else:
                data, complete = await reader.readexactly(length), True
        keep = complete and keeps_alive(version, headers)
        return HTTPResponse(status, headers, data), keep

    async def aclose(self) -> None:
        """Close every pooled connection; later sends raise ``SDKError``."""
        self._closed = True
        idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
        for conn in idle:
            try:
                await conn.writer.wait_closed()
            except (OSError, RuntimeError):
                pass


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    """Read a chunked body and its trailers."""
    parts = []
    while True:
        size = parse_chunk_size(await reader.readuntil(b"\r\n"))
        if size == 0:
            break
        parts.append(await reader.readexactly(size))
        if await reader.readexactly(2) != b"\r\n":
            raise ProtocolError("missing CRLF after a chunk")
    while await reader.readuntil(b"\r\n") != b"\r\n":
        pass
    return b"".join(parts)
