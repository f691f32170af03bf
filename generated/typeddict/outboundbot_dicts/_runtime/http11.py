"""HTTP/1.1 wire helpers shared by the transports: response record, heads, framing, reader."""

from __future__ import annotations

from .errors import ParameterError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import socket
    from collections.abc import Generator, Iterable, Mapping

MAX_HEAD_BYTES = 64 * 1024
MAX_LINE_BYTES = 8192
_TOKEN_CHARS = frozenset(
    "!#$%&'*+-.^_`|~0123456789" "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)
_HEX_DIGITS = b"0123456789abcdefABCDEF"
# Set by the transport for each connection or message; never signed, never passed on.
FRAMING_HEADERS = frozenset(
    (
        "connection",
        "content-length",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    )
)


class ProtocolError(ValueError):
    """The peer sent something that is not valid HTTP/1.1."""


class StaleConnection(Exception):
    """A reused keep-alive connection died before any byte of the answer."""


class ClosedEarly(Exception):
    """The peer closed the connection before the answer was complete."""


def check_scheme(scheme: str) -> None:
    """Only ``http`` and ``https`` are supported."""
    if scheme not in ("http", "https"):
        raise ParameterError(f"protocol must be 'https' or 'http', got {scheme!r}")


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


def describe_error(exc: BaseException) -> str:
    """A short reason for a socket-level failure (never includes request data)."""
    if isinstance(exc, ConnectionError) and exc.errno:
        import os

        return os.strerror(exc.errno)  # asyncio's says "Connect call failed (...)"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


class HTTPResponse:
    """A complete HTTP answer: status, lower-cased headers, body."""

    __slots__ = ("status", "headers", "body")
    status: int
    headers: dict[str, str]
    body: bytes

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        """Headers must already be lower-cased, repeats joined with ``", "``."""
        self.status = status
        self.headers = headers
        self.body = body

    def __eq__(self, other: object) -> bool:
        """Field-by-field equality."""
        if not isinstance(other, HTTPResponse):
            return NotImplemented
        return (self.status, self.headers, self.body) == (
            other.status,
            other.headers,
            other.body,
        )

    def __repr__(self) -> str:
        """Show status, headers and body size."""
        return (
            f"HTTPResponse(status={self.status}, headers={self.headers!r}, "
            f"body=<{len(self.body)} bytes>)"
        )


def merge_headers(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Lower-case names, strip values, join repeated headers with ``", "``."""
    out: dict[str, str] = {}
    for name, raw in pairs:
        key = name.lower()
        value = raw.strip()
        old = out.get(key)
        out[key] = value if old is None else f"{old}, {value}"
    return out


def check_header(name: str, value: str) -> None:
    """Refuse header names or values that could break or smuggle a request."""
    if not name or not _TOKEN_CHARS.issuperset(name):
        raise ParameterError(f"invalid HTTP header name {name!r}")
    if "\r" in value or "\n" in value or "\0" in value:
        raise ParameterError(f"the value of header {name!r} contains CR, LF or NUL")
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        raise ParameterError(
            f"the value of header {name!r} is not Latin-1 text"
        ) from None


def build_request_head(
    method: str,
    target: str,
    host: str,
    headers: Mapping[str, str],
    content_length: int | None,
    user_agent: str,
) -> bytes:
    """Request line and headers, ending with the blank line; keep-alive requested.

    ``content_length`` None: the body follows with ``Transfer-Encoding: chunked``.
    """
    lines = [f"{method} {target} HTTP/1.1"]
    names = set()
    for name, value in headers.items():
        lower = name.lower()
        if lower in FRAMING_HEADERS:
            continue
        names.add(lower)
        lines.append(f"{name}: {value}")
    if "host" not in names:
        lines.insert(1, f"Host: {host}")
    if "user-agent" not in names:
        lines.append(f"User-Agent: {user_agent}")
    if content_length is None:
        lines.append("Transfer-Encoding: chunked")
    else:
        lines.append(f"Content-Length: {content_length}")
    lines.append("Connection: keep-alive")
    lines.append("\r\n")
    return "\r\n".join(lines).encode("latin-1")


def parse_response_head(block: bytes) -> tuple[str, int, dict[str, str]]:
    """Parse a status line and headers (the block ends with a blank line)."""
    lines = block.decode("latin-1").split("\r\n")
    status_line = lines[0]
    version, _, rest = status_line.partition(" ")
    code = rest.partition(" ")[0]
    if not version.startswith("HTTP/1."):
        raise ProtocolError(f"invalid status line {status_line[:80]!r}")
    if len(code) != 3 or not code.isdigit() or not code.isascii():
        raise ProtocolError(f"invalid status code {code[:10]!r}")
    headers: dict[str, str] = {}
    last = ""
    for line in lines[1:]:
        if not line:
            continue
        if line[0] in " \t" and last:
            headers[last] = f"{headers[last]} {line.strip()}"
            continue
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise ProtocolError(f"invalid header line {line[:80]!r}")
        last = name.lower()
        value = value.strip()
        old = headers.get(last)
        headers[last] = value if old is None else f"{old}, {value}"
    return version, int(code), headers


def parse_chunk_size(line: bytes) -> int:
    """The size in a chunk-size line (extensions after ``;`` ignored)."""
    digits = line.split(b";", 1)[0].strip()
    if not digits or digits.strip(_HEX_DIGITS) or len(digits) > 16:
        raise ProtocolError(f"invalid chunk size line {line[:40]!r}")
    return int(digits, 16)


def content_length(headers: Mapping[str, str]) -> int | None:
    """The declared body length, None when absent; refuse bad or conflicting values."""
    value = headers.get("content-length")
    if value is None:
        return None
    if value.isdigit() and value.isascii():
        return int(value)
    values = {v.strip() for v in value.split(",")}
    if len(values) != 1:
        raise ProtocolError(f"conflicting Content-Length {value!r}")
    text = values.pop()
    if not text.isdigit() or not text.isascii():
        raise ProtocolError(f"invalid Content-Length {value!r}")
    return int(text)


def is_chunked(headers: Mapping[str, str]) -> bool:
    """Whether the last transfer coding is ``chunked``."""
    value = headers.get("transfer-encoding")
    if value is None:
        return False
    return value.rsplit(",", 1)[-1].strip().lower() == "chunked"


def keeps_alive(version: str, headers: Mapping[str, str]) -> bool:
    """Whether the server lets the connection be reused after this answer."""
    tokens = {t.strip().lower() for t in headers.get("connection", "").split(",")}
    if "close" in tokens:
        return False
    return version == "HTTP/1.1" or "keep-alive" in tokens


def has_no_body(method: str, status: int) -> bool:
    """Answers that never carry a body whatever their headers say (a tunnel follows a 2xx to CONNECT)."""
    if method == "CONNECT" and 200 <= status < 300:
        return True
    return method == "HEAD" or status in (204, 304) or 100 <= status < 200


class ResponseReader:
    """One answer read from a connection's bytes as they arrive (1xx skipped); no I/O."""

    __slots__ = ("received", "head_done", "keep", "_ended", "_buffer", "_steps")

    def __init__(self, method: str) -> None:
        """Expect the answer to a ``method`` request."""
        self.received = 0
        self.head_done = False
        self.keep = False
        self._ended = False
        self._buffer = bytearray()
        self._steps = self._read(method)

    def feed(self, data: bytes) -> HTTPResponse | None:
        """Take bytes just read (``b""`` at end of stream); the response once complete."""
        self.received += len(data)
        self._ended = not data
        self._buffer += data
        try:
            self._steps.send(None)
        except StopIteration as done:
            response: HTTPResponse = done.value
            return response
        return None

    def _until(
        self, marker: bytes, limit: int, what: str
    ) -> Generator[None, None, bytes]:
        """Bytes up to and including ``marker``, at most ``limit`` of them."""
        start = 0
        while True:
            end = self._buffer.find(marker, start)
            if end >= 0:
                end += len(marker)
                if end > limit:
                    break
                block = bytes(self._buffer[:end])
                del self._buffer[:end]
                return block
            if len(self._buffer) > limit:
                break
            if self._ended:
                raise ClosedEarly
            start = max(len(self._buffer) - len(marker) + 1, 0)
            yield
        raise ProtocolError(f"{what} exceeds {limit} bytes")

    def _exactly(self, size: int) -> Generator[None, None, bytes]:
        """Exactly ``size`` bytes."""
        while len(self._buffer) < size:
            if self._ended:
                raise ClosedEarly
            yield
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def _read(self, method: str) -> Generator[None, None, HTTPResponse]:
        """The whole answer; sets ``head_done`` and ``keep`` on the way."""
        while True:
            head = yield from self._until(
                b"\r\n\r\n", MAX_HEAD_BYTES, "the response head"
            )
            version, status, headers = parse_response_head(head)
            if not (100 <= status < 200) or status == 101:
                break
        self.head_done = True
        complete = True
        if has_no_body(method, status):
            body = b""
        elif is_chunked(headers):
            body = yield from self._chunked()
        else:
            length = content_length(headers)
            if length is None:
                while not self._ended:
                    yield
                body, complete = bytes(self._buffer), False
                self._buffer.clear()
            else:
                body = yield from self._exactly(length)
        self.keep = complete and not self._buffer and keeps_alive(version, headers)
        return HTTPResponse(status, headers, body)

    def _chunked(self) -> Generator[None, None, bytes]:
        """A chunked body; its trailers are read and dropped."""
        parts = []
        while True:
            line = yield from self._until(b"\r\n", MAX_LINE_BYTES, "a chunk-size line")
            size = parse_chunk_size(line)
            if size == 0:
                break
            parts.append((yield from self._exactly(size)))
            if (yield from self._exactly(2)) != b"\r\n":
                raise ProtocolError("missing CRLF after a chunk")
        trailers = 0
        while True:
            line = yield from self._until(b"\r\n", MAX_LINE_BYTES, "a trailer line")
            if line == b"\r\n":
                return b"".join(parts)
            trailers += len(line)
            if trailers > MAX_HEAD_BYTES:
                raise ProtocolError(f"the trailers exceed {MAX_HEAD_BYTES} bytes")
