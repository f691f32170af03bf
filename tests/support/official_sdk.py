"""Drive the official Alibaba Cloud SDK (alibabacloud-outboundbot20191226 2.2.1, tea-openapi 0.4.6).

What the official SDK sends for an RPC action (read from ``alibabacloud_tea_openapi/client.py``):

* V3 (default, ``Config.signature_algorithm`` unset): POST ``/``, API parameters in the query
  (repeat-lists flattened to ``Name.1``), empty body, and it signs **every header it sets**:
  ``accept`` (``application/json``), ``host`` (the configured endpoint, e.g. ``127.0.0.1:PORT``),
  ``user-agent``, ``x-acs-action``, ``x-acs-content-sha256``, ``x-acs-credentials-provider``
  (``static_ak``, or ``static_sts`` with a token), ``x-acs-date``, ``x-acs-signature-nonce`` and
  ``x-acs-version``; with an STS token also ``x-acs-accesskey-id`` and ``x-acs-security-token``
  (``OFFICIAL_V3_SIGNED_HEADERS`` / ``OFFICIAL_V3_STS_SIGNED_HEADERS``). Transport headers added
  below it (``content-length``, ``accept-encoding``, and with aiohttp ``content-type:
  application/octet-stream``) are not signed.
* V1 (``Config.signature_algorithm='v2'``): POST ``/`` with ``Action``, ``Format=json``,
  ``Version``, ``Timestamp``, ``SignatureNonce``, the API parameters, ``SecurityToken`` (STS),
  ``SignatureMethod``, ``SignatureVersion``, ``AccessKeyId`` and ``Signature`` in the query; headers
  ``host``, ``x-acs-version``, ``x-acs-action``, ``user-agent``, ``x-acs-credentials-provider`` are
  sent but not signed.

Pinning hooks (all static methods of ``alibabacloud_tea_openapi.utils.Utils``, looked up on the class
at call time, so patching the class attribute works for sync and async calls):
``Utils.get_timestamp`` (V3 ``x-acs-date`` / V1 ``Timestamp``), ``Utils.get_nonce`` (V3
``x-acs-signature-nonce`` / V1 ``SignatureNonce``) and ``Utils.get_user_agent`` (the ``user-agent``
header; ``Config.user_agent`` only appends to a platform-dependent default, so patch instead).
``pinned_official_sdk`` patches all three; the patch is process-wide, so do not capture concurrently.
``capture_official_request`` sends one pinned request and raises if the server rejected it; without
``server=`` it uses a private server whose clock is frozen at the pinned timestamp, a given server must
know the key and accept the timestamp (``AcsServer(clock=fixed_clock(PINNED_TIMESTAMP))``).
The V3 signature also covers ``host``: compare two clients only when both send the same ``host``,
i.e. talk to the same server (call ``AcsServer.forget_nonces()`` between them to reuse the nonce).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from unittest import mock

from alibabacloud_outboundbot20191226 import models as official_models
from alibabacloud_outboundbot20191226.client import Client
from alibabacloud_tea_openapi import models as open_api_models
from alibabacloud_tea_openapi.utils import Utils
from darabonba.runtime import RuntimeOptions

from .acs_server import DEFAULT_KEYS, AcsServer, RecordedRequest, fixed_clock

PINNED_TIMESTAMP = "2023-10-26T10:22:32Z"
PINNED_NONCE = "3156853299f313e23d1673dc12e1703d"
PINNED_USER_AGENT = "AlibabaCloud (Linux; x86_64) Python/3.11.0 Core/0.4.3 TeaDSL/2"
OFFICIAL_V3_SIGNED_HEADERS = (
    "accept",
    "host",
    "user-agent",
    "x-acs-action",
    "x-acs-content-sha256",
    "x-acs-credentials-provider",
    "x-acs-date",
    "x-acs-signature-nonce",
    "x-acs-version",
)
OFFICIAL_V3_STS_SIGNED_HEADERS = tuple(
    sorted(OFFICIAL_V3_SIGNED_HEADERS + ("x-acs-accesskey-id", "x-acs-security-token"))
)
SIGNATURE_ALGORITHMS = {"v3": None, "v1": "v2"}


@dataclass(frozen=True)
class OfficialCapture:
    """The request the official SDK sent (as the server decoded it) and the body it got back."""

    record: RecordedRequest
    query: tuple[tuple[str, str], ...]
    headers: dict[str, str]
    signed_headers: tuple[str, ...]
    signature: str
    response: dict[str, object]


def official_client(
    endpoint: str,
    *,
    signature_version: str = "v3",
    access_key_id: str = "testid",
    access_key_secret: str = "testsecret",
    security_token: str | None = None,
) -> Client:
    """An official client for ``http://endpoint`` signing with ``v3`` or ``v1``."""
    config = open_api_models.Config(
        access_key_id=access_key_id,
        access_key_secret=access_key_secret,
        security_token=security_token,
        endpoint=endpoint,
        protocol="http",
        region_id="cn-shanghai",
        signature_algorithm=SIGNATURE_ALGORITHMS[signature_version],
    )
    return Client(config)


