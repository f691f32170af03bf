"""The base clients end to end against a local server, sync and async alike."""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from collections.abc import Iterator, Mapping
from types import SimpleNamespace
from typing import Any, Callable
from urllib.parse import parse_qsl

import pytest
from acs_sdkgen.runtime import (
    NOT_GIVEN,
    APIConnectionError,
    APIResponseError,
    AsyncAPIClient,
    BadRequestError,
    CredentialsError,
    InternalServerError,
    Operation,
    Param,
    ParameterError,
    SDKError,
    SyncAPIClient,
    ThrottlingError,
    UnsuccessfulResponseError,
    parse_endpoint,
)
from acs_sdkgen.runtime.http11 import HTTPResponse
from alibabacloud_tea_openapi.utils import Utils as OfficialUtils
from runtime_http_server import Reply, Request, Server, json_reply

KEY_ID = "LTAI5tTestKeyId"
SECRET = "test-secret-never-shown"
TIMESTAMP = "2024-01-02T03:04:05Z"


class InvalidInstanceNameDuplicatedError(BadRequestError):
    """Generated per-code class."""


CREATE = Operation(
    "CreateInstance",
    "2019-12-26",
    (
        Param("InstanceName", "instance_name", "string", True),
        Param(
            "MaxConcurrentConversation", "max_concurrent_conversation", "integer", True
        ),
        Param("InstanceDescription", "instance_description", "string", False),
        Param(
            "CallingNumber",
            "calling_number",
            "array",
            False,
            items="string",
            repeat_list=True,
        ),
    ),
    read_only=False,
    error_classes={
        "InvalidInstanceName.Duplicated": InvalidInstanceNameDuplicatedError
    },
)
DESCRIBE = Operation(
    "DescribeInstance",
    "2019-12-26",
    (Param("InstanceId", "instance_id", "string", True),),
    read_only=True,
)
CREATE_VALUES = {
    "InstanceName": "a b&c=d 😀",
    "MaxConcurrentConversation": 5,
    "InstanceDescription": "",
    "CallingNumber": ["4008013260", "4008013261"],
}


class Pinned:
    """Fixed time, counting nonces, recorded sleeps."""

    counter = itertools.count()
    sleeps: list[float]

    def _timestamp(self) -> str:
        return TIMESTAMP

    def _nonce(self) -> str:
        return f"nonce-{next(self.counter)}"


class DemoSync(Pinned, SyncAPIClient):
    _endpoint_rule = "outboundbot.{region_id}.aliyuncs.com"
    _default_region = "cn-shanghai"
    _user_agent = "demo-sdk/1.0"

    def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


class DemoAsync(Pinned, AsyncAPIClient):
    _endpoint_rule = "outboundbot.{region_id}.aliyuncs.com"
    _default_region = "cn-shanghai"
    _user_agent = "demo-sdk/1.0"

    async def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


class Driver:
    """Calls either client through one blocking interface."""

    def __init__(self, kind: str, **config: Any) -> None:
        config.setdefault("access_key_id", KEY_ID)
        config.setdefault("access_key_secret", SECRET)
        config.setdefault("protocol", "http")
        self.kind = kind
        if kind == "sync":
            self.client: DemoSync | DemoAsync = DemoSync(**config)
        else:
            self.loop = asyncio.new_event_loop()
            self.client = DemoAsync(**config)
        self.client.sleeps = []

    def call(
        self, op: Operation, values: Mapping[str, object], **kw: Any
    ) -> dict[str, Any]:
        if isinstance(self.client, DemoSync):
            return self.client._call(op, values, **kw)
        return self.loop.run_until_complete(self.client._call(op, values, **kw))

    def close(self) -> None:
        if isinstance(self.client, DemoSync):
            self.client.close()
        else:
            self.loop.run_until_complete(self.client.aclose())
            self.loop.close()


@pytest.fixture(params=["sync", "async"])
def make(request: pytest.FixtureRequest) -> Iterator[Callable[..., Driver]]:
    drivers: list[Driver] = []

    def factory(**config: Any) -> Driver:
        driver = Driver(request.param, **config)
        drivers.append(driver)
        return driver

    yield factory
    for driver in drivers:
        driver.close()


def script(server: Server, *replies: Reply) -> None:
    queue = list(replies)
    lock = threading.Lock()

    def handler(request: Request) -> Reply:
        with lock:
            return queue.pop(0) if queue else json_reply(RequestId="ok", Success=True)

    server.handler = handler


