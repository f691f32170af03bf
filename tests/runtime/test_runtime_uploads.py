"""Streamed uploads: binary files and iterables of bytes sent in pieces to a real server that counts them."""

from __future__ import annotations

import asyncio
import hashlib
import io
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from acs_sdkgen.runtime import ParameterError, SDKError, ServiceUnavailableError
from acs_sdkgen.runtime.credentials import Credentials
from acs_sdkgen.runtime.rest import AsyncRestAPIClient, RestOperation, SyncRestAPIClient
from acs_sdkgen.runtime.signing import sign_v3_query
from acs_sdkgen.runtime.transport import _RECV_BYTES
from acs_sdkgen.runtime.uploads import PIECE_BYTES, Upload

from tests.support.rest_server import RestServer

_NAME = {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}
_BINARY = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
DOC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "files", "version": "1"},
    "paths": {
        "/files/{name}": {
            "put": {
                "operationId": "putFile",
                "parameters": [_NAME],
                "requestBody": {"required": True, "content": _BINARY},
                "responses": {
                    "200": {
                        "description": "stored",
                        "content": {"application/json": {"example": {"ok": True}}},
                    }
                },
            },
            "get": {
                "operationId": "getFile",
                "parameters": [_NAME],
                "responses": {"200": {"description": "the file", "content": _BINARY}},
            },
        }
    },
}
PUT_FILE = RestOperation("PUT", "/files/a", body="binary", read_only=True)
# Larger than the transport's receive buffer and than one piece, and not a multiple of either.
SIZE = 3 * max(_RECV_BYTES, PIECE_BYTES) + 12345


class Files(SyncRestAPIClient):
    def _sleep(self, seconds: float) -> None:
        """No waiting between attempts."""


class AsyncFiles(AsyncRestAPIClient):
    async def _sleep(self, seconds: float) -> None:
        """No waiting between attempts."""


@pytest.fixture
def server() -> Iterator[RestServer]:
    with RestServer(DOC) as srv:
        yield srv


@pytest.fixture(params=["sync", "async"])
def put(request: pytest.FixtureRequest, server: RestServer) -> Any:
    """``put(body, **options)``: the binary body sent with the sync or the async client; its answer."""
    if request.param == "sync":

        def call(body: object, **options: Any) -> Any:
            with Files(base_url=server.url, **options) as client:
                return client._call(PUT_FILE, {}, body=body)

        return call

    def acall(body: object, **options: Any) -> Any:
        async def main() -> Any:
            async with AsyncFiles(base_url=server.url, **options) as client:
                return await client._call(PUT_FILE, {}, body=body)

        return asyncio.run(main())

    return acall


def _data(size: int = SIZE) -> bytes:
    return bytes(i * 7 % 251 for i in range(size))


def _pieces(data: bytes, step: int = 10_000) -> Iterator[bytes]:
    for start in range(0, len(data), step):
        yield data[start : start + step]


def test_a_file_goes_with_its_length_and_arrives_whole(
    put: Any, server: RestServer, tmp_path: Path
) -> None:
    data = _data()
    path = tmp_path / "blob.bin"
    path.write_bytes(data)
    with path.open("rb") as file:
        assert put(file) == (200, {"ok": True})
    [seen] = server.take()
    assert seen.problems == []
    assert seen.headers["content-length"] == str(SIZE)
    assert "transfer-encoding" not in seen.headers
    assert seen.headers["content-type"] == "application/octet-stream"
    assert (seen.size, seen.sha256) == (SIZE, hashlib.sha256(data).hexdigest())


def test_a_seekable_file_object_is_sent_from_where_it_stands(
    put: Any, server: RestServer
) -> None:
    data = _data()
    buffer = io.BytesIO(data)
    buffer.seek(1000)
    assert put(buffer)[0] == 200
    [seen] = server.take()
    assert seen.headers["content-length"] == str(SIZE - 1000)
    assert seen.sha256 == hashlib.sha256(data[1000:]).hexdigest()


def test_an_iterable_goes_chunked_and_arrives_whole(
    put: Any, server: RestServer
) -> None:
    data = _data()
    assert put(_pieces(data))[0] == 200
    [seen] = server.take()
    assert seen.problems == []
    assert seen.headers["transfer-encoding"] == "chunked"
    assert "content-length" not in seen.headers
    assert (seen.size, seen.sha256) == (SIZE, hashlib.sha256(data).hexdigest())


def test_a_pipe_has_no_known_length_and_goes_chunked(
    put: Any, server: RestServer
) -> None:
    import os
    import threading

    data = _data()
    read_end, write_end = os.pipe()

    def feed() -> None:
        with open(write_end, "wb") as out:
            out.write(data)

    writer = threading.Thread(target=feed)
    writer.start()
    with open(read_end, "rb") as file:
        assert put(file)[0] == 200
    writer.join(10)
    [seen] = server.take()
    assert seen.headers["transfer-encoding"] == "chunked"
    assert seen.sha256 == hashlib.sha256(data).hexdigest()


