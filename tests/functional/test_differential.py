"""Differential tests: a generated client sends what the official Alibaba Cloud SDK sends.

Each test pins the official SDK's time, nonce and User-Agent (``capture_official_request``) and sends
one call to a fake gateway whose clock is frozen at that time; the server then forgets the nonce and
the generated client (each flavor, each client kind it has) sends the same call with the same time,
nonce and User-Agent (``_timestamp``, ``_nonce`` and ``_user_agent`` patched on its class) to the
same server, so both requests carry the same ``host``. Both requests must pass the server's
signature check. Cases: CreateInstance (Unicode and reserved characters in ``InstanceName``, an
empty ``InstanceDescription``, a two-element ``CallingNumber`` repeat-list) and DescribeInstance,
each with a plain AccessKey and with an STS token.

What each test asserts, and why:

* ``test_v1_request_matches_official``: the decoded query pairs of the two requests are the same
  multiset (sorted lists compared), common parameters and ``Signature`` included. V1 signs the whole
  query, so with equal time, nonce and parameters the signature must be **byte-identical**; it is
  also compared on its own, as are ``Format`` (no case difference is tolerated), ``Action`` and
  ``Version``.
* ``test_v3_request_matches_official``: the decoded query pairs are the same multiset; action and
  version headers agree; our client sends and signs exactly the header set the official SDK signs,
  with the same values (``x-acs-credentials-provider`` and, with STS, ``x-acs-accesskey-id`` passed
  through ``extra_headers=``, which V3 signs like every header sent; ``user-agent`` from the patched
  ``_user_agent``), the same canonical query string and the same hashed payload, so the
  ``Authorization`` header and the signature are **byte-identical**. Our runtime's
  ``canonical_request_v3`` / ``string_to_sign_v3`` / ``signature_v3`` (from
  ``acs_sdkgen.runtime.signing`` and from the flavor's shipped ``_runtime.signing``) are also checked
  to reproduce the official signature from the official request's inputs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from importlib import import_module

import pytest
from acs_sdkgen.runtime import signing as runtime_signing

from tests.support import acs_signature
from tests.support.acs_server import AcsServer, RecordedRequest, fixed_clock
from tests.support.official_sdk import (
    PINNED_NONCE,
    PINNED_TIMESTAMP,
    PINNED_USER_AGENT,
    OfficialCapture,
    capture_official_request,
)

from .flavors import FLAVOR_SPECS, Flavor

CREDENTIALS = {
    "ak": {"access_key_id": "testid", "access_key_secret": "testsecret"},
    "sts": {
        "access_key_id": "stsid",
        "access_key_secret": "stssecret",
        "security_token": "ststoken",
    },
}
INSTANCE_NAME = "第一個實例 a+b*c~/é"
INSTANCE_ID = "af81a389-91f0-4157-8d82-720edd02b66a"
# action -> (official wire-named parameters, our method, our keyword arguments)
CALLS = {
    "CreateInstance": (
        {
            "InstanceName": INSTANCE_NAME,
            "MaxConcurrentConversation": 4,
            "InstanceDescription": "",
            "NluServiceType": "Provided",
            "ResourceGroupId": "rg-acfmwd4qr3z773y",
            "CallingNumber": ["4008013260", "4008013261"],
        },
        "create_instance",
        {
            "instance_name": INSTANCE_NAME,
            "max_concurrent_conversation": 4,
            "instance_description": "",
            "nlu_service_type": "Provided",
            "resource_group_id": "rg-acfmwd4qr3z773y",
            "calling_number": ["4008013260", "4008013261"],
        },
    ),
    "DescribeInstance": (
        {"InstanceId": INSTANCE_ID},
        "describe_instance",
        {"instance_id": INSTANCE_ID},
    ),
}
# Official signed headers our client does not set by itself; passed through ``extra_headers=``.
PASSED_HEADERS = frozenset({"x-acs-credentials-provider", "x-acs-accesskey-id"})


@pytest.fixture(params=sorted(CALLS))
def action(request) -> str:
    """CreateInstance and DescribeInstance."""
    return request.param


@pytest.fixture(params=sorted(CREDENTIALS))
def credential(request) -> str:
    """A plain AccessKey pair and an STS triple."""
    return request.param


@pytest.fixture
def pinned_server(clean_env) -> Iterator[AcsServer]:
    """A fake gateway whose clock is frozen at the pinned timestamp."""
    with AcsServer(clock=fixed_clock(PINNED_TIMESTAMP)) as server:
        yield server


@pytest.fixture
def pinned_client_class(flavor, kind, monkeypatch) -> type:
    """The flavor's client class with the pinned time, nonce and User-Agent."""
    client_class = flavor.client_class(kind)
    monkeypatch.setattr(client_class, "_timestamp", lambda self: PINNED_TIMESTAMP)
    monkeypatch.setattr(client_class, "_nonce", lambda self: PINNED_NONCE)
    monkeypatch.setattr(client_class, "_user_agent", PINNED_USER_AGENT)
    return client_class


