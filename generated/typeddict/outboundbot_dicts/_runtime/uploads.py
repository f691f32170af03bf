"""Streamed request bodies: a binary file or an iterable of bytes, sent in pieces, never read whole."""

from __future__ import annotations

from .errors import ParameterError, SDKError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator
    from typing import IO, Any

PIECE_BYTES = 65536


def _seek_start(file: IO[bytes]) -> int | None:
    """Where a seekable file stands now (the body starts there); None when it cannot seek."""
    try:
        return file.tell() if file.seekable() else None
    except (OSError, ValueError, AttributeError):
        return None


def _file_length(file: IO[bytes], start: int | None) -> int | None:
    """The bytes left in ``file`` from ``start``: fstat for a regular file, else seek to the end."""
    if start is None:
        return None
    import os
    import stat

    try:
        info = os.fstat(file.fileno())
        if stat.S_ISREG(info.st_mode):
            return max(info.st_size - start, 0)
    except (OSError, ValueError, AttributeError):
        pass
    try:
        end = file.seek(0, 2)
        file.seek(start)
    except (OSError, ValueError):
        return None
    return max(end - start, 0)


def _checked(piece: object) -> bytes:
    """One piece of an iterable body: bytes-like only."""
    if isinstance(piece, bytes):
        return piece
    if isinstance(piece, (bytearray, memoryview)):
        return bytes(piece)
    raise ParameterError(
        f"a streamed body must yield bytes, got {type(piece).__name__}"
    )


class Upload:
    """A request body read as it is sent: a file opened in binary mode, or an (async) iterable of bytes.

    The length is known for a seekable file (``Content-Length``), else the body goes
    ``Transfer-Encoding: chunked``. A seekable file can be sent again (rewound to where it
    stood); an iterable only once.
    """

    __slots__ = ("source", "length", "is_async", "_start", "_started")

    def __init__(self, source: Any) -> None:
        """Check ``source``; a file's length is read now (nothing else is)."""
        import io

        self.is_async = False
        self._started = False
        self._start: int | None = None
        if hasattr(source, "read"):
            if isinstance(source, io.TextIOBase) or "b" not in getattr(
                source, "mode", "b"
            ):
                raise ParameterError(
                    "a file body must be opened in binary mode ('rb'), got a text file"
                )
            self._start = _seek_start(source)
            self.length = _file_length(source, self._start)
        elif hasattr(source, "__aiter__"):
            self.is_async = True
            self.length = None
        elif hasattr(source, "__iter__") and not isinstance(source, (str, dict)):
            self.length = None
        else:
            raise ParameterError(
                "body must be bytes, a file opened in binary mode or an iterable of "
                f"bytes, got {type(source).__name__}"
            )
        self.source = source

    @classmethod
    def of(cls, value: object) -> bytes | Upload:
        """``value`` as bytes when it is bytes-like, else as an ``Upload``."""
        if isinstance(value, (bytes, bytearray, memoryview)):
            return bytes(value)
        return value if isinstance(value, Upload) else cls(value)

    def rewind(self) -> bool:
        """Get ready to send the body again; False when it cannot be (an iterable already read)."""
        if not self._started:
            return True
        if self._start is None:
            return False
        self.source.seek(self._start)
        self._started = False
        return True

    def _file_pieces(self) -> Iterator[bytes]:
        """A file's pieces; with a known length exactly that many bytes, else until EOF."""
        left = self.length
        while left is None or left > 0:
            piece = _checked(
                self.source.read(
                    PIECE_BYTES if left is None else min(left, PIECE_BYTES)
                )
            )
            if not piece:
                break
            if left is not None:
                left -= len(piece)
            yield piece
        if left:
            raise SDKError(
                f"the file body ended {left} bytes before the {self.length} its size announced"
            )

    def pieces(self) -> Iterator[bytes]:
        """The body's bytes, piece by piece (a file or a sync iterable)."""
        self._started = True
        if hasattr(self.source, "read"):
            yield from self._file_pieces()
            return
        for piece in self.source:
            yield _checked(piece)

    async def apieces(self) -> AsyncIterator[bytes]:
        """The body's bytes, piece by piece (an async iterable too; files are read blocking)."""
        if not self.is_async:
            for piece in self.pieces():
                yield piece
            return
        self._started = True
        async for piece in self.source:
            yield _checked(piece)

    def frame(self, piece: bytes) -> bytes:
        """``piece`` as it goes on the wire: as is with a known length, else as one chunk."""
        if self.length is not None:
            return piece
        return b"%x\r\n%b\r\n" % (len(piece), piece) if piece else b""

    def end(self) -> bytes:
        """What follows the last piece: the last chunk of a chunked body, else nothing."""
        return b"0\r\n\r\n" if self.length is None else b""
