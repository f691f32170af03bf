"""A user's httpx client as the transport of the REST clients, against real servers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from acs_sdkgen.runtime import APITimeoutError, ParameterError, ServiceUnavailableError
from acs_sdkgen.runtime.raw import async_raw_wrapper, raw_wrapper
from acs_sdkgen.runtime.rest import RestOperation, SyncRestAPIClient
from acs_sdkgen.runtime.streaming import AsyncBinaryResponse, BinaryResponse
from runtime_http_server import Reply, Server

import test_runtime_uploads as uploads
from test_runtime_uploads import DOC, PUT_FILE

from tests.support.rest_server import RestServer

GET_FILE = RestOperation("GET", "/files/a", read_only=True)
DATA = bytes(range(256)) * 600  # 150 KiB


class Files(uploads.Files):
    _accepts_http_client = True


class AsyncFiles(uploads.AsyncFiles):
    _accepts_http_client = True


class Lite(SyncRestAPIClient):
    """A client of the dependency-free flavor (``_accepts_http_client`` left False)."""


@pytest.fixture
def rest() -> Iterator[RestServer]:
    with RestServer(DOC) as srv:
        yield srv


class Through:
    """An httpx client whose transport records every request it carries: proof of the route."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.seen: list[str] = []
        if kind == "sync":
            self.client: Any = httpx.Client(
                transport=self._Sync(self.seen, httpx.HTTPTransport())
            )
        else:
            self.client = httpx.AsyncClient(
                transport=self._Async(self.seen, httpx.AsyncHTTPTransport())
            )

    class _Sync(httpx.BaseTransport):
        def __init__(self, seen: list[str], inner: httpx.HTTPTransport) -> None:
            self.seen, self.inner = seen, inner

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            self.seen.append(f"{request.method} {request.url.path}")
            return self.inner.handle_request(request)

        def close(self) -> None:
            self.inner.close()

    class _Async(httpx.AsyncBaseTransport):
        def __init__(self, seen: list[str], inner: httpx.AsyncHTTPTransport) -> None:
            self.seen, self.inner = seen, inner

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            self.seen.append(f"{request.method} {request.url.path}")
            return await self.inner.handle_async_request(request)

        async def aclose(self) -> None:
            await self.inner.aclose()

    def run(self, url: str, action: Any, **options: Any) -> Any:
        """``action(sdk_client)`` with an SDK client over this httpx client (awaited when async)."""
        if self.kind == "sync":
            with (
                self.client,
                Files(base_url=url, http_client=self.client, **options) as sdk,
            ):
                return action(sdk)

        async def main() -> Any:
            async with (
                self.client,
                AsyncFiles(base_url=url, http_client=self.client, **options) as sdk,
            ):
                result = action(sdk)
                return await result if asyncio.iscoroutine(result) else result

        return asyncio.run(main())


@pytest.fixture(params=["sync", "async"])
def through(request: pytest.FixtureRequest) -> Through:
    return Through(request.param)


def test_a_call_goes_through_the_httpx_client(
    through: Through, rest: RestServer
) -> None:
    hooks: list[str] = []
    event_hooks = {"request": [lambda info: hooks.append(info.url)]}
    result = through.run(
        rest.url,
        lambda sdk: sdk._call(PUT_FILE, {}, body=DATA),
        event_hooks=event_hooks,
    )
    assert result == (200, {"ok": True})
    assert through.seen == ["PUT /files/a"]
    assert hooks == [f"{rest.url}/files/a"]
    [seen] = rest.take()
    assert (seen.problems, seen.headers["content-length"]) == ([], str(len(DATA)))
    assert seen.sha256 == hashlib.sha256(DATA).hexdigest()


def test_streamed_uploads_go_through_the_httpx_client(
    through: Through, rest: RestServer
) -> None:
    pieces = (DATA[i : i + 7000] for i in range(0, len(DATA), 7000))

    def action(sdk: Any) -> Any:
        return sdk._call(PUT_FILE, {}, body=pieces)

    assert through.run(rest.url, action)[0] == 200
    [seen] = rest.take()
    assert seen.headers["transfer-encoding"] == "chunked"
    assert seen.sha256 == hashlib.sha256(DATA).hexdigest()