def official_v3_authorization(request: Request) -> str:
    """Recompute the Authorization header with the official SDK's own code."""
    auth = request.headers["authorization"]
    signed = auth.split("SignedHeaders=")[1].split(",")[0].split(";")
    fake = SimpleNamespace(
        pathname="/",
        method=request.method,
        query=dict(request.query),
        headers={name: request.headers[name] for name in signed},
    )
    return str(
        OfficialUtils.get_authorization(
            fake,
            "ACS3-HMAC-SHA256",
            request.headers["x-acs-content-sha256"],
            KEY_ID,
            SECRET,
        )
    )


def test_v3_call_is_signed_as_the_official_sdk_would_check_it(
    server: Server, make: Callable[..., Driver]
) -> None:
    script(
        server,
        json_reply(RequestId="r1", Success=True, Instance={"InstanceId": "i-1"}, New=1),
    )
    driver = make(endpoint=server.endpoint)
    result = driver.call(CREATE, CREATE_VALUES)
    assert result == {
        "RequestId": "r1",
        "Success": True,
        "Instance": {"InstanceId": "i-1"},
        "New": 1,
    }
    (request,) = server.requests
    assert request.method == "POST" and request.path == "/"
    assert request.body == b""
    assert request.query == sorted(
        [
            ("CallingNumber.1", "4008013260"),
            ("CallingNumber.2", "4008013261"),
            ("InstanceDescription", ""),
            ("InstanceName", "a b&c=d 😀"),
            ("MaxConcurrentConversation", "5"),
        ]
    )
    headers = request.headers
    assert headers["host"] == server.endpoint
    assert headers["x-acs-action"] == "CreateInstance"
    assert headers["x-acs-version"] == "2019-12-26"
    assert headers["x-acs-date"] == TIMESTAMP
    assert headers["accept"] == "application/json"
    assert headers["user-agent"] == "demo-sdk/1.0"
    assert headers["authorization"].startswith(f"ACS3-HMAC-SHA256 Credential={KEY_ID},")
    assert official_v3_authorization(request) == headers["authorization"]
    assert SECRET not in request.target and SECRET not in json.dumps(headers)


def test_v3_with_sts_token_and_extra_headers(
    server: Server, make: Callable[..., Driver]
) -> None:
    driver = make(endpoint=server.endpoint, security_token="sts-token")
    driver.call(
        DESCRIBE,
        {"InstanceId": "i-1"},
        extra_headers={"X-Acs-Custom": "v", "X-Trace": "t"},
        extra_query={"Extra": True},
    )
    (request,) = server.requests
    assert request.headers["x-acs-security-token"] == "sts-token"
    assert request.headers["x-trace"] == "t"
    signed = request.headers["authorization"].split("SignedHeaders=")[1].split(",")[0]
    assert signed.split(";") == [
        "accept",
        "host",
        "user-agent",
        "x-acs-action",
        "x-acs-content-sha256",
        "x-acs-custom",
        "x-acs-date",
        "x-acs-security-token",
        "x-acs-signature-nonce",
        "x-acs-version",
        "x-trace",
    ]
    assert dict(request.query) == {"InstanceId": "i-1", "Extra": "true"}
    assert official_v3_authorization(request) == request.headers["authorization"]


def test_v1_call_matches_the_official_sdk_signature(
    server: Server, make: Callable[..., Driver]
) -> None:
    driver = make(
        endpoint=f"http://{server.endpoint}", signature_version="v1", protocol="https"
    )
    driver.call(CREATE, CREATE_VALUES)
    (request,) = server.requests
    query = dict(request.query)
    signature = query.pop("Signature")
    assert query["Format"] == "json" and query["SignatureVersion"] == "1.0"
    assert query["Timestamp"] == TIMESTAMP and query["AccessKeyId"] == KEY_ID
    assert OfficialUtils.get_rpcsignature(query, "POST", SECRET) == signature
    assert request.headers["x-acs-action"] == "CreateInstance"


