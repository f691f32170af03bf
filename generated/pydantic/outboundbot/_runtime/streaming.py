"""Streamed answers: server-sent events as typed ``Stream`` / ``AsyncStream``, binary bodies in chunks.

A stream has a connection of its own (outside the pool), opened through the client's normal call
path (signature, retries until the head arrives, timeouts) and closed when the body ends, on
``close()``, or when its ``with`` block exits.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from ._sansio import FAILURES, Deadline
from .errors import APIConnectionError, APITimeoutError
from .http11 import HTTPResponse
from .records import FrozenRecord
from .sse import BodyReader, EventDecoder, ServerSentEvent

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
    from os import PathLike
    from types import TracebackType
    from typing import IO, Any

    from ._sansio import Body
    from .async_transport import AsyncTransport
    from .transport import SyncTransport

    Parse = Callable[[str, Any], Any]

_T = TypeVar("_T")
_CHUNK = 65536

__all__ = [
    "AsyncBinaryResponse",
    "AsyncStream",
    "BinaryResponse",
    "EventStream",
    "ServerSentEvent",
    "Stream",
    "is_event_stream",
]


class EventStream(FrozenRecord):
    """What the spec says of an operation's event stream."""

    __slots__ = ("sentinel", "resumable", "events")
    sentinel: str | None
    resumable: bool
    events: tuple[str, ...]

    def __init__(
        self,
        sentinel: str | None = None,
        resumable: bool = False,
        events: tuple[str, ...] = (),
    ) -> None:
        """``sentinel``: the data that ends the stream; ``events``: the only event names decoded."""
        self._init(sentinel=sentinel, resumable=resumable, events=events)


def _read_failure(exc: BaseException, origin: str, seconds: float) -> Exception:
    """The error for a streamed body that could not be read to its end."""
    if isinstance(exc, TimeoutError):
        return APITimeoutError(
            f"Timed out waiting for {origin} (timeout {seconds:g} s).",
            phase="read",
            request_sent=True,
        )
    return APIConnectionError(
        f"The stream from {origin} broke: {exc or type(exc).__name__}",
        request_sent=True,
    )


class _Opened:
    """An answer whose head has arrived; its body is read when asked for."""

    __slots__ = (
        "status",
        "headers",
        "body",
        "conn",
        "reader",
        "first",
        "seconds",
        "origin",
    )

    def __init__(
        self, conn: Any, reader: BodyReader, first: bytes, seconds: float, origin: str
    ) -> None:
        """``first``: body bytes that came with the head."""
        self.status = reader.status
        self.headers = reader.headers
        self.body = b""
        self.conn = conn
        self.reader = reader
        self.first = first
        self.seconds = seconds
        self.origin = origin

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


def is_event_stream(response: _Opened) -> bool:
    """Whether an opened answer is ``text/event-stream`` (a stream flag the server honoured)."""
    kind = response.headers.get("content-type", "").split(";")[0]
    return kind.strip().lower() == "text/event-stream"


class SyncOpened(_Opened):
    """A blocking streamed answer."""

    def whole(self) -> HTTPResponse:
        """The answer with its whole body (a JSON answer where a stream was asked for)."""
        body = b""
        for data in self.chunks():
            body += data
        return HTTPResponse(self.status, self.headers, body)

    def chunks(self) -> Iterator[bytes]:
        """The body's bytes as they arrive; the connection is closed at the end."""
        try:
            if self.first:
                yield self.first
            while not self.reader.done:
                try:
                    data = self.reader.feed(self.conn.recv(self.seconds))
                except FAILURES as exc:
                    raise _read_failure(exc, self.origin, self.seconds) from exc
                if data:
                    yield data
        finally:
            self.close()


