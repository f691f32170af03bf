"""Incremental readers without I/O: an HTTP answer's body as it arrives, and server-sent events."""

from __future__ import annotations

from .http11 import (
    MAX_HEAD_BYTES,
    MAX_LINE_BYTES,
    ClosedEarly,
    ProtocolError,
    content_length,
    has_no_body,
    is_chunked,
    parse_chunk_size,
    parse_response_head,
)
from .records import Record

__all__ = ["BodyReader", "EventDecoder", "ServerSentEvent"]


class BodyReader:
    """One answer's head, then its body bytes as they arrive (length, chunked, or until close)."""

    __slots__ = (
        "status",
        "headers",
        "done",
        "received",
        "_method",
        "_buffer",
        "_state",
    )
    _method: str

    def __init__(self, method: str) -> None:
        """Expect the answer to a ``method`` request."""
        self.status = 0
        self.headers: dict[str, str] = {}
        self.done = False
        self.received = 0
        self._method = method
        self._buffer = bytearray()
        self._state: tuple[str, int] = ("head", 0)

    @property
    def head_done(self) -> bool:
        """Whether status and headers are known."""
        return self._state[0] != "head"

    def feed(self, data: bytes) -> bytes:
        """Take bytes just read (``b""`` at end of stream); the body bytes they complete."""
        self.received += len(data)
        self._buffer += data
        out = bytearray()
        while not self.done and self._step(out, not data):
            pass
        return bytes(out)

    def _step(self, out: bytearray, ended: bool) -> bool:
        """Advance one state with the buffered bytes; False when more bytes are needed."""
        state, left = self._state
        buffer = self._buffer
        if state == "head":
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return self._waiting(ended, MAX_HEAD_BYTES, "the response head")
            _, status, headers = parse_response_head(bytes(buffer[: end + 4]))
            del buffer[: end + 4]
            if 100 <= status < 200 and status != 101:
                return True
            self.status, self.headers = status, headers
            self._state = self._body_state(status, headers)
            self.done = self._state[0] == "done"
            return True
        if state in ("length", "data"):
            take = bytes(buffer[:left])
            del buffer[: len(take)]
            out += take
            left -= len(take)
            if left:
                self._state = (state, left)
                if ended:
                    raise ClosedEarly
                return False
            self._state = ("done", 0) if state == "length" else ("crlf", 0)
            self.done = state == "length"
            return True
        if state == "close":
            out += buffer
            buffer.clear()
            self.done = ended
            return False
        end = buffer.find(b"\r\n")
        if end < 0:
            return self._waiting(ended, MAX_LINE_BYTES, "a chunk line")
        line = bytes(buffer[: end + 2])
        del buffer[: end + 2]
        if state == "crlf":
            if line != b"\r\n":
                raise ProtocolError("missing CRLF after a chunk")
            self._state = ("size", 0)
        elif state == "size":
            size = parse_chunk_size(line)
            self._state = ("data", size) if size else ("trailer", 0)
        elif line == b"\r\n":
            self._state, self.done = ("done", 0), True
        return True

    def _waiting(self, ended: bool, limit: int, what: str) -> bool:
        """No complete line yet: wait, unless the peer closed or the line is too long."""
        if ended:
            raise ClosedEarly
        if len(self._buffer) > limit:
            raise ProtocolError(f"{what} exceeds {limit} bytes")
        return False

    def _body_state(self, status: int, headers: dict[str, str]) -> tuple[str, int]:
        """How the body is framed."""
        if has_no_body(self._method, status):
            return ("done", 0)
        if is_chunked(headers):
            return ("size", 0)
        length = content_length(headers)
        if length is None:
            return ("close", 0)
        return ("length", length) if length else ("done", 0)


class ServerSentEvent(Record):
    """One event of a ``text/event-stream``: its name, data, id and reconnection delay."""

    __slots__ = ("event", "data", "id", "retry")
    event: str
    data: str
    id: str | None
    retry: int | None

    def __init__(
        self, event: str, data: str, id: str | None = None, retry: int | None = None
    ) -> None:
        """``retry``: milliseconds the server asks a client to wait before reconnecting."""
        self.event = event
        self.data = data
        self.id = id
        self.retry = retry

    def json(self) -> object:
        """The data parsed as JSON."""
        import json

        return json.loads(self.data)


class EventDecoder:
    """Server-sent events from a byte stream, as the HTML standard parses them."""

    __slots__ = (
        "last_event_id",
        "retry",
        "_id",
        "_pending",
        "_data",
        "_event",
        "_seen",
    )

    def __init__(self) -> None:
        """Start with no event."""
        self.last_event_id: str | None = None  # the id of the last event dispatched
        self.retry: int | None = None
        self._id: str | None = None
        self._pending = b""
        self._data: list[str] = []
        self._event = ""
        self._seen = False

    def reset(self) -> None:
        """Drop a half-received line and event (the connection broke); ids and ``retry`` stay."""
        self._pending = b""
        self._data, self._event, self._seen = [], "", False
        self._id = self.last_event_id

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """The events completed by ``chunk`` (a line may end with CRLF, LF or CR)."""
        text = self._pending + chunk
        lines = text.splitlines(keepends=True)
        self._pending = b""
        if lines and not lines[-1].endswith((b"\n", b"\r")):
            self._pending = lines.pop()
        elif lines and lines[-1].endswith(b"\r"):
            self._pending = lines.pop()  # the LF of a CRLF may be in the next chunk
        events = []
        for raw in lines:
            event = self._line(raw.rstrip(b"\r\n").decode("utf-8", "replace"))
            if event is not None:
                events.append(event)
        return events

    def flush(self) -> list[ServerSentEvent]:
        """At end of stream: a held CR-terminated line is complete; an unfinished event is dropped."""
        pending, self._pending = self._pending, b""
        if pending.endswith(b"\r"):
            event = self._line(pending[:-1].decode("utf-8", "replace"))
            return [event] if event is not None else []
        return []

    def _line(self, line: str) -> ServerSentEvent | None:
        """Apply one line; the event it dispatches, if any."""
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
            self._seen = True
        elif name == "event":
            self._event = value
        elif name == "id" and "\0" not in value:
            self._id = value
        elif name == "retry" and value.isdigit() and value.isascii():
            self.retry = int(value)
        return None

    def _dispatch(self) -> ServerSentEvent | None:
        """The event gathered so far (None without data lines); reset for the next."""
        data, event, seen = self._data, self._event, self._seen
        self._data, self._event, self._seen = [], "", False
        self.last_event_id = self._id
        if not seen:
            return None
        return ServerSentEvent(
            event or "message", "\n".join(data), self._id, self.retry
        )
