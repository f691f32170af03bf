"""The I/O-free core the two transports share: the response reader, the pool, the failures."""

from __future__ import annotations

import pytest

from acs_sdkgen.runtime import (
    APIConnectionError,
    APITimeoutError,
    HTTPResponse,
    SDKError,
)
from acs_sdkgen.runtime._sansio import Exchange, TransportCore
from acs_sdkgen.runtime.http11 import (
    ClosedEarly,
    ProtocolError,
    ResponseReader,
    StaleConnection,
)

ANSWERS = {
    "length": (
        "POST",
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-A: 1\r\nx-a: 2\r\n\r\n{}",
        HTTPResponse(200, {"content-length": "2", "x-a": "1, 2"}, b"{}"),
        True,
    ),
    "chunked with trailers": (
        "POST",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\r\n\r\n",
        HTTPResponse(200, {"transfer-encoding": "chunked"}, b"abcde"),
        True,
    ),
    "1xx skipped": (
        "POST",
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n",
        HTTPResponse(201, {"content-length": "0"}, b""),
        True,
    ),
    "body until close": (
        "POST",
        b"HTTP/1.1 200 OK\r\n\r\nto the end",
        HTTPResponse(200, {}, b"to the end"),
        False,
    ),
    "HEAD has no body": (
        "HEAD",
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n",
        HTTPResponse(200, {"content-length": "5"}, b""),
        True,
    ),
    "HTTP/1.0": (
        "POST",
        b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n",
        HTTPResponse(200, {"content-length": "0"}, b""),
        False,
    ),
}


def read(method: str, blocks: list[bytes]) -> tuple[HTTPResponse | None, bool]:
    """Feed ``blocks`` then the end of stream; the response and ``keep``."""
    reader = ResponseReader(method)
    for block in [*blocks, b""]:
        response = reader.feed(block)
        if response is not None:
            return response, reader.keep
    return None, reader.keep


@pytest.mark.parametrize("case", ANSWERS)
def test_reader_result_does_not_depend_on_how_bytes_arrive(case: str) -> None:
    method, raw, expected, keep = ANSWERS[case]
    whole = read(method, [raw])
    one_by_one = read(method, [raw[i : i + 1] for i in range(len(raw))])
    assert whole == one_by_one == (expected, keep)


def test_reader_refuses_and_reports_progress() -> None:
    reader = ResponseReader("POST")
    with pytest.raises(ProtocolError, match="the response head exceeds 65536 bytes"):
        reader.feed(b"HTTP/1.1 200 OK\r\nX: " + b"a" * 70000)
    reader = ResponseReader("POST")
    assert reader.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n{") is None
    assert (reader.received, reader.head_done) == (39, True)
    with pytest.raises(ClosedEarly):
        reader.feed(b"")


class FakeConnection:
    """A connection that records being closed."""

    def __init__(self, usable: bool = True) -> None:
        self.usable = usable
        self.closed = False

    def is_usable(self) -> bool:
        return self.usable

    def close(self) -> None:
        self.closed = True


def test_pool_policy() -> None:
    core = TransportCore("http", "h", 80, timeout=1, user_agent="t")
    old, dead, recent = FakeConnection(), FakeConnection(), FakeConnection()
    core._put(old, keep=True)
    core._put(dead, keep=True)
    core._put(recent, keep=True)
    dead.usable = False
    assert core._take() is recent
    assert core._take() is old and dead.closed
    assert core._take() is None
    dropped = FakeConnection()
    core._put(dropped, keep=False)
    assert dropped.closed
    core._put(old, keep=True)
    assert core._drop_idle(final=True) == [old] and old.closed
    late = FakeConnection()
    core._put(late, keep=True)
    assert late.closed
    with pytest.raises(SDKError, match="this client has been closed"):
        core._take()


def test_failure_mapping() -> None:
    core = TransportCore("https", "h", None, timeout=1, user_agent="t")
    fresh = Exchange("POST", 2.5, reused=False)
    reused = Exchange("POST", 2.5, reused=True)
    fresh.sent = reused.sent = True
    assert isinstance(core._failure(reused, ClosedEarly()), StaleConnection)
    assert isinstance(core._failure(reused, ConnectionResetError()), StaleConnection)
    timeout = core._failure(fresh, TimeoutError())
    assert isinstance(timeout, APITimeoutError)
    assert str(timeout) == "Timed out waiting for https://h (timeout 2.5 s)."
    closed = core._failure(fresh, ClosedEarly())
    assert type(closed) is APIConnectionError and closed.request_sent
    assert str(closed) == (
        "The connection to https://h closed before the response headers were "
        "complete (0 bytes received)."
    )
    reset = core._failure(fresh, ConnectionResetError(104, "Connection reset by peer"))
    assert str(reset) == "The connection to https://h failed: Connection reset by peer"
    refused = core._connect_failure(
        ConnectionRefusedError(111, "Connection refused"), fresh
    )
    assert (str(refused), refused.request_sent) == (
        "Could not connect to https://h: Connection refused",
        False,
    )
