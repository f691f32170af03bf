"""The official Alibaba Cloud SDK passes the fake gateway, so its verifier agrees with Alibaba's signer."""

from __future__ import annotations

import pytest
from alibabacloud_tea_openapi.exceptions import (
    ClientException,
    ServerException,
    ThrottlingException,
)

from tests.support.acs_server import (
    DOCUMENTED_ERRORS,
    ERROR_CATALOGUE,
    V1_COMMON_PARAMS,
    AcsServer,
    error_response,
    fixed_clock,
    throttling_response,
    unsuccessful_response,
)
from tests.support.official_sdk import (
    OFFICIAL_V3_SIGNED_HEADERS,
    OFFICIAL_V3_STS_SIGNED_HEADERS,
    PINNED_NONCE,
    PINNED_TIMESTAMP,
    PINNED_USER_AGENT,
    call_official,
    capture_official_request,
    official_client,
)

CREATE_PARAMS = {
    "InstanceName": "第一個實例",
    "MaxConcurrentConversation": 4,
    "InstanceDescription": "",
    "NluServiceType": "Provided",
    "ResourceGroupId": "rg-acfmwd4qr3z773y",
    "CallingNumber": ["4008013260", "4008013261"],
}
CREATE_QUERY = {
    "CallingNumber.1": "4008013260",
    "CallingNumber.2": "4008013261",
    "InstanceDescription": "",
    "InstanceName": "第一個實例",
    "MaxConcurrentConversation": "4",
    "NluServiceType": "Provided",
    "ResourceGroupId": "rg-acfmwd4qr3z773y",
}
DESCRIBE_PARAMS = {"InstanceId": "af81a389-91f0-4157-8d82-720edd02b66a"}
CREDENTIALS = {
    "ak": {"access_key_id": "testid", "access_key_secret": "testsecret"},
    "sts": {
        "access_key_id": "stsid",
        "access_key_secret": "stssecret",
        "security_token": "ststoken",
    },
}


@pytest.fixture(params=["v3", "v1"])
def signature_version(request) -> str:
    """Both signature schemes."""
    return request.param


@pytest.fixture(params=sorted(CREDENTIALS))
def credentials(request) -> dict[str, str]:
    """A plain AccessKey pair and an STS triple."""
    return CREDENTIALS[request.param]


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
def test_create_instance_passes(
    acs_server, signature_version, credentials, asynchronous
):
    client = official_client(
        acs_server.endpoint, signature_version=signature_version, **credentials
    )
    response = call_official(
        client, "CreateInstance", CREATE_PARAMS, asynchronous=asynchronous
    )
    body = response["body"]
    assert (response["statusCode"], body["Code"], body["Message"]) == (200, "OK", "無")
    assert body["Instance"]["InstanceName"] == "第一個實例"
    assert body["Instance"]["MaxConcurrentConversation"] == 4
    record = acs_server.last_request
    assert (record.verified, record.signature_version, record.access_key_id) == (
        True,
        signature_version,
        credentials["access_key_id"],
    )
    assert (record.method, record.path, record.body) == ("POST", "/", b"")
    api_query = {k: v for k, v in record.query if k not in V1_COMMON_PARAMS}
    assert api_query == CREATE_QUERY
    assert body["RequestId"] == record.request_id


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
def test_describe_instance_passes(
    acs_server, signature_version, credentials, asynchronous
):
    client = official_client(
        acs_server.endpoint, signature_version=signature_version, **credentials
    )
    body = call_official(
        client, "DescribeInstance", DESCRIBE_PARAMS, asynchronous=asynchronous
    )["body"]
    assert (body["Message"], body["Instance"]["InstanceId"]) == (
        "Success",
        DESCRIBE_PARAMS["InstanceId"],
    )
    record = acs_server.last_request
    assert record.verified and record.action == "DescribeInstance"
    token = credentials.get("security_token")
    if signature_version == "v3":
        assert record.header("x-acs-security-token") == token
        assert record.param("SecurityToken") is None
    else:
        assert record.param("SecurityToken") == token
        assert record.param("Action") == "DescribeInstance"