def call_official(
    client: Client,
    action: str,
    params: Mapping[str, object],
    *,
    asynchronous: bool = False,
) -> dict[str, object]:
    """Call ``action`` with wire-named ``params`` (sync or through the async API); the response map."""
    request = getattr(official_models, f"{action}Request")().from_map(dict(params))
    method_name = f"{re.sub(r'(?<!^)(?=[A-Z])', '_', action).lower()}_with_options"
    if asynchronous:
        call = getattr(client, f"{method_name}_async")
        response = asyncio.run(call(request, RuntimeOptions()))
    else:
        response = getattr(client, method_name)(request, RuntimeOptions())
    return response.to_map()


@contextmanager
def pinned_official_sdk(
    timestamp: str = PINNED_TIMESTAMP,
    nonce: str = PINNED_NONCE,
    user_agent: str = PINNED_USER_AGENT,
) -> Iterator[None]:
    """Pin the official SDK's timestamp, nonce and User-Agent (process-wide) inside the block."""
    with (
        mock.patch.object(Utils, "get_timestamp", staticmethod(lambda: timestamp)),
        mock.patch.object(Utils, "get_nonce", staticmethod(lambda: nonce)),
        mock.patch.object(
            Utils, "get_user_agent", staticmethod(lambda _=None: user_agent)
        ),
    ):
        yield


def capture_official_request(
    action: str,
    params: Mapping[str, object],
    *,
    signature_version: str = "v3",
    access_key_id: str = "testid",
    access_key_secret: str = "testsecret",
    security_token: str | None = None,
    timestamp: str = PINNED_TIMESTAMP,
    nonce: str = PINNED_NONCE,
    user_agent: str = PINNED_USER_AGENT,
    server: AcsServer | None = None,
    asynchronous: bool = False,
) -> OfficialCapture:
    """Send one pinned official request (to a private server unless given) and return what arrived."""
    if server is None:
        keys = {**DEFAULT_KEYS, access_key_id: (access_key_secret, security_token)}
        with AcsServer(keys, clock=fixed_clock(timestamp)) as private:
            return capture_official_request(
                action,
                params,
                signature_version=signature_version,
                access_key_id=access_key_id,
                access_key_secret=access_key_secret,
                security_token=security_token,
                timestamp=timestamp,
                nonce=nonce,
                user_agent=user_agent,
                server=private,
                asynchronous=asynchronous,
            )
    client = official_client(
        server.endpoint,
        signature_version=signature_version,
        access_key_id=access_key_id,
        access_key_secret=access_key_secret,
        security_token=security_token,
    )
    before = server.request_count
    with pinned_official_sdk(timestamp, nonce, user_agent):
        try:
            response = call_official(client, action, params, asynchronous=asynchronous)
        except Exception as error:
            rejected = server.requests[before:]
            detail = rejected[-1].error_message if rejected else "no request arrived"
            raise RuntimeError(f"official {action} request failed: {detail}") from error
    record = server.requests[before]
    return OfficialCapture(
        record=record,
        query=tuple(sorted(record.query)),
        headers=dict(record.headers),
        signed_headers=record.signed_headers,
        signature=record.signature or "",
        response=response,
    )
