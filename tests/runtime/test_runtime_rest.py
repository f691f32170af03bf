"""The REST client bases on the shared call machinery: request shape, retries, lifecycle."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest
from acs_sdkgen.runtime import Param, ParameterError, SDKError, ServiceUnavailableError
from acs_sdkgen.runtime.rest import AsyncRestAPIClient, RestOperation, SyncRestAPIClient
from runtime_http_server import Reply, Request, Server, json_reply

GET_PET = RestOperation(
    "GET",
    "/pets/{petId}",
    (
        Param("petId", "pet_id", "string", True),
        Param("verbose", "verbose", "boolean", False),
        Param("X-Trace", "x_trace", "string", False),
    ),
    ("path", "query", "header"),
    read_only=True,
)
ADD_PET = RestOperation("POST", "/pets", body="json")


class Pets(SyncRestAPIClient):
    _base_url = "http://127.0.0.1:9/v1"
    _user_agent = "pets/1.0"
    _security = (("apiKey", "header", "X-Api-Key"),)

    def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


class AsyncPets(AsyncRestAPIClient):
    _user_agent = "pets/1.0"

    async def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


def script(server: Server, *replies: Reply) -> None:
    queue = list(replies)
    lock = threading.Lock()

    def handler(request: Request) -> Reply:
        with lock:
            return queue.pop(0) if queue else json_reply(id="p 1", ok=True)

    server.handler = handler


def test_sync_request_shape_and_retry(server: Server) -> None:
    script(server, Reply(status=503, body=b"", headers={"Retry-After": "1"}))
    client = Pets(base_url=f"http://{server.endpoint}/v1", api_key="k")
    client.sleeps = []
    status, data = client._call(
        GET_PET,
        {"petId": "a/b c", "verbose": True, "X-Trace": "t"},
        extra_headers={"X-Extra": "e"},
    )
    assert (status, data) == (200, {"id": "p 1", "ok": True})
    assert client.sleeps == [1.0]
    first, second = server.requests
    assert second.target == "/v1/pets/a%2Fb%20c?verbose=true"
    assert second.headers["x-trace"] == "t" and second.headers["x-extra"] == "e"
    assert second.headers["x-api-key"] == "k"
    assert second.headers["user-agent"] == "pets/1.0"
    assert first.target == second.target
    with pytest.raises(ParameterError):
        client._call(GET_PET, {"petId": "x"}, extra_headers={"Content-Length": "1"})
    script(server, Reply(status=503, body=b""))
    with pytest.raises(SDKError) as info:
        client._call(ADD_PET, {}, body={"name": "rex"}, max_retries=3)
    assert getattr(info.value, "status_code", None) == 503
    assert json.loads(server.requests[-1].body) == {"name": "rex"}
    assert len(server.requests) == 3  # a POST is not retried after a 5xx
    client.close()
    with pytest.raises(SDKError, match="closed"):
        client._call(GET_PET, {"petId": "x"})


def test_an_anonymous_operation_sends_no_credentials(server: Server) -> None:
    """`security: []` on an operation: the client's API key stays home for that call, not for the others."""
    script(server)
    inventory = RestOperation("GET", "/store/inventory", read_only=True, anonymous=True)
    with Pets(base_url=f"http://{server.endpoint}/v1", api_key="k") as client:
        client.sleeps = []
        client._call(inventory, {})
        client._call(GET_PET, {"petId": "p"})
    anonymous, authenticated = server.requests
    assert "x-api-key" not in anonymous.headers
    assert authenticated.headers["x-api-key"] == "k"


def test_async_retry_and_lifecycle(server: Server) -> None:
    script(server, json_reply(503, Code="ServiceUnavailable", Message="busy"))

    async def main() -> None:
        async with AsyncPets(base_url=f"http://{server.endpoint}") as client:
            client.sleeps = []  # type: ignore[attr-defined]
            status, _ = await client._call(GET_PET, {"petId": "1"})
            assert status == 200 and len(client.sleeps) == 1  # type: ignore[attr-defined]
            script(server, *[json_reply(503, Code="ServiceUnavailable")] * 3)
            with pytest.raises(ServiceUnavailableError):
                await client._call(GET_PET, {"petId": "1"}, max_retries=1)
        other = AsyncPets(base_url=f"http://{server.endpoint}")
        await other.close()
        with pytest.raises(SDKError, match="closed"):
            await other._call(GET_PET, {"petId": "1"})

    asyncio.run(main())
    assert len(server.requests) == 4