def test_v1_is_identical_to_the_official_client(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alibabacloud_outboundbot20191226 import models
    from alibabacloud_outboundbot20191226.client import Client
    from alibabacloud_tea_openapi import models as openapi_models

    monkeypatch.setattr(OfficialUtils, "get_timestamp", staticmethod(lambda: TIMESTAMP))
    monkeypatch.setattr(OfficialUtils, "get_nonce", staticmethod(lambda: "nonce-x"))
    config = openapi_models.Config(
        access_key_id=KEY_ID,
        access_key_secret=SECRET,
        endpoint=server.endpoint,
        protocol="http",
        signature_algorithm="v2",
    )
    Client(config).create_instance(
        models.CreateInstanceRequest(
            instance_name=CREATE_VALUES["InstanceName"],
            max_concurrent_conversation=5,
            instance_description="",
            calling_number=["4008013260", "4008013261"],
        )
    )
    client = DemoSync(
        access_key_id=KEY_ID,
        access_key_secret=SECRET,
        endpoint=server.endpoint,
        protocol="http",
        signature_version="v1",
    )
    client._nonce = lambda: "nonce-x"  # type: ignore[method-assign]
    client.sleeps = []
    client._call(CREATE, CREATE_VALUES)
    client.close()
    official, ours = server.requests
    assert dict(ours.query) == dict(official.query)


def test_prepare_is_pure_and_resigns(make: Callable[..., Driver]) -> None:
    client = make(endpoint="127.0.0.1:9").client
    first = client.prepare(DESCRIBE, {"InstanceId": "i-1"})
    second = client.prepare(DESCRIBE, {"InstanceId": "i-1"})
    method, target, headers, body = first
    assert (method, target, body) == ("POST", "/?InstanceId=i-1", b"")
    assert headers["x-acs-signature-nonce"] != second[2]["x-acs-signature-nonce"]
    assert headers["Authorization"] != second[2]["Authorization"]


def test_interpret() -> None:
    client = DemoSync(access_key_id="a", access_key_secret="b")
    ok = HTTPResponse(200, {}, b'{"Success":true,"X":1}')
    assert client.interpret(DESCRIBE, ok) == {"Success": True, "X": 1}
    assert client.interpret(DESCRIBE, HTTPResponse(200, {}, b'{"X":1}')) == {"X": 1}
    with pytest.raises(UnsuccessfulResponseError):
        client.interpret(
            DESCRIBE, HTTPResponse(200, {}, b'{"Success":false,"Code":"X"}')
        )
    with pytest.raises(APIResponseError):
        client.interpret(DESCRIBE, HTTPResponse(200, {}, b"<xml/>"))
    with pytest.raises(InvalidInstanceNameDuplicatedError):
        client.interpret(
            CREATE, HTTPResponse(400, {}, b'{"Code":"InvalidInstanceName.Duplicated"}')
        )
    client.close()


def test_documented_error_class(server: Server, make: Callable[..., Driver]) -> None:
    script(
        server,
        json_reply(
            400,
            Code="InvalidInstanceName.Duplicated",
            Message="The specified InstanceName already exists.",
            RequestId="254EB",
        ),
    )
    driver = make(endpoint=server.endpoint)
    with pytest.raises(InvalidInstanceNameDuplicatedError) as info:
        driver.call(CREATE, CREATE_VALUES)
    assert str(info.value) == (
        "400 InvalidInstanceName.Duplicated: The specified InstanceName already exists. "
        "(request id 254EB)"
    )
    assert len(server.requests) == 1


def test_throttling_is_retried_with_the_hint_and_a_fresh_signature(
    server: Server, make: Callable[..., Driver]
) -> None:
    throttled = json_reply(400, Code="Throttling.User", Message="slow down")
    throttled.headers["x-acs-retry-after"] = "250"
    script(server, throttled)
    driver = make(endpoint=server.endpoint)
    assert driver.call(CREATE, CREATE_VALUES)["Success"] is True
    assert driver.client.sleeps == [0.25]
    first, second = server.requests
    assert (
        first.headers["x-acs-signature-nonce"]
        != second.headers["x-acs-signature-nonce"]
    )


def test_retries_are_bounded(server: Server, make: Callable[..., Driver]) -> None:
    script(server, *[json_reply(429, Code="Throttling")] * 5)
    driver = make(endpoint=server.endpoint, max_retries=2)
    with pytest.raises(ThrottlingError):
        driver.call(CREATE, CREATE_VALUES)
    assert len(server.requests) == 3
    with pytest.raises(ThrottlingError):
        driver.call(CREATE, CREATE_VALUES, max_retries=0)
    assert len(server.requests) == 4


def test_server_errors_retry_only_when_safe(
    server: Server, make: Callable[..., Driver]
) -> None:
    html = Reply(
        status=502,
        body=b"<html>bad gateway</html>",
        headers={"Content-Type": "text/html"},
    )
    script(server, html, html, html)
    driver = make(endpoint=server.endpoint)
    with pytest.raises(APIResponseError):
        driver.call(CREATE, CREATE_VALUES)
    assert len(server.requests) == 1
    assert driver.call(DESCRIBE, {"InstanceId": "i"})["Success"] is True
    assert len(server.requests) == 4


def test_retry_server_errors_opt_in(
    server: Server, make: Callable[..., Driver]
) -> None:
    script(server, json_reply(500, Code="InternalError", Message="try later"))
    driver = make(endpoint=server.endpoint, retry_server_errors=True)
    assert driver.call(CREATE, CREATE_VALUES)["Success"] is True
    script(server, json_reply(500, Code="InternalError"))
    with pytest.raises(InternalServerError):
        make(endpoint=server.endpoint).call(CREATE, CREATE_VALUES)


def test_read_timeout_is_retried_only_for_read_only(
    server: Server, make: Callable[..., Driver]
) -> None:
    script(server, Reply(delay=0.5))
    driver = make(endpoint=server.endpoint, timeout=0.1)
    with pytest.raises(APIConnectionError):
        driver.call(CREATE, CREATE_VALUES)
    assert len(server.requests) == 1
    script(server, Reply(delay=0.5))
    assert driver.call(DESCRIBE, {"InstanceId": "i"}, timeout=0.1)["Success"] is True


def test_bad_arguments_send_nothing(
    server: Server, make: Callable[..., Driver]
) -> None:
    driver = make(endpoint=server.endpoint)
    with pytest.raises(ParameterError, match="instance_id is required"):
        driver.call(DESCRIBE, {"InstanceId": NOT_GIVEN})
    with pytest.raises(ParameterError, match="X-Bad"):
        driver.call(
            DESCRIBE, {"InstanceId": "i"}, extra_headers={"X-Bad": "a\r\nInjected: 1"}
        )
    with pytest.raises(ParameterError, match="timeout"):
        driver.call(DESCRIBE, {"InstanceId": "i"}, timeout=0)
    assert server.requests == []


def test_configuration_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALIBABA_CLOUD_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", raising=False)
    with pytest.raises(CredentialsError):
        DemoSync()
    keys = {"access_key_id": "a", "access_key_secret": "b"}
    with pytest.raises(ParameterError, match="protocol"):
        DemoSync(protocol="ftp", **keys)
    with pytest.raises(ParameterError, match="signature_version"):
        DemoSync(signature_version="v2", **keys)
    with pytest.raises(ParameterError, match="region_id"):
        DemoSync(region_id="evil.com/x", **keys)
    with pytest.raises(ParameterError, match="max_retries"):
        DemoSync(max_retries=-1, **keys)
    with pytest.raises(ParameterError, match="endpoint"):
        DemoSync(endpoint="host/path", **keys)


def test_endpoint_rule_and_repr() -> None:
    client = DemoSync(
        access_key_id=KEY_ID, access_key_secret=SECRET, region_id="cn-beijing"
    )
    assert client._host_header == "outboundbot.cn-beijing.aliyuncs.com"
    assert client._scheme == "https"
    text = repr(client)
    assert text == (
        "DemoSync(endpoint='https://outboundbot.cn-beijing.aliyuncs.com', "
        "region_id='cn-beijing', signature_version='v3', access_key_id='LTAI...')"
    )
    assert SECRET not in text
    client.close()


@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [
        ("example.com", ("https", "example.com", None, "example.com")),
        ("example.com:8443", ("https", "example.com", 8443, "example.com:8443")),
        ("http://127.0.0.1:8080/", ("http", "127.0.0.1", 8080, "127.0.0.1:8080")),
        ("HTTPS://example.com", ("https", "example.com", None, "example.com")),
        ("[::1]:8080", ("https", "::1", 8080, "[::1]:8080")),
    ],
)
def test_parse_endpoint(endpoint: str, expected: tuple[object, ...]) -> None:
    assert parse_endpoint(endpoint, "https") == expected