def test_the_async_client_takes_an_async_iterable(server: RestServer) -> None:
    data = _data()

    async def pieces() -> AsyncIterator[bytes]:
        for piece in _pieces(data):
            await asyncio.sleep(0)
            yield piece

    async def main() -> Any:
        async with AsyncFiles(base_url=server.url) as client:
            return await client._call(PUT_FILE, {}, body=pieces())

    assert asyncio.run(main())[0] == 200
    [seen] = server.take()
    assert seen.headers["transfer-encoding"] == "chunked"
    assert seen.sha256 == hashlib.sha256(data).hexdigest()


def test_the_sync_client_refuses_an_async_iterable_before_sending(
    server: RestServer,
) -> None:
    async def pieces() -> AsyncIterator[bytes]:
        yield b"x"

    source = pieces()
    with Files(base_url=server.url) as client, pytest.raises(ParameterError) as info:
        client._call(PUT_FILE, {}, body=source)
    assert str(info.value) == (
        "an async iterable body needs the AsyncClient; pass bytes, a binary file or an iterable of bytes"
    )
    assert server.take() == []
    asyncio.run(source.aclose())


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            io.StringIO("text"),
            "a file body must be opened in binary mode ('rb'), got a text file",
        ),
        (
            "text",
            "body must be bytes, a file opened in binary mode or an iterable of bytes, got str",
        ),
        (
            42,
            "body must be bytes, a file opened in binary mode or an iterable of bytes, got int",
        ),
    ],
)
def test_bodies_that_are_not_bytes_are_refused_before_sending(
    put: Any, server: RestServer, body: object, message: str
) -> None:
    with pytest.raises(ParameterError) as info:
        put(body)
    assert str(info.value) == message
    assert server.take() == []


def test_an_iterable_yielding_text_fails_clearly(put: Any, server: RestServer) -> None:
    with pytest.raises(ParameterError) as info:
        put(iter([b"bytes first", "then text"]))
    assert str(info.value) == "a streamed body must yield bytes, got str"


def test_a_seekable_file_is_rewound_and_sent_again_on_retry(
    put: Any, server: RestServer, tmp_path: Path
) -> None:
    data = _data()
    path = tmp_path / "blob.bin"
    path.write_bytes(data)
    server.faults = [503, 503]
    with path.open("rb") as file:
        assert put(file, max_retries=2)[0] == 200
    seen = server.take()
    assert [r.status for r in seen] == [503, 503, 200]
    assert {(r.size, r.sha256) for r in seen} == {
        (SIZE, hashlib.sha256(data).hexdigest())
    }


def test_a_one_shot_iterable_is_not_retried(put: Any, server: RestServer) -> None:
    data = _data()
    server.faults = [503]
    with pytest.raises(ServiceUnavailableError):
        put(_pieces(data), max_retries=2)
    [seen] = server.take()
    assert (seen.status, seen.size) == (503, SIZE)


def test_an_iterable_can_be_sent_again_only_while_unread() -> None:
    """A connection refused before anything was sent leaves the iterable unread: a retry may send it."""
    upload = Upload(iter([b"abc"]))
    assert upload.rewind() is True
    assert b"".join(upload.pieces()) == b"abc"
    assert upload.rewind() is False


def test_hooks_see_a_streamed_body_as_empty_and_do_not_read_it(
    put: Any, server: RestServer
) -> None:
    data = _data()
    seen_bodies: list[bytes] = []
    hooks = {"request": [lambda info: seen_bodies.append(info.body)]}
    assert put(_pieces(data), event_hooks=hooks)[0] == 200
    assert seen_bodies == [b""]
    [seen] = server.take()
    assert seen.sha256 == hashlib.sha256(data).hexdigest()


def test_a_file_that_shrinks_while_sent_fails_instead_of_hanging(
    put: Any, server: RestServer, tmp_path: Path
) -> None:
    path = tmp_path / "blob.bin"
    path.write_bytes(_data())
    with path.open("rb") as file:
        upload = Upload(file)
        path.write_bytes(b"short")
        with pytest.raises(SDKError) as info:
            put(upload)
    assert (
        str(info.value)
        == f"the file body ended {SIZE - 5} bytes before the {SIZE} its size announced"
    )


def test_signature_v3_refuses_a_streamed_body() -> None:
    with pytest.raises(ParameterError) as info:
        sign_v3_query(
            credentials=Credentials("fake-id", "fake-secret"),
            method="POST",
            host="example.test",
            query="",
            headers={},
            body=Upload(iter([b"x"])),  # type: ignore[arg-type]
            action="A",
            version="1",
            date="2026-01-01T00:00:00Z",
            nonce="n",
        )
    assert "a streamed body cannot be signed" in str(info.value)


def test_fifty_megabytes_from_a_generator_in_bounded_memory(
    put: Any, server: RestServer
) -> None:
    total = 50 * 1024 * 1024

    def pieces() -> Iterator[bytes]:
        for _ in range(total // PIECE_BYTES):
            yield b"z" * PIECE_BYTES

    tracemalloc.start()
    try:
        assert put(pieces())[0] == 200
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    [seen] = server.take()
    assert seen.size == total
    assert seen.sha256 == hashlib.sha256(b"z" * total).hexdigest()
    # The server in this process keeps at most 1 MiB of a body; the client a few pieces.
    assert peak < 4 * 1024 * 1024, peak