def test_retries_go_through_the_httpx_client_and_rewind_a_file(
    through: Through, rest: RestServer, tmp_path: Any
) -> None:
    path = tmp_path / "blob.bin"
    path.write_bytes(DATA)
    rest.faults = [503]
    with path.open("rb") as file:
        assert (
            through.run(
                rest.url, lambda sdk: sdk._call(PUT_FILE, {}, body=file), max_retries=1
            )[0]
            == 200
        )
    assert through.seen == ["PUT /files/a"] * 2
    assert [(r.status, r.sha256) for r in rest.take()] == [
        (503, hashlib.sha256(DATA).hexdigest()),
        (200, hashlib.sha256(DATA).hexdigest()),
    ]


def test_errors_and_raw_responses_through_the_httpx_client(
    through: Through, rest: RestServer
) -> None:
    rest.faults = [503]
    with pytest.raises(ServiceUnavailableError):
        through.run(
            rest.url, lambda sdk: sdk._call(PUT_FILE, {}, body=b"x"), max_retries=0
        )
    rest.take()
    wrapper = raw_wrapper if through.kind == "sync" else async_raw_wrapper

    def action(sdk: Any) -> Any:
        return wrapper(lambda: sdk._call(PUT_FILE, {}, body=b"x"))()

    raw = Through(through.kind).run(rest.url, action)
    assert (raw.status, raw.json()) == (200, {"ok": True})


def test_a_binary_answer_streams_through_the_httpx_client(
    through: Through, rest: RestServer
) -> None:
    if through.kind == "sync":

        def action(sdk: Any) -> Any:
            with BinaryResponse(sdk._call(GET_FILE, {}, stream=True)) as answer:
                return answer.status, answer.read()

    else:

        async def action(sdk: Any) -> Any:  # type: ignore[misc]
            async with AsyncBinaryResponse(
                await sdk._call(GET_FILE, {}, stream=True)
            ) as answer:
                return answer.status, await answer.read()

    assert through.run(rest.url, action) == (200, b"\x00\x01binary\xff")
    assert through.seen == ["GET /files/a"]


def test_the_call_timeout_applies_through_the_httpx_client(
    through: Through, server: Server
) -> None:
    server.handler = lambda request: Reply(delay=2.0)
    with pytest.raises(APITimeoutError) as info:
        through.run(
            f"http://{server.endpoint}",
            lambda sdk: sdk._call(GET_FILE, {}),
            timeout=0.2,
            max_retries=0,
        )
    assert (info.value.phase, info.value.request_sent) == ("read", True)


def test_the_dependency_free_flavor_refuses_an_http_client() -> None:
    with httpx.Client() as client, pytest.raises(ParameterError) as info:
        Lite(base_url="http://127.0.0.1:9", http_client=client)
    assert str(info.value) == (
        "Lite of this SDK is dependency-free: it sends through its own transport and takes no "
        "http_client= (the pydantic and typeddict flavors do)"
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"http_client": "not a client"},
            "http_client must be an httpx.Client, got str",
        ),
        (
            {"http_client": httpx.AsyncClient()},
            "http_client must be an httpx.Client, got AsyncClient",
        ),
        (
            {"http_client": httpx.Client(), "proxy": "http://127.0.0.1:9"},
            "with http_client=, set the proxy and TLS (proxy=, verify=, cert=) on the httpx client itself",
        ),
        (
            {"http_client": httpx.Client(), "verify": False},
            "with http_client=, set the proxy and TLS (proxy=, verify=, cert=) on the httpx client itself",
        ),
    ],
)
def test_a_wrong_http_client_is_refused(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ParameterError) as info:
        Files(base_url="http://127.0.0.1:9", **options)
    assert str(info.value) == message


def test_closing_the_sdk_client_leaves_the_httpx_client_open(rest: RestServer) -> None:
    with httpx.Client() as client:
        with Files(base_url=rest.url, http_client=client) as sdk:
            sdk._call(PUT_FILE, {}, body=b"x")
        assert not client.is_closed
        answer = client.put(
            f"{rest.url}/files/a",
            content=b"y",
            headers={"content-type": "application/octet-stream"},
        )
        assert answer.status_code == 200