@pytest.mark.parametrize(
    "endpoint", ["", "host:0", "host:99999", "host:x", "a@b", "ftp://x", "h/p", "[::1"]
)
def test_parse_endpoint_rejects(endpoint: str) -> None:
    with pytest.raises(ParameterError):
        parse_endpoint(endpoint, "https")


def test_context_managers(server: Server) -> None:
    with DemoSync(
        access_key_id="a",
        access_key_secret="b",
        endpoint=server.endpoint,
        protocol="http",
    ) as client:
        assert client._call(DESCRIBE, {"InstanceId": "i"})["Success"] is True

    async def main() -> bool:
        async with DemoAsync(
            access_key_id="a",
            access_key_secret="b",
            endpoint=server.endpoint,
            protocol="http",
        ) as aclient:
            result = await aclient._call(DESCRIBE, {"InstanceId": "i"})
        return bool(result["Success"])

    assert asyncio.run(main()) is True
    assert len(server.requests) == 2


def test_decoded_wire_query_round_trips(
    server: Server, make: Callable[..., Driver]
) -> None:
    hostile = "line1\r\nline2\x00&x=y%41+ é😀"
    make(endpoint=server.endpoint).call(DESCRIBE, {"InstanceId": hostile})
    (request,) = server.requests
    assert parse_qsl(request.raw_query, keep_blank_values=True) == [
        ("InstanceId", hostile)
    ]
    assert official_v3_authorization(request) == request.headers["authorization"]


