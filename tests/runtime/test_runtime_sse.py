"""The incremental readers of runtime/sse.py: server-sent events as the HTML standard parses them, and
an HTTP body handed out as it arrives, whatever the split of the bytes."""

from __future__ import annotations

import pytest

from acs_sdkgen.runtime.http11 import ClosedEarly, ProtocolError
from acs_sdkgen.runtime.sse import BodyReader, EventDecoder, ServerSentEvent

STREAM = (
    b": comment\r\n"
    b"retry: 2500\r\n"
    b"id: 7\r\n"
    b"event: delta\r\n"
    b"data: first line\r\n"
    b"data:second line\r\n"
    b"data\r\n"
    b"\r\n"
    b"id: bad\0id\n"
    b"retry: soon\n"
    b"data: {\"a\": 1}\n"
    b"\n"
    b"event: no-data\n"
    b"\n"
    b"data: cr\rdata: line\r\r"
    b"data: unfinished"
)
EXPECTED = [
    ServerSentEvent("delta", "first line\nsecond line\n", "7", 2500),
    ServerSentEvent("message", '{"a": 1}', "7", 2500),
    ServerSentEvent("message", "cr\nline", "7", 2500),
]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, len(STREAM)])
def test_events_whatever_the_split(size: int) -> None:
    decoder = EventDecoder()
    events = []
    for start in range(0, len(STREAM), size):
        events += decoder.feed(STREAM[start : start + size])
    events += decoder.flush()
    assert events == EXPECTED
    assert (decoder.last_event_id, decoder.retry) == ("7", 2500)
    assert events[1].json() == {"a": 1}


def test_reset_drops_a_half_event_but_keeps_the_last_dispatched_id() -> None:
    decoder = EventDecoder()
    assert decoder.feed(b"id: 1\ndata: a\n\nid: 2\ndata: b") == [ServerSentEvent("message", "a", "1")]
    decoder.reset()
    assert decoder.last_event_id == "1"
    assert decoder.feed(b"\ndata: c\n\n") == [ServerSentEvent("message", "c", "1")]


HEAD = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
CHUNKED = HEAD + b"5;x=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: t\r\n\r\n"


@pytest.mark.parametrize("size", [1, 2, 5, 9, len(CHUNKED)])
def test_chunked_body_bytes_come_out_as_they_arrive(size: int) -> None:
    reader = BodyReader("GET")
    out = b""
    for start in range(0, len(CHUNKED), size):
        out += reader.feed(CHUNKED[start : start + size])
        if reader.head_done:
            assert reader.status == 200
    assert out == b"hello world" and reader.done


def test_a_body_until_close_and_one_with_a_length() -> None:
    reader = BodyReader("GET")
    assert reader.feed(b"HTTP/1.1 200 OK\r\n\r\nab") == b"ab"
    assert reader.feed(b"cd") == b"cd" and not reader.done
    assert reader.feed(b"") == b"" and reader.done
    sized = BodyReader("GET")
    assert sized.feed(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nxy") == b"xy"
    assert sized.feed(b"z") == b"z" and sized.done


def test_a_cut_body_or_bad_framing_raises() -> None:
    cut = BodyReader("GET")
    cut.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab")
    with pytest.raises(ClosedEarly):
        cut.feed(b"")
    bad = BodyReader("GET")
    with pytest.raises(ProtocolError):
        bad.feed(HEAD + b"3\r\nabcXY\r\n")
