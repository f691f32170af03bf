"""Proxies and hooks through every generated flavor's sync and async client, against the fake gateway."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.acs_server import SEED_INSTANCE, AcsServer, error_response
from tests.support.forward_proxy import ForwardProxy

from .flavors import Flavor

KEY_ID, SECRET, TOKEN = "stsid", "stssecret", "ststoken"


@pytest.fixture
def proxy() -> Iterator[ForwardProxy]:
    """A forward proxy on 127.0.0.1 demanding Basic credentials."""
    with ForwardProxy(credentials=("proxy-user", "proxy-pass")) as running:
        yield running


def describe(flavor: Flavor, kind: str, server: AcsServer, **options: Any) -> object:
    """One DescribeInstance call on a fresh client of ``flavor`` and ``kind``."""
    client_class = flavor.client_class(kind)
    config = {
        "endpoint": server.endpoint,
        "protocol": "http",
        "access_key_id": KEY_ID,
        "access_key_secret": SECRET,
        "security_token": TOKEN,
        "max_retries": 0,
        **options,
    }
    instance_id = SEED_INSTANCE["InstanceId"]
    if kind == "sync":
        with client_class(**config) as client:
            return client.describe_instance(instance_id=instance_id)

    async def main() -> object:
        async with client_class(**config) as client:
            return await client.describe_instance(instance_id=instance_id)

    return asyncio.run(main())


@pytest.mark.parametrize("source", ["argument", "environment"])
def test_calls_go_through_a_proxy_with_credentials(
    flavor: Flavor,
    kind: str,
    acs_server: AcsServer,
    proxy: ForwardProxy,
    source: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = proxy.url("proxy-user", "proxy-pass")
    options: dict[str, Any] = {"proxy": url}
    if source == "environment":
        monkeypatch.setenv("HTTP_PROXY", url)
        options = {}
    result = describe(flavor, kind, acs_server, **options)
    assert flavor.read(result, "success") is True
    assert [r.target.split("?")[0] for r in proxy.forwarded] == [acs_server.url]
    record = acs_server.last_request
    assert record.verified, record.error_message
    assert record.header("proxy-authorization") is None


def test_a_wrong_proxy_password_is_a_connection_error(
    flavor: Flavor, kind: str, acs_server: AcsServer, proxy: ForwardProxy
) -> None:
    with pytest.raises(flavor.errors.APIConnectionError) as info:
        describe(flavor, kind, acs_server, proxy=proxy.url("proxy-user", "guess"))
    assert "407 Proxy Authentication Required" in str(info.value)
    assert "guess" not in str(info.value)
    assert acs_server.request_count == 0


@pytest.mark.parametrize("signature_version", ["v3", "v1"])
def test_hooks_see_each_retry_and_never_a_secret(
    flavor: Flavor, kind: str, acs_server: AcsServer, signature_version: str
) -> None:
    acs_server.script(error_response("InternalError"))
    seen: list[Any] = []
    hooks = {"request": [seen.append], "response": [seen.append]}
    result = describe(
        flavor,
        kind,
        acs_server,
        max_retries=1,
        signature_version=signature_version,
        event_hooks=hooks,
    )
    assert flavor.read(result, "success") is True
    assert [type(x).__name__ for x in seen] == ["RequestInfo", "ResponseInfo"] * 2
    assert [x.status for x in seen[1::2]] == [500, 200]
    assert [x.request for x in seen[1::2]] == seen[0::2]
    for info in seen:
        assert SECRET not in repr(info) and TOKEN not in repr(info)
    if signature_version == "v3":
        assert {x.headers["authorization"] for x in seen[0::2]} == {"***"}
    else:
        assert all("Signature=***" in x.url for x in seen[0::2])
    assert [r.verified for r in acs_server.requests] == [True, True]