@pytest.mark.parametrize(
    "name",
    [
        "Authorization",
        "host",
        "X-Acs-Date",
        "x-acs-signature-nonce",
        "x-acs-security-token",
        "Content-Length",
        "Transfer-Encoding",
        "Connection",
    ],
)
def test_extra_headers_cannot_replace_what_the_client_sets(
    server: Server, make: Callable[..., Driver], name: str
) -> None:
    driver = make(endpoint=server.endpoint)
    with pytest.raises(ParameterError, match="sets it itself"):
        driver.call(DESCRIBE, {"InstanceId": "i"}, extra_headers={name: "x"})
    assert server.requests == []


def test_user_agent_and_accept_are_sent_and_signed(
    server: Server, make: Callable[..., Driver]
) -> None:
    driver = make(endpoint=server.endpoint)
    driver.call(DESCRIBE, {"InstanceId": "i"}, extra_headers={"User-Agent": "mine/2"})
    (request,) = server.requests
    assert request.headers["user-agent"] == "mine/2"
    signed = request.headers["authorization"].split("SignedHeaders=")[1].split(",")[0]
    assert {"accept", "user-agent"} <= set(signed.split(";"))
    assert official_v3_authorization(request) == request.headers["authorization"]


def test_v1_sends_user_agent_unsigned(
    server: Server, make: Callable[..., Driver]
) -> None:
    make(endpoint=server.endpoint, signature_version="v1").call(
        DESCRIBE, {"InstanceId": "i"}
    )
    (request,) = server.requests
    assert request.headers["user-agent"] == "demo-sdk/1.0"
    assert "authorization" not in request.headers


def test_server_echoing_the_token_is_masked(
    server: Server, make: Callable[..., Driver]
) -> None:
    token = "sts-token-that-is-long+/="
    echoed = (
        "server string to sign is:POST&%2F&SecurityToken%3D"
        + token.replace("+", "%252B").replace("/", "%252F").replace("=", "%253D")
        + " raw "
        + token
    )
    script(server, json_reply(400, Code="SignatureDoesNotMatch", Message=echoed))
    driver = make(endpoint=server.endpoint, security_token=token)
    with pytest.raises(BadRequestError) as info:
        driver.call(DESCRIBE, {"InstanceId": "i"})
    error = info.value
    assert token not in str(error) and "%252B" not in str(error)
    assert token.encode() not in error.body
    assert error.data is not None and token not in error.data["Message"]
    assert str(error).count("***") == 2


def test_async_client_has_close_and_aclose(server: Server) -> None:
    async def main() -> None:
        for closer in ("close", "aclose"):
            client = DemoAsync(
                access_key_id="a",
                access_key_secret="b",
                endpoint=server.endpoint,
                protocol="http",
            )
            await client._call(DESCRIBE, {"InstanceId": "i"})
            await getattr(client, closer)()
            with pytest.raises(SDKError, match="closed"):
                await client._call(DESCRIBE, {"InstanceId": "i"})

    asyncio.run(main())


def test_retry_deadline_setting() -> None:
    keys = {"access_key_id": "a", "access_key_secret": "b"}
    assert DemoSync(**keys)._policy.deadline == 60.0
    assert DemoSync(retry_deadline=None, **keys)._policy.deadline is None
    with pytest.raises(ParameterError, match="retry_deadline"):
        DemoSync(retry_deadline=0, **keys)


def test_credentials_must_fit_in_a_header() -> None:
    with pytest.raises(CredentialsError) as info:
        DemoSync(access_key_id="a", access_key_secret="b", security_token="t\r\nX: 1")
    assert "X: 1" not in str(info.value)
