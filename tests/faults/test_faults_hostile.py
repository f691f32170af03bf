"""Hostile input is sent exactly and signed correctly; secrets never show.

The values go through the signature-checking fake gateway (``tests.support.acs_server``), which
decodes the query, verifies the V3 or V1 signature and echoes ``InstanceName`` /
``InstanceId`` back in its JSON answer, so each value makes a full round trip.
"""

from __future__ import annotations

import logging
import pickle
import socket
import traceback

import pytest

from tests.support.acs_server import V1_COMMON_PARAMS, AcsServer, error_response

from .clients import Runner

HOSTILE = {
    "crlf-header-injection": "a\r\nX-Injected: 1\r\n\r\nGET / HTTP/1.1",
    "nul": "nul\x00byte\x00",
    "query-metacharacters": "a&b=c&Action=DeleteInstance&Signature=x",
    "percent": "100% %41 %%25 %zz",
    "plus-and-spaces": " + a+b  c ",
    "emoji": "😀👍🏽🇹🇼 家族👨‍👩‍👧",
    "astral-and-controls": "𝕳𝖊𝖑𝖑𝖔 \U0010fffd \x7f\x1b[31m \u2028\u2029",
    "json-and-xml-metacharacters": '"}{<Error></Error>\\u0000',
    "very-long": "長" * 1000 + "😀" * 200 + "x" * 2000,
}
# Header names a request of ours may carry (anything else would be injected).
ALLOWED_HEADERS = {
    "accept",
    "accept-encoding",
    "authorization",
    "connection",
    "content-length",
    "host",
    "user-agent",
    "x-acs-action",
    "x-acs-content-sha256",
    "x-acs-date",
    "x-acs-security-token",
    "x-acs-signature-nonce",
    "x-acs-version",
}
SECRET = "Sup3r-S3cret-Value-0123456789abcdef"
TOKEN = "CAIS-sts-token-Value+/=9876543210"
KEY_ID = "LTAI-fault-key"


@pytest.fixture(params=["v3", "v1"])
def signature_version(request: pytest.FixtureRequest) -> str:
    """Both signature schemes."""
    return str(request.param)


def test_hostile_values_round_trip_exactly(
    acs_server: AcsServer, runner, signature_version: str
) -> None:
    client: Runner = runner(
        acs_server.endpoint, signature_version=signature_version, max_retries=0
    )
    for name, value in HOSTILE.items():
        before = acs_server.request_count
        created = client.method(
            "create_instance",
            instance_name=value,
            max_concurrent_conversation=1,
            instance_description=value[::-1],
            calling_number=[value, "4008013260"],
        )
        described = client.method("describe_instance", instance_id=value)
        create, describe = acs_server.requests[before:]
        for record in (create, describe):
            assert record.verified, (name, record.error_message)
            assert {key for key, _ in record.headers} <= ALLOWED_HEADERS, name
        api = [(k, v) for k, v in create.query if k not in V1_COMMON_PARAMS]
        assert sorted(api) == sorted(
            [
                ("CallingNumber.1", value),
                ("CallingNumber.2", "4008013260"),
                ("InstanceDescription", value[::-1]),
                ("InstanceName", value),
                ("MaxConcurrentConversation", "1"),
            ]
        ), name
        assert [(k, v) for k, v in describe.query if k not in V1_COMMON_PARAMS] == [
            ("InstanceId", value)
        ], name
        if signature_version == "v1":
            assert create.param("Action") == "CreateInstance", name
            assert describe.param("Action") == "DescribeInstance", name
        read = client.flavor.read
        instance_id = read(created, "instance.instance_id")
        assert acs_server.instances[instance_id].calling_numbers == (
            value,
            "4008013260",
        ), name
        assert read(created, "instance.instance_name") == value, name
        assert read(created, "instance.instance_description") == value[::-1], name
        assert read(described, "instance.instance_id") == value, name


def test_hostile_extra_query_is_one_signed_parameter(
    acs_server: AcsServer, runner, signature_version: str
) -> None:
    client: Runner = runner(acs_server.endpoint, signature_version=signature_version)
    evil = {"Evil&Name=1": "v&InstanceId=other", "Empty": "", "Uni😀": "\r\n"}
    client.method("describe_instance", instance_id="i-1", extra_query=evil)
    (record,) = acs_server.requests
    assert record.verified, record.error_message
    api = dict((k, v) for k, v in record.query if k not in V1_COMMON_PARAMS)
    assert api == {"InstanceId": "i-1", **evil}


