"""Raw responses and per-client options of every flavor and client kind, against the signing fake gateway."""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Callable

import pytest

from tests.support.acs_server import delayed_response, error_response, json_response

from .test_client import CREATE_ARGS, INSTANCE_ID, Caller, _caller


@pytest.fixture
def call_v3(acs_server, flavor, kind) -> Caller:
    """Each flavor's sync and async clients signing V3 with a plain AccessKey."""
    return _caller(acs_server, flavor, kind, "v3", "ak")


def use(caller: Caller, action: Callable[[object], object]) -> object:
    """Run ``action(client)`` on a fresh client of the caller's kind (awaited for async)."""
    client_class = caller.flavor.client_class(caller.kind)
    if caller.kind == "sync":
        with client_class(**caller.options) as client:
            return action(client)

    async def run() -> object:
        async with client_class(**caller.options) as client:
            result = action(client)
            return await result if inspect.isawaitable(result) else result

    return asyncio.run(run())


def test_raw_response_has_status_headers_bytes_and_parses(call_v3, acs_server):
    raw = use(call_v3, lambda c: c.with_raw_response.create_instance(**CREATE_ARGS))
    assert type(raw).__name__ == "RawResponse"
    assert raw.status == 200
    assert raw.headers["content-type"].startswith("application/json")
    body = json.loads(raw.content)
    assert raw.json() == body
    assert raw.request_id == acs_server.last_request.request_id == body["RequestId"]
    parsed = raw.parse()
    assert call_v3.read(parsed, "instance.instance_id") == body["Instance"]["InstanceId"]
    assert call_v3.read(parsed, "instance.instance_name") == CREATE_ARGS["instance_name"]


def test_raw_response_keeps_a_body_that_does_not_fit_its_model(call_v3, acs_server):
    """The raw body is kept as sent; `parse()` raises where the flavor validates types (pydantic, and not as
    an API error) and hands the value on as sent where it does not (dataclasses, TypedDicts)."""
    acs_server.script(
        json_response({"Success": True, "Instance": {"MaxConcurrentConversation": "many"}})
    )
    raw = use(call_v3, lambda c: c.with_raw_response.describe_instance(instance_id=INSTANCE_ID))
    assert raw.status == 200
    assert raw.json()["Instance"]["MaxConcurrentConversation"] == "many"
    if call_v3.flavor.name == "pydantic":
        with pytest.raises(Exception) as caught:
            raw.parse()
        assert not isinstance(caught.value, call_v3.errors.APIError)
    else:
        assert call_v3.read(raw.parse(), "instance.max_concurrent_conversation") == "many"


def test_raw_response_of_an_error_raises_the_documented_error(call_v3, acs_server):
    acs_server.script(error_response("InvalidInstanceName.Duplicated"))
    with pytest.raises(call_v3.errors.InvalidInstanceNameDuplicatedError):
        use(call_v3, lambda c: c.with_raw_response.create_instance(**CREATE_ARGS))


def test_with_options_headers_arrive_signed_and_the_pool_is_shared(call_v3, acs_server):
    seen: dict[str, object] = {}

    def action(client):
        configured = client.with_options(headers={"x-test-trace": "t-1"}, timeout=3.0)
        seen["shared"] = configured._transport is client._transport
        seen["type"] = type(configured) is type(client)
        return configured.describe_instance(instance_id=INSTANCE_ID)

    result = use(call_v3, action)
    assert call_v3.read(result, "success") is True
    record = acs_server.last_request
    assert record.verified, record.error_message
    assert record.header("x-test-trace") == "t-1"
    assert "x-test-trace" in record.signed_headers
    assert seen == {"shared": True, "type": True}


def test_with_options_leaves_the_original_client_unchanged(call_v3, acs_server):
    def action(client):
        client.with_options(headers={"x-test-trace": "t-2"}, max_retries=3)
        return client.describe_instance(instance_id=INSTANCE_ID)

    use(call_v3, action)
    assert acs_server.last_request.header("x-test-trace") is None


def test_with_options_max_retries_applies(call_v3, acs_server):
    acs_server.script(error_response("InternalError"), times=2)
    result = use(
        call_v3,
        lambda c: c.with_options(max_retries=2).describe_instance(instance_id=INSTANCE_ID),
    )
    assert call_v3.read(result, "success") is True
    assert [r.status for r in acs_server.requests] == [500, 500, 200]


def test_with_options_timeout_applies(call_v3, acs_server):
    acs_server.script(delayed_response(0.2))
    with pytest.raises(call_v3.errors.APITimeoutError):
        use(
            call_v3,
            lambda c: c.with_options(timeout=0.02).describe_instance(instance_id=INSTANCE_ID),
        )


def test_with_options_refuses_headers_the_client_sets(call_v3):
    with pytest.raises(call_v3.errors.ParameterError, match="Authorization"):
        use(call_v3, lambda c: c.with_options(headers={"Authorization": "x"}))