class AsyncOpened(_Opened):
    """An asyncio streamed answer."""

    async def whole(self) -> HTTPResponse:
        """The answer with its whole body (a JSON answer where a stream was asked for)."""
        body = b""
        async for data in self.chunks():
            body += data
        return HTTPResponse(self.status, self.headers, body)

    async def chunks(self) -> AsyncIterator[bytes]:
        """The body's bytes as they arrive; the connection is closed at the end."""
        try:
            if self.first:
                yield self.first
            while not self.reader.done:
                try:
                    data = self.reader.feed(await self.conn.recv(self.seconds))
                except FAILURES as exc:
                    raise _read_failure(exc, self.origin, self.seconds) from exc
                if data:
                    yield data
        finally:
            self.close()


def open_stream(
    transport: SyncTransport,
    method: str,
    target: str,
    headers: Mapping[str, str],
    body: Body,
    timeout: float | None = None,
) -> SyncOpened | HTTPResponse:
    """Send a request on a new connection and read the head; an error answer is read whole."""
    seconds = transport._timeout if timeout is None else timeout
    request, upload = transport._request(method, target, headers, body)
    conn = transport._connect(seconds)
    reader = BodyReader(method)
    sent = False
    try:
        deadline = Deadline(seconds)
        transport._write(conn, request, upload, deadline)
        sent = True
        first = b""
        while not reader.head_done:
            first += reader.feed(conn.recv(deadline.left()))
        if 200 <= reader.status < 300:
            return SyncOpened(conn, reader, first, seconds, transport._origin)
        while not reader.done:
            first += reader.feed(conn.recv(deadline.left()))
    except FAILURES as exc:
        conn.close()
        raise _open_failure(exc, transport._origin, seconds, sent) from exc
    except BaseException:
        conn.close()
        raise
    conn.close()
    return HTTPResponse(reader.status, reader.headers, first)


async def open_async_stream(
    transport: AsyncTransport,
    method: str,
    target: str,
    headers: Mapping[str, str],
    body: Body,
    timeout: float | None = None,
) -> AsyncOpened | HTTPResponse:
    """The async twin of ``open_stream``."""
    seconds = transport._timeout if timeout is None else timeout
    request, upload = transport._request(method, target, headers, body)
    conn = await transport._connect(seconds)
    reader = BodyReader(method)
    sent = False
    try:
        deadline = Deadline(seconds)
        await transport._write(conn, request, upload, deadline)
        sent = True
        first = b""
        while not reader.head_done:
            first += reader.feed(await conn.recv(deadline.left()))
        if 200 <= reader.status < 300:
            return AsyncOpened(conn, reader, first, seconds, transport._origin)
        while not reader.done:
            first += reader.feed(await conn.recv(deadline.left()))
    except FAILURES as exc:
        conn.close()
        raise _open_failure(exc, transport._origin, seconds, sent) from exc
    except BaseException:
        conn.close()
        raise
    conn.close()
    return HTTPResponse(reader.status, reader.headers, first)


def _open_failure(
    exc: BaseException, origin: str, seconds: float, sent: bool
) -> Exception:
    """The error for a stream whose head did not arrive."""
    if isinstance(exc, TimeoutError):
        return APITimeoutError(
            f"Timed out waiting for {origin} (timeout {seconds:g} s).",
            phase="read",
            request_sent=sent,
        )
    return APIConnectionError(
        f"The connection to {origin} failed before the stream began: "
        f"{exc or type(exc).__name__}",
        request_sent=sent,
    )


def _decode(event: ServerSentEvent, parse: Parse) -> Any:
    """An event's data as the operation's event type (JSON data parsed first)."""
    import json

    try:
        data = json.loads(event.data)
    except ValueError:
        data = event.data
    return parse(event.event, data)


