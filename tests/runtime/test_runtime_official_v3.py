"""Byte-identical V3 ``Authorization`` with the official SDK, given the same inputs.

The official SDK (tea-openapi) signs every header it sets. Our runtime signs every header it
sends too (framing headers aside), so when both send the same header set with the same values,
time, nonce and User-Agent to the same server (same ``host``), the two ``Authorization`` headers
must be equal byte for byte. ``x-acs-credentials-provider`` (and with STS ``x-acs-accesskey-id``)
are headers only the official SDK sets: we pass them through ``extra_headers=``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from acs_sdkgen.runtime import AsyncAPIClient, Operation, Param, SyncAPIClient

from tests.support.acs_server import AcsServer, RecordedRequest, fixed_clock
from tests.support.official_sdk import (
    OFFICIAL_V3_SIGNED_HEADERS,
    OFFICIAL_V3_STS_SIGNED_HEADERS,
    PINNED_NONCE,
    PINNED_TIMESTAMP,
    PINNED_USER_AGENT,
    capture_official_request,
)

CREDENTIALS: dict[str, dict[str, str]] = {
    "ak": {"access_key_id": "testid", "access_key_secret": "testsecret"},
    "sts": {
        "access_key_id": "stsid",
        "access_key_secret": "stssecret",
        "security_token": "ststoken",
    },
}
CREATE = Operation(
    "CreateInstance",
    "2019-12-26",
    (
        Param("InstanceName", "instance_name", "string", True),
        Param(
            "MaxConcurrentConversation", "max_concurrent_conversation", "integer", True
        ),
        Param("InstanceDescription", "instance_description", "string", False),
        Param("NluServiceType", "nlu_service_type", "string", False),
        Param("ResourceGroupId", "resource_group_id", "string", False),
        Param(
            "CallingNumber",
            "calling_number",
            "array",
            False,
            items="string",
            repeat_list=True,
        ),
    ),
)
DESCRIBE = Operation(
    "DescribeInstance",
    "2019-12-26",
    (Param("InstanceId", "instance_id", "string", True),),
    read_only=True,
)
CALLS: dict[str, tuple[Operation, dict[str, object]]] = {
    "CreateInstance": (
        CREATE,
        {
            "InstanceName": "第一個實例 a+b*c~/é&x=y%",
            "MaxConcurrentConversation": 4,
            "InstanceDescription": "",
            "NluServiceType": "Provided",
            "ResourceGroupId": "rg-acfmwd4qr3z773y",
            "CallingNumber": ["4008013260", "4008013261"],
        },
    ),
    "DescribeInstance": (
        DESCRIBE,
        {"InstanceId": "af81a389-91f0-4157-8d82-720edd02b66a"},
    ),
}
# Headers only the official SDK sets; our client sends (and signs) them when passed.
OFFICIAL_ONLY = ("x-acs-credentials-provider", "x-acs-accesskey-id")


class Pinned:
    """The official SDK's pinned time, nonce and User-Agent."""

    _user_agent = PINNED_USER_AGENT

    def _timestamp(self) -> str:
        return PINNED_TIMESTAMP

    def _nonce(self) -> str:
        return PINNED_NONCE


class PinnedSync(Pinned, SyncAPIClient):
    pass


class PinnedAsync(Pinned, AsyncAPIClient):
    pass


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[AcsServer]:
    """A signature-checking fake gateway frozen at the pinned time."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    with AcsServer(clock=fixed_clock(PINNED_TIMESTAMP)) as srv:
        yield srv


def send_ours(
    kind: str,
    server: AcsServer,
    credential: str,
    action: str,
    extra_headers: dict[str, str],
) -> RecordedRequest:
    """One call of our pinned client; the request the server recorded."""
    op, values = CALLS[action]
    options: dict[str, Any] = {
        "endpoint": server.endpoint,
        "protocol": "http",
        "max_retries": 0,
        **CREDENTIALS[credential],
    }
    before = server.request_count
    if kind == "sync":
        with PinnedSync(**options) as client:
            client._call(op, values, extra_headers=extra_headers)
    else:

        async def main() -> None:
            async with PinnedAsync(**options) as aclient:
                await aclient._call(op, values, extra_headers=extra_headers)

        asyncio.run(main())
    assert server.request_count == before + 1
    record = server.requests[before]
    assert record.verified, record.error_message
    return record


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("credential", sorted(CREDENTIALS))
@pytest.mark.parametrize("action", sorted(CALLS))
def test_v3_authorization_is_byte_identical(
    server: AcsServer, kind: str, credential: str, action: str
) -> None:
    official = capture_official_request(
        action, CALLS[action][1], server=server, **CREDENTIALS[credential]
    )
    expected = (
        OFFICIAL_V3_STS_SIGNED_HEADERS
        if credential == "sts"
        else OFFICIAL_V3_SIGNED_HEADERS
    )
    assert official.signed_headers == expected
    server.forget_nonces()
    extra = {
        name: official.headers[name]
        for name in OFFICIAL_ONLY
        if name in official.headers
    }
    ours = send_ours(kind, server, credential, action, extra)
    assert ours.signed_headers == official.signed_headers
    for name in official.signed_headers:
        assert ours.header(name) == official.headers[name], name
    assert sorted(ours.query) == sorted(official.record.query)
    assert ours.header("authorization") == official.headers["authorization"]
    assert ours.signature == official.signature


def test_without_the_official_only_headers_the_signature_differs(
    server: AcsServer,
) -> None:
    official = capture_official_request(
        "DescribeInstance", CALLS["DescribeInstance"][1], server=server
    )
    server.forget_nonces()
    ours = send_ours("sync", server, "ak", "DescribeInstance", {})
    assert set(official.signed_headers) - set(ours.signed_headers) == {
        "x-acs-credentials-provider"
    }
    assert ours.signature != official.signature