def _send_ours(
    client_class: type,
    kind: str,
    server: AcsServer,
    signature_version: str,
    credential: str,
    action: str,
    extra_headers: Mapping[str, str] | None,
) -> RecordedRequest:
    """Send ``action`` with our pinned client and return the request the server recorded."""
    _, method_name, arguments = CALLS[action]
    options = {
        "endpoint": server.endpoint,
        "protocol": "http",
        "signature_version": signature_version,
        "max_retries": 0,
        **CREDENTIALS[credential],
    }
    before = server.request_count

    async def send_async() -> None:
        """The async client's call."""
        async with client_class(**options) as client:
            await getattr(client, method_name)(**arguments, extra_headers=extra_headers)

    if kind == "async":
        asyncio.run(send_async())
    else:
        with client_class(**options) as client:
            getattr(client, method_name)(**arguments, extra_headers=extra_headers)
    assert server.request_count == before + 1
    record = server.requests[before]
    assert record.verified, record.error_message
    return record


def _capture_both(
    server: AcsServer,
    client_class: type,
    kind: str,
    signature_version: str,
    credential: str,
    action: str,
) -> tuple[OfficialCapture, RecordedRequest]:
    """The official request, then ours with the same time and nonce, on one server."""
    official = capture_official_request(
        action,
        CALLS[action][0],
        signature_version=signature_version,
        server=server,
        **CREDENTIALS[credential],
    )
    server.forget_nonces()
    extra_headers = None
    if signature_version == "v3":
        extra_headers = {
            name: official.headers[name]
            for name in official.signed_headers
            if name in PASSED_HEADERS
        }
    ours = _send_ours(
        client_class, kind, server, signature_version, credential, action, extra_headers
    )
    return official, ours


def _v3_signature(
    signing, record: RecordedRequest, header_names: tuple[str, ...], secret: str
) -> str:
    """The V3 signature ``signing`` computes over a recorded request's inputs and header set."""
    canonical = signing.canonical_request_v3(
        method=record.method,
        uri=record.path,
        query=signing.canonical_query(record.query),
        headers={name: record.header(name) for name in header_names},
        hashed_payload=record.header("x-acs-content-sha256"),
    )
    return signing.signature_v3(secret, signing.string_to_sign_v3(canonical))


def _flavor_signing(flavor: Flavor):
    """The signing module the flavor ships in its ``_runtime``."""
    return import_module(f"{FLAVOR_SPECS[flavor.name].module}._runtime.signing")


def _assert_same_call(
    official: OfficialCapture, ours: RecordedRequest, action: str
) -> None:
    """Both requests: same method, path, body, action, version and decoded query multiset."""
    theirs = official.record
    assert (ours.method, ours.path, ours.body) == (theirs.method, theirs.path, b"")
    assert theirs.body == b""
    assert ours.action == theirs.action == action
    assert ours.header("x-acs-version") == theirs.header("x-acs-version")
    assert sorted(ours.query) == sorted(theirs.query)
    assert ours.access_key_id == theirs.access_key_id


def test_v1_request_matches_official(
    pinned_server, pinned_client_class, kind, credential, action
):
    official, ours = _capture_both(
        pinned_server, pinned_client_class, kind, "v1", credential, action
    )
    theirs = official.record
    assert theirs.signature_version == ours.signature_version == "v1"
    _assert_same_call(official, ours, action)
    for name in ("Format", "Action", "Version", "Timestamp", "SignatureNonce"):
        assert ours.param(name) == theirs.param(name), name
    assert ours.param("SecurityToken") == CREDENTIALS[credential].get("security_token")
    assert ours.signature == official.signature
    assert ours.signature


def test_v3_request_matches_official(
    pinned_server, pinned_client_class, flavor, kind, credential, action
):
    official, ours = _capture_both(
        pinned_server, pinned_client_class, kind, "v3", credential, action
    )
    theirs = official.record
    secret = CREDENTIALS[credential]["access_key_secret"]
    assert theirs.signature_version == ours.signature_version == "v3"
    _assert_same_call(official, ours, action)
    # Every header the official SDK signs arrives from our client with the same value ...
    for name in official.signed_headers:
        assert ours.header(name) == official.headers[name], name
    # ... and our client signs exactly the same header set.
    assert ours.signed_headers == official.signed_headers
    # Same canonical query string and hashed payload.
    official_canonical_query = acs_signature.canonical_query(theirs.query)
    assert ours.raw_query == official_canonical_query
    assert runtime_signing.canonical_query(ours.query) == official_canonical_query
    assert (
        ours.header("x-acs-content-sha256") == official.headers["x-acs-content-sha256"]
    )
    assert ours.header("x-acs-content-sha256") == runtime_signing.EMPTY_BODY_SHA256
    for signing in (runtime_signing, _flavor_signing(flavor)):
        # Our signing functions reproduce the official signature over the official header set ...
        assert (
            _v3_signature(signing, theirs, official.signed_headers, secret)
            == official.signature
        )
        # ... and the signature our client sent over its own header set.
        assert _v3_signature(signing, ours, ours.signed_headers, secret) == (
            ours.signature
        )
    assert ours.header("authorization") == official.headers["authorization"]
    assert ours.signature == official.signature
