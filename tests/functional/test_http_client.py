"""A user's httpx client (`http_client=`) under every flavor that allows it, against the signing fake gateway.

The httpx client's own event hook records each request it carries: proof that the call went through
it, while the gateway verifies every signature. The dependency-free flavor refuses the argument and
never imports httpx.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import httpx
import pytest

from tests.support.acs_server import delayed_response, error_response

from .flavors import KINDS, load_flavor
from .test_client import CREATE_ARGS, INSTANCE_ID, Caller, _caller
from .test_raw_and_options import use


class Recorder:
    """An httpx client of the caller's kind whose event hook records every request it sends."""

    def __init__(self, kind: str) -> None:
        self.seen: list[str] = []
        if kind == "sync":
            self.client: Any = httpx.Client(event_hooks={"request": [self._record]})
        else:
            self.client = httpx.AsyncClient(event_hooks={"request": [self._arecord]})

    def _record(self, request: httpx.Request) -> None:
        self.seen.append(request.headers["x-acs-action"] if "x-acs-action" in request.headers else request.url.params["Action"])

    async def _arecord(self, request: httpx.Request) -> None:
        self._record(request)


@pytest.fixture(params=["v3", "v1"])
def signature_version(request) -> str:
    """Both signature schemes."""
    return request.param


@pytest.fixture(params=KINDS)
def kind(request) -> str:
    """The sync and the async client."""
    return request.param


@pytest.fixture(params=["pydantic", "typeddict"])
def through(request, acs_server, kind, signature_version) -> tuple[Caller, Recorder]:
    """A caller whose clients send through a recording httpx client (the flavors that allow one)."""
    recorder = Recorder(kind)
    caller = _caller(acs_server, load_flavor(request.param), kind, signature_version, "ak").configured(http_client=recorder.client)
    return caller, recorder


def test_calls_go_through_the_httpx_client_and_are_signed(through, acs_server):
    caller, recorder = through
    hooked: list[str] = []
    caller = caller.configured(event_hooks={"request": [lambda info: hooked.append(info.method)]})
    result = caller("create_instance", **CREATE_ARGS)
    assert caller.read(result, "instance.instance_name") == CREATE_ARGS["instance_name"]
    assert recorder.seen == ["CreateInstance"]
    assert hooked == ["POST"]
    record = acs_server.last_request
    assert record.verified, record.error_message
    assert record.signature_version == caller.options["signature_version"]


def test_retries_go_through_the_httpx_client(through, acs_server):
    caller, recorder = through
    acs_server.script(error_response("InternalError"), times=2)
    result = caller.configured(max_retries=2)("describe_instance", instance_id=INSTANCE_ID)
    assert caller.read(result, "success") is True
    assert recorder.seen == ["DescribeInstance"] * 3
    assert [r.status for r in acs_server.requests] == [500, 500, 200]
    assert all(r.verified for r in acs_server.requests)


def test_the_timeout_applies_through_the_httpx_client(through, acs_server):
    caller, _ = through
    acs_server.script(delayed_response(1.0))
    with pytest.raises(caller.errors.APITimeoutError):
        caller.configured(timeout=0.2)("describe_instance", instance_id=INSTANCE_ID)


def test_raw_responses_through_the_httpx_client(through, acs_server):
    caller, recorder = through
    raw = use(caller, lambda c: c.with_raw_response.describe_instance(instance_id=INSTANCE_ID))
    assert raw.status == 200
    assert raw.request_id == acs_server.last_request.request_id
    assert caller.read(raw.parse(), "success") is True
    assert recorder.seen == ["DescribeInstance"]


def test_the_dependency_free_flavor_refuses_an_http_client(acs_server, kind):
    flavor = load_flavor("dataclasses")
    caller = _caller(acs_server, flavor, kind, "v3", "ak")
    with httpx.Client() as client, pytest.raises(flavor.errors.ParameterError) as info:
        flavor.client_class(kind)(**caller.options, http_client=client)
    assert "dependency-free" in str(info.value)
    assert "http_client=" in str(info.value)
    assert acs_server.request_count == 0


@pytest.mark.parametrize("module", ["outboundbot", "outboundbot_lite", "outboundbot_dicts"])
def test_httpx_is_imported_only_when_a_client_is_passed(module, acs_server):
    code = (
        f"import sys, {module} as sdk\n"
        f"with sdk.Client(endpoint={acs_server.endpoint!r}, protocol='http', access_key_id='testid',"
        " access_key_secret='testsecret') as client:\n"
        f"    client.describe_instance(instance_id={INSTANCE_ID!r})\n"
        "assert 'httpx' not in sys.modules, 'httpx was imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert acs_server.last_request.verified