@pytest.mark.parametrize(
    ("credential", "expected"),
    [("ak", OFFICIAL_V3_SIGNED_HEADERS), ("sts", OFFICIAL_V3_STS_SIGNED_HEADERS)],
)
def test_official_v3_signed_header_set(acs_server, credential, expected):
    client = official_client(acs_server.endpoint, **CREDENTIALS[credential])
    call_official(client, "DescribeInstance", DESCRIBE_PARAMS)
    assert acs_server.last_request.signed_headers == expected


def test_official_sdk_rejected_with_wrong_secret(acs_server, signature_version):
    client = official_client(
        acs_server.endpoint,
        signature_version=signature_version,
        access_key_secret="wrong",
    )
    with pytest.raises(ClientException) as caught:
        call_official(client, "DescribeInstance", DESCRIBE_PARAMS)
    assert (caught.value.status_code, caught.value.code) == (
        400,
        "SignatureDoesNotMatch",
    )


@pytest.mark.parametrize(("action", "code"), DOCUMENTED_ERRORS)
def test_official_sdk_reads_documented_errors(
    acs_server, signature_version, action, code
):
    acs_server.script(error_response(code), action=action)
    client = official_client(acs_server.endpoint, signature_version=signature_version)
    params = CREATE_PARAMS if action == "CreateInstance" else DESCRIBE_PARAMS
    status = ERROR_CATALOGUE[code][0]
    with pytest.raises(ClientException if status < 500 else ServerException) as caught:
        call_official(client, action, params)
    error = caught.value
    assert (error.status_code, error.code) == (status, code)
    assert error.request_id == acs_server.last_request.request_id
    assert error.data["Message"] == ERROR_CATALOGUE[code][1]
    assert acs_server.request_count == 1


def test_official_sdk_reads_throttling(acs_server):
    acs_server.script(throttling_response("100"))
    client = official_client(acs_server.endpoint)
    with pytest.raises(ThrottlingException) as caught:
        call_official(client, "DescribeInstance", DESCRIBE_PARAMS)
    assert (caught.value.code, caught.value.retry_after) == ("Throttling.User", 100)


def test_official_sdk_returns_unsuccessful_body(acs_server):
    acs_server.script(unsuccessful_response())
    client = official_client(acs_server.endpoint)
    body = call_official(client, "DescribeInstance", DESCRIBE_PARAMS)["body"]
    assert body["Success"] is False


# --- the pinned capture helper for differential tests ---------------------------------------------


@pytest.mark.parametrize("credential", sorted(CREDENTIALS))
def test_capture_is_pinned_and_repeatable(signature_version, credential):
    first, second = (
        capture_official_request(
            "CreateInstance",
            CREATE_PARAMS,
            signature_version=signature_version,
            **CREDENTIALS[credential],
        )
        for _ in range(2)
    )
    assert first.record.verified and first.response["body"]["Code"] == "OK"
    assert first.query == second.query == tuple(sorted(first.query))
    assert first.headers["user-agent"] == PINNED_USER_AGENT
    if signature_version == "v3":
        assert (
            first.headers["x-acs-date"],
            first.headers["x-acs-signature-nonce"],
        ) == (
            PINNED_TIMESTAMP,
            PINNED_NONCE,
        )
        assert dict(first.query) == CREATE_QUERY
    else:
        params = dict(first.query)
        assert (params["Timestamp"], params["SignatureNonce"]) == (
            PINNED_TIMESTAMP,
            PINNED_NONCE,
        )
        assert first.signature == params["Signature"]
    host_bound = {"authorization", "host"}  # the V3 signature covers the server's port
    assert {k: v for k, v in first.headers.items() if k not in host_bound} == {
        k: v for k, v in second.headers.items() if k not in host_bound
    }


def test_capture_on_one_server_repeats_the_signature(signature_version):
    with AcsServer(clock=fixed_clock(PINNED_TIMESTAMP)) as server:
        first = capture_official_request(
            "DescribeInstance",
            DESCRIBE_PARAMS,
            signature_version=signature_version,
            server=server,
        )
        server.forget_nonces()
        second = capture_official_request(
            "DescribeInstance",
            DESCRIBE_PARAMS,
            signature_version=signature_version,
            server=server,
            asynchronous=True,
        )
    assert first.signature == second.signature
    assert first.signed_headers == second.signed_headers


def test_capture_reports_a_rejected_request(acs_server):
    with pytest.raises(RuntimeError, match="InvalidTimeStamp|expired"):
        capture_official_request("DescribeInstance", DESCRIBE_PARAMS, server=acs_server)