BAD_HEADERS = {
    "crlf-in-value": {"x-trace": "a\r\nX-Injected: 1"},
    "lf-in-value": {"x-trace": "a\nb"},
    "nul-in-value": {"x-trace": "a\x00b"},
    "non-latin-1-value": {"x-trace": "😀"},
    "space-in-name": {"x trace": "1"},
    "colon-in-name": {"x-trace:": "1"},
    "replaces-signed-date": {"x-acs-date": "2000-01-01T00:00:00Z"},
    "replaces-authorization": {"Authorization": "ACS3-HMAC-SHA256 forged"},
    "replaces-host": {"Host": "evil.example"},
    "framing-content-length": {"Content-Length": "5"},
    "framing-transfer-encoding": {"Transfer-Encoding": "chunked"},
}


def test_header_injection_is_refused_before_sending(
    acs_server: AcsServer, runner
) -> None:
    client: Runner = runner(acs_server.endpoint)
    for name, headers in BAD_HEADERS.items():
        with pytest.raises(client.errors.ParameterError):
            client.method("describe_instance", instance_id="i-1", extra_headers=headers)
        assert acs_server.request_count == 0, name


def test_extra_headers_are_sent_and_signed(acs_server: AcsServer, runner) -> None:
    client: Runner = runner(acs_server.endpoint)
    client.method(
        "describe_instance",
        instance_id="i-1",
        extra_headers={"X-Trace": "t 1", "x-acs-test": "2", "Accept": "*/*"},
    )
    (record,) = acs_server.requests
    assert record.verified, record.error_message
    assert record.header("x-trace") == "t 1" and record.header("accept") == "*/*"
    assert {"accept", "user-agent", "x-acs-test", "x-trace"} <= set(
        record.signed_headers
    )


@pytest.mark.parametrize(
    "option", ["security_token", "access_key_id"], ids=["token", "key-id"]
)
def test_credentials_that_would_inject_headers_are_refused(
    flavor, kind, option: str
) -> None:
    client_class = flavor.client_class(kind)
    evil = "abc\r\nX-Injected: 1"
    options = {
        "access_key_id": "id",
        "access_key_secret": "s",
        "endpoint": "127.0.0.1:9",
        option: evil,
    }
    with pytest.raises(flavor.errors.CredentialsError) as caught:
        client_class(**options)
    assert evil not in str(caught.value) and "X-Injected" not in str(caught.value)


# --- secrets --------------------------------------------------------------------------------------


def _texts(error: BaseException) -> list[str]:
    """Every way an exception is commonly shown, its causes included."""
    out = [str(error), repr(error), "".join(traceback.format_exception(error))]
    out.append(repr(vars(error)))
    out.append(repr(pickle.loads(pickle.dumps(error)).__dict__))
    cause = error.__cause__ or error.__context__
    if cause is not None:
        out += [str(cause), repr(cause)]
    return out


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("signature_version", ["v3", "v1"])
def test_secrets_never_show(
    acs_server: AcsServer,
    runner,
    caplog: pytest.LogCaptureFixture,
    signature_version: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    acs_server.add_key(KEY_ID, SECRET, TOKEN)
    options = {
        "access_key_id": KEY_ID,
        "access_key_secret": SECRET,
        "security_token": TOKEN,
        "signature_version": signature_version,
        "max_retries": 1,
    }
    shown: list[str] = []
    client: Runner = runner(acs_server.endpoint, **options)
    shown += [repr(client.client), str(client.client), repr(vars(client.client))]
    shown.append(repr(client.client._credentials))
    client.method("describe_instance", instance_id="i-1")
    acs_server.script(error_response("InternalError"), times=None)
    with pytest.raises(client.errors.InternalError) as server_error:
        client.method("describe_instance", instance_id="i-1")
    acs_server.clear_script()
    shown += _texts(server_error.value)
    # The fake gateway echoes its string to sign (with the token) in this error, as V1 does.
    wrong: Runner = runner(
        acs_server.endpoint, **{**options, "access_key_secret": SECRET[::-1]}
    )
    with pytest.raises(client.errors.BadRequestError) as mismatch:
        wrong.method("describe_instance", instance_id="i-1")
    assert mismatch.value.code == "SignatureDoesNotMatch"
    assert "***" in str(mismatch.value)
    shown += _texts(mismatch.value)
    refused: Runner = runner(f"127.0.0.1:{_closed_port()}", **options)
    with pytest.raises(client.errors.APIConnectionError) as connection_error:
        refused.method("describe_instance", instance_id="i-1")
    shown += _texts(connection_error.value)
    with pytest.raises(client.errors.ParameterError) as parameter_error:
        client.method("describe_instance", instance_id=None)
    shown += _texts(parameter_error.value)
    shown.append(caplog.text)
    assert acs_server.requests[0].verified
    for text in shown:
        for secret in (SECRET, TOKEN, SECRET[::-1]):
            assert secret not in text