class _StreamState:
    """What both event streams keep: the answer, the decoder, the spec's rules, the reconnect delay."""

    response: _Opened
    _decoder: EventDecoder
    _spec: EventStream
    _parse: Parse
    _ended: bool

    def _start(self, response: _Opened, parse: Parse, spec: EventStream) -> None:
        """Begin reading ``response``."""
        self.response = response
        self._decoder = EventDecoder()
        self._parse = parse
        self._spec = spec
        self._ended = False

    def _wanted(self, event: ServerSentEvent) -> bool | None:
        """True to decode the event, False to skip it, None at the end sentinel."""
        if self._spec.sentinel is not None and event.data == self._spec.sentinel:
            return None
        return not self._spec.events or event.event in self._spec.events

    def _resume_headers(self) -> dict[str, str]:
        """Headers of a reconnection: ``Last-Event-ID`` when the server gave ids."""
        last = self._decoder.last_event_id
        headers = {"accept": "text/event-stream"}
        if last:
            headers["last-event-id"] = last
        return headers

    def _reconnect_delay(self) -> float:
        """Seconds to wait before reconnecting: the server's ``retry:``, else 1 s."""
        retry = self._decoder.retry
        return (retry if retry is not None else 1000) / 1000.0

    @property
    def status(self) -> int:
        """The HTTP status of the current connection's answer."""
        return self.response.status

    @property
    def headers(self) -> dict[str, str]:
        """The HTTP headers of the current connection's answer."""
        return self.response.headers


_RECONNECTS = 5


class Stream(_StreamState, Generic[_T]):
    """Server-sent events decoded as ``_T``, read as they arrive; use ``with`` or ``close()``."""

    response: SyncOpened

    def __init__(
        self,
        connect: Callable[[dict[str, str]], Any],
        parse: Callable[[str, Any], _T],
        spec: EventStream,
        response: SyncOpened | None = None,
    ) -> None:
        """Open the stream now unless ``response`` is open (errors raise here); ``connect(headers)`` (re)connects."""
        self._connect = connect
        if response is None:
            response = connect({"accept": "text/event-stream"})
        self._start(response, parse, spec)

    def iter_events(self) -> Iterator[ServerSentEvent]:
        """The raw events, up to the end sentinel; reconnects where the operation allows it."""
        reconnects = 0
        while not self._ended:
            try:
                for chunk in self.response.chunks():
                    for event in self._decoder.feed(chunk):
                        wanted = self._wanted(event)
                        if wanted is None:
                            self.close()
                            return
                        if wanted:
                            yield event
                for event in self._decoder.flush():
                    yield event
                self._ended = True
            except (APIConnectionError, APITimeoutError):
                if not self._spec.resumable or reconnects >= _RECONNECTS:
                    raise
                reconnects += 1
                self._decoder.reset()
                import time

                time.sleep(self._reconnect_delay())
                self.response = self._connect(self._resume_headers())

    def __iter__(self) -> Iterator[_T]:
        """Every event, decoded."""
        for event in self.iter_events():
            yield _decode(event, self._parse)

    def close(self) -> None:
        """Close the connection; iteration ends."""
        self._ended = True
        self.response.close()

    def __enter__(self) -> Stream[_T]:
        """Use the stream in a ``with`` block."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the stream."""
        self.close()


