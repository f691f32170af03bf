"""Request and response hooks: called on every attempt, sync and async, never shown a secret."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from runtime_http_server import Reply, Request, Server, json_reply

from acs_sdkgen.runtime import (
    AsyncAPIClient,
    Operation,
    Param,
    ParameterError,
    RequestInfo,
    ResponseInfo,
    SyncAPIClient,
)
from acs_sdkgen.runtime.rest import AsyncRestAPIClient, RestOperation, SyncRestAPIClient

KEY_ID = "LTAI5tHookKeyId"
SECRET = "hook-secret-never-shown"
TOKEN = "hook-sts-token-never-shown"
API_KEY = "rest-api-key-never-shown"
DESCRIBE = Operation(
    "DescribeInstance",
    "2019-12-26",
    (Param("InstanceId", "instance_id", "string", True),),
    read_only=True,
)
GET_PET = RestOperation(
    "GET",
    "/pets/{petId}",
    (Param("petId", "pet_id", "string", True),),
    ("path",),
    read_only=True,
)


class NoSleep:
    """Retries without waiting."""

    def _sleep(self, seconds: float) -> None:
        """Do not wait."""


class AsyncNoSleep:
    """Retries without waiting, async."""

    async def _sleep(self, seconds: float) -> None:
        """Do not wait."""


class Rpc(NoSleep, SyncAPIClient):
    _default_region = "cn-shanghai"


class AsyncRpc(AsyncNoSleep, AsyncAPIClient):
    _default_region = "cn-shanghai"


class Pets(NoSleep, SyncRestAPIClient):
    _security = (("apiKey", "query", "api_key"),)


class AsyncPets(AsyncNoSleep, AsyncRestAPIClient):
    _security = (("apiKey", "query", "api_key"),)


def fail_first(server: Server, count: int) -> None:
    """Answer 500 to the first ``count`` requests, then 200."""
    lock = threading.Lock()
    left = [count]

    def handler(request: Request) -> Reply:
        with lock:
            left[0] -= 1
            if left[0] >= 0:
                return json_reply(500, Code="InternalError", Message="try again")
        return json_reply(RequestId="req-ok", Success=True, id="p1")

    server.handler = handler


def call(
    kind: str, style: str, server: Server, **options: Any
) -> tuple[Any, list[Any]]:
    """One call (retried up to twice) on a client with recording hooks; also what they saw."""
    seen: list[Any] = []

    def on_request(info: RequestInfo) -> None:
        seen.append(info)

    async def on_response(info: ResponseInfo) -> None:
        seen.append(info)

    def record(info: ResponseInfo) -> None:
        seen.append(info)

    hooks = {
        "request": [on_request],
        "response": [on_response if kind == "async" else record],
    }
    if style == "rpc":
        config: dict[str, Any] = {
            "endpoint": server.endpoint,
            "protocol": "http",
            "access_key_id": KEY_ID,
            "access_key_secret": SECRET,
            "security_token": TOKEN,
        }
        classes, op, values = (Rpc, AsyncRpc), DESCRIBE, {"InstanceId": "i-1"}
    else:
        config = {"base_url": f"http://{server.endpoint}/v1", "api_key": API_KEY}
        classes, op, values = (Pets, AsyncPets), GET_PET, {"petId": "p1"}
    config.update({"max_retries": 2, "event_hooks": hooks, **options})
    if kind == "sync":
        with classes[0](**config) as client:
            return client._call(op, values), seen

    async def main() -> Any:
        async with classes[1](**config) as client:
            return await client._call(op, values)

    return asyncio.run(main()), seen


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("signature_version", ["v3", "v1"])
def test_rpc_hooks_see_every_attempt_and_no_secret(
    kind: str, signature_version: str, server: Server
) -> None:
    fail_first(server, 2)
    result, seen = call(kind, "rpc", server, signature_version=signature_version)
    assert result["Success"] is True
    assert [type(x).__name__ for x in seen] == ["RequestInfo", "ResponseInfo"] * 3
    assert [x.status for x in seen[1::2]] == [500, 500, 200]
    requests = seen[0::2]
    assert [r.method for r in requests] == ["POST"] * 3
    assert all(r.url.startswith(f"http://{server.endpoint}/?") for r in requests)
    assert [x.request for x in seen[1::2]] == requests
    nonces = set()
    for info, sent in zip(requests, server.requests):
        assert SECRET not in repr(info) and TOKEN not in repr(info)
        if signature_version == "v3":
            assert info.headers["authorization"] == "***"
            assert info.headers["x-acs-security-token"] == "***"
            nonces.add(info.headers["x-acs-signature-nonce"])
            assert sent.headers["authorization"].startswith(
                "ACS3-HMAC-SHA256 Credential="
            )
        else:
            assert "&Signature=***" in info.url and "&SecurityToken=***" in info.url
            assert f"AccessKeyId={KEY_ID}" in info.url
            assert ("Signature", "***") not in sent.query
            nonces.add(dict(sent.query)["SignatureNonce"])
    assert len(nonces) == 3  # each attempt is seen as signed afresh


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_rest_hooks_never_see_an_api_key_in_the_query(
    kind: str, server: Server
) -> None:
    fail_first(server, 1)
    (status, _), seen = call(kind, "rest", server)
    assert status == 200
    assert [x.url for x in seen[0::2]] == [
        f"http://{server.endpoint}/v1/pets/p1?api_key=***"
    ] * 2
    assert [dict(r.query) for r in server.requests] == [{"api_key": API_KEY}] * 2
    assert all(API_KEY not in repr(x) for x in seen)


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_failing_hook_stops_the_call(kind: str, server: Server) -> None:
    def refuse(info: RequestInfo) -> None:
        raise RuntimeError("no")

    with pytest.raises(RuntimeError, match="no"):
        call(kind, "rpc", server, event_hooks={"request": [refuse]})
    assert server.requests == []


@pytest.mark.parametrize(
    ("hooks", "message"),
    [
        (
            {"reqest": []},
            "event_hooks keys must be 'request' or 'response', got 'reqest'",
        ),
        ({"request": print}, r"event_hooks\['request'\] must be a list of callables"),
        ({"response": ["x"]}, r"event_hooks\['response'\] must be a list of callables"),
    ],
)
def test_bad_hooks_are_refused(hooks: dict[str, Any], message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        Rpc(
            endpoint="127.0.0.1:9",
            access_key_id=KEY_ID,
            access_key_secret=SECRET,
            event_hooks=hooks,
        )