class AsyncStream(_StreamState, Generic[_T]):
    """Server-sent events decoded as ``_T``; ``async for`` them, use ``async with`` or ``close()``."""

    response: AsyncOpened

    def __init__(
        self,
        connect: Callable[[dict[str, str]], Awaitable[Any]],
        parse: Callable[[str, Any], _T],
        spec: EventStream,
        response: AsyncOpened,
    ) -> None:
        """A stream already opened (see ``AsyncStream.open``)."""
        self._connect = connect
        self._start(response, parse, spec)

    @classmethod
    async def open(
        cls,
        connect: Callable[[dict[str, str]], Awaitable[Any]],
        parse: Callable[[str, Any], _T],
        spec: EventStream,
    ) -> AsyncStream[_T]:
        """Open the stream (errors raise here); ``connect(headers)`` (re)connects."""
        response = await connect({"accept": "text/event-stream"})
        return cls(connect, parse, spec, response)

    async def iter_events(self) -> AsyncIterator[ServerSentEvent]:
        """The raw events, up to the end sentinel; reconnects where the operation allows it."""
        reconnects = 0
        while not self._ended:
            try:
                async for chunk in self.response.chunks():
                    for event in self._decoder.feed(chunk):
                        wanted = self._wanted(event)
                        if wanted is None:
                            self.close()
                            return
                        if wanted:
                            yield event
                for event in self._decoder.flush():
                    yield event
                self._ended = True
            except (APIConnectionError, APITimeoutError):
                if not self._spec.resumable or reconnects >= _RECONNECTS:
                    raise
                reconnects += 1
                self._decoder.reset()
                import asyncio

                await asyncio.sleep(self._reconnect_delay())
                self.response = await self._connect(self._resume_headers())

    async def __aiter__(self) -> AsyncIterator[_T]:
        """Every event, decoded."""
        async for event in self.iter_events():
            yield _decode(event, self._parse)

    def close(self) -> None:
        """Close the connection; iteration ends."""
        self._ended = True
        self.response.close()

    async def aclose(self) -> None:
        """Alias of ``close``."""
        self.close()

    async def __aenter__(self) -> AsyncStream[_T]:
        """Use the stream in an ``async with`` block."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the stream."""
        self.close()


class BinaryResponse:
    """A binary body read as it arrives: in chunks, into a file, or whole; use ``with`` or ``close()``."""

    def __init__(self, response: SyncOpened) -> None:
        """Wrap an opened answer."""
        self.response = response
        self.status = response.status
        self.headers = response.headers

    def iter_bytes(self, chunk_size: int = _CHUNK) -> Iterator[bytes]:
        """The body in chunks of at most ``chunk_size`` bytes."""
        for data in self.response.chunks():
            for start in range(0, len(data), chunk_size):
                yield data[start : start + chunk_size]

    def write_to(self, file: str | PathLike[str] | IO[bytes]) -> int:
        """Write the body to a path or a binary file object; the number of bytes written."""
        if isinstance(file, (str, bytes)) or hasattr(file, "__fspath__"):
            with open(file, "wb") as out:
                return self.write_to(out)
        size = 0
        for data in self.iter_bytes():
            file.write(data)
            size += len(data)
        return size

    def read(self) -> bytes:
        """The whole body."""
        return b"".join(self.iter_bytes())

    def close(self) -> None:
        """Close the connection."""
        self.response.close()

    def __enter__(self) -> BinaryResponse:
        """Use the response in a ``with`` block."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the connection."""
        self.close()


class AsyncBinaryResponse:
    """The async twin of ``BinaryResponse``."""

    def __init__(self, response: AsyncOpened) -> None:
        """Wrap an opened answer."""
        self.response = response
        self.status = response.status
        self.headers = response.headers

    async def iter_bytes(self, chunk_size: int = _CHUNK) -> AsyncIterator[bytes]:
        """The body in chunks of at most ``chunk_size`` bytes."""
        async for data in self.response.chunks():
            for start in range(0, len(data), chunk_size):
                yield data[start : start + chunk_size]

    async def write_to(self, file: str | PathLike[str] | IO[bytes]) -> int:
        """Write the body to a path or a binary file object (blocking writes); bytes written."""
        if isinstance(file, (str, bytes)) or hasattr(file, "__fspath__"):
            with open(file, "wb") as out:
                return await self.write_to(out)
        size = 0
        async for data in self.iter_bytes():
            file.write(data)
            size += len(data)
        return size

    async def read(self) -> bytes:
        """The whole body."""
        return b"".join([data async for data in self.iter_bytes()])

    def close(self) -> None:
        """Close the connection."""
        self.response.close()

    async def __aenter__(self) -> AsyncBinaryResponse:
        """Use the response in an ``async with`` block."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the connection."""
        self.close()


def streamed(interpret: Callable[[HTTPResponse], Any]) -> Callable[[Any], Any]:
    """``interpret`` for streams: an opened success answer is kept, an error answer raises as usual."""
    return lambda response: (
        response if isinstance(response, _Opened) else interpret(response)
    )
