"""Unit tests of the fake gateway: it accepts correctly signed requests and rejects everything else."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import socket
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote, quote_plus

import pytest

from tests.support import acs_signature
from tests.support.acs_server import (
    AcsServer,
    delayed_response,
    dropped_connection,
    empty_body_response,
    error_response,
    fixed_clock,
    html_bad_gateway_response,
    json_response,
    throttling_response,
    truncated_json_response,
    unsuccessful_response,
)

EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
V3_EXAMPLE_QUERY = (
    ("ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"),
    ("RegionId", "cn-shanghai"),
)
V3_EXAMPLE_HEADERS = {
    "host": "ecs.cn-shanghai.aliyuncs.com",
    "x-acs-action": "RunInstances",
    "x-acs-content-sha256": EMPTY_SHA256,
    "x-acs-date": "2023-10-26T10:22:32Z",
    "x-acs-signature-nonce": "3156853299f313e23d1673dc12e1703d",
    "x-acs-version": "2014-05-26",
}
V3_EXAMPLE_HASH = "7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"
V3_EXAMPLE_SIGNATURE = (
    "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
)
V1_EXAMPLE_1 = {
    "AccessKeyId": "testid",
    "Action": "DescribeRegions",
    "Format": "XML",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
    "SignatureVersion": "1.0",
    "Timestamp": "2016-02-23T12:46:24Z",
    "Version": "2014-05-26",
}
V1_EXAMPLE_2 = {
    "AccessKeyId": "testid",
    "Action": "DescribeDedicatedHosts",
    "Format": "JSON",
    "RegionId": "cn-beijing",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "edb2b34af0af9a6d14deaf7c1a5315eb",
    "SignatureVersion": "1.0",
    "Timestamp": "2023-03-13T08:34:30Z",
    "Version": "2014-05-26",
}
V1_EXAMPLES = (
    ("GET", V1_EXAMPLE_1, "OLeaidS1JvxuMvnyHOwuJ+uX5qY="),
    ("POST", V1_EXAMPLE_1, "MxbnVAM4w6sft9xjVpe/GCKueuk="),
    ("GET", V1_EXAMPLE_2, "9NaGiOspFP5UPcwX8Iwt2YJXXuk="),
)
CREATE_PARAMS = (
    ("InstanceName", "第一個實例"),
    ("MaxConcurrentConversation", "4"),
    ("CallingNumber.1", "4008013260"),
    ("CallingNumber.2", "4008013261"),
)
DESCRIBE_PARAMS = (("InstanceId", "af81a389-91f0-4157-8d82-720edd02b66a"),)


# --- a minimal client with its own signing code (neither the server's nor an SDK's) ---------------


def _enc(value: str) -> str:
    """Percent-encode as the spec suggests."""
    return quote(value, safe="~")


def _now() -> str:
    """The current UTC time in the wire format."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def v3_canonical_request(
    method: str,
    query: tuple[tuple[str, str], ...],
    headers: dict[str, str],
    payload: str,
) -> str:
    """The ACS3 canonical request signing every header in ``headers``."""
    names = sorted(headers)
    return "\n".join(
        [
            method,
            "/",
            "&".join(f"{_enc(k)}={_enc(v)}" for k, v in sorted(query)),
            "".join(f"{name}:{headers[name].strip()}\n" for name in names),
            ";".join(names),
            payload,
        ]
    )


def v3_authorization(
    key_id: str, secret: str, method: str, query: tuple, headers: dict[str, str]
) -> str:
    """The Authorization header for ``headers`` (all of them signed)."""
    canonical = v3_canonical_request(
        method, query, headers, headers["x-acs-content-sha256"]
    )
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    signature = hmac.new(
        secret.encode(), f"ACS3-HMAC-SHA256\n{digest}".encode(), hashlib.sha256
    ).hexdigest()
    return f"ACS3-HMAC-SHA256 Credential={key_id},SignedHeaders={';'.join(sorted(headers))},Signature={signature}"


def v1_signature(method: str, params: dict[str, str], secret: str) -> str:
    """The V1 ``Signature`` of ``params``."""
    canonical = "&".join(f"{_enc(k)}={_enc(v)}" for k, v in sorted(params.items()))
    string_to_sign = f"{method}&%2F&{_enc(canonical)}"
    digest = hmac.new(
        f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1
    ).digest()
    return base64.b64encode(digest).decode()


@dataclass
class Signed:
    """A request ready to send: method, decoded query pairs, headers, body."""

    method: str
    query: tuple[tuple[str, str], ...]
    headers: dict[str, str]
    body: bytes = b""


def v3_request(
    server: AcsServer,
    action: str = "DescribeInstance",
    params: tuple = DESCRIBE_PARAMS,
    *,
    key_id: str = "testid",
    secret: str = "testsecret",
    token: str | None = None,
    method: str = "POST",
    date: str | None = None,
    nonce: str | None = None,
    version: str = "2019-12-26",
    extra: dict[str, str] | None = None,
    body: bytes = b"",
) -> Signed:
    """A V3-signed request that signs every header it carries (plus ``extra``)."""
    headers = {
        "host": server.endpoint,
        "x-acs-action": action,
        "x-acs-version": version,
        "x-acs-date": date or _now(),
        "x-acs-signature-nonce": nonce or uuid.uuid4().hex,
        "x-acs-content-sha256": hashlib.sha256(body).hexdigest(),
        **({"x-acs-security-token": token} if token else {}),
        **(extra or {}),
    }
    authorization = v3_authorization(key_id, secret, method, params, headers)
    return Signed(
        method, tuple(params), {**headers, "authorization": authorization}, body
    )


def v1_request(
    action: str = "DescribeInstance",
    params: tuple = DESCRIBE_PARAMS,
    *,
    key_id: str = "testid",
    secret: str = "testsecret",
    token: str | None = None,
    method: str = "POST",
    timestamp: str | None = None,
    nonce: str | None = None,
    version: str = "2019-12-26",
) -> Signed:
    """A V1-signed request."""
    common = {
        "AccessKeyId": key_id,
        "Action": action,
        "Format": "json",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": nonce or uuid.uuid4().hex,
        "SignatureVersion": "1.0",
        "Timestamp": timestamp or _now(),
        "Version": version,
        **({"SecurityToken": token} if token else {}),
    }
    query = {**common, **dict(params)}
    query["Signature"] = v1_signature(method, query, secret)
    return Signed(method, tuple(query.items()), {})


@dataclass
class Answer:
    """What came back."""

    status: int
    headers: dict[str, str]
    raw: bytes

    @property
    def json(self) -> dict:
        """The body as JSON."""
        return json.loads(self.raw)

    @property
    def code(self) -> str | None:
        """The body's ``Code``."""
        return self.json.get("Code")


def send(
    server: AcsServer,
    request: Signed,
    *,
    connection: http.client.HTTPConnection | None = None,
    encode=_enc,
) -> Answer:
    """Send ``request`` (query encoded with ``encode``) and read the answer."""
    own = connection is None
    connection = connection or http.client.HTTPConnection(
        "127.0.0.1", server.port, timeout=5
    )
    try:
        target = "/?" + "&".join(f"{encode(k)}={encode(v)}" for k, v in request.query)
        connection.request(
            request.method, target, body=request.body, headers=request.headers
        )
        response = connection.getresponse()
        return Answer(
            response.status,
            {k.lower(): v for k, v in response.getheaders()},
            response.read(),
        )
    finally:
        if own:
            connection.close()


def replace_param(request: Signed, name: str, value: str) -> Signed:
    """``request`` with one query value changed after signing."""
    query = tuple((k, value if k == name else v) for k, v in request.query)
    return Signed(request.method, query, request.headers, request.body)


def with_headers(request: Signed, **changes: str | None) -> Signed:
    """``request`` with headers set (or removed with None) after signing; ``_`` stands for ``-``."""
    headers = dict(request.headers)
    for name, value in changes.items():
        name = name.replace("_", "-")
        if value is None:
            headers.pop(name, None)
        else:
            headers[name] = value
    return Signed(request.method, request.query, headers, request.body)


@pytest.fixture
def server() -> Iterator[AcsServer]:
    """A fresh fake gateway."""
    with AcsServer() as fake:
        yield fake


# --- the signing code, anchored on Alibaba's published examples -----------------------------------


def test_test_helper_reproduces_published_v3_example():
    canonical = v3_canonical_request(
        "POST", V3_EXAMPLE_QUERY, V3_EXAMPLE_HEADERS, EMPTY_SHA256
    )
    assert hashlib.sha256(canonical.encode()).hexdigest() == V3_EXAMPLE_HASH
    authorization = v3_authorization(
        "YourAccessKeyId",
        "YourAccessKeySecret",
        "POST",
        V3_EXAMPLE_QUERY,
        V3_EXAMPLE_HEADERS,
    )
    assert authorization.endswith(f"Signature={V3_EXAMPLE_SIGNATURE}")


@pytest.mark.parametrize(("method", "params", "expected"), V1_EXAMPLES)
def test_test_helper_reproduces_published_v1_examples(method, params, expected):
    assert v1_signature(method, params, "testsecret") == expected


def test_server_primitives_reproduce_published_v3_example():
    names = sorted(V3_EXAMPLE_HEADERS)
    canonical = acs_signature.v3_canonical_request(
        "POST", "/", V3_EXAMPLE_QUERY, V3_EXAMPLE_HEADERS, names, EMPTY_SHA256
    )
    string_to_sign = acs_signature.v3_string_to_sign(canonical)
    assert string_to_sign == f"ACS3-HMAC-SHA256\n{V3_EXAMPLE_HASH}"
    assert (
        acs_signature.v3_signature("YourAccessKeySecret", string_to_sign)
        == V3_EXAMPLE_SIGNATURE
    )


@pytest.mark.parametrize(("method", "params", "expected"), V1_EXAMPLES)
def test_server_primitives_reproduce_published_v1_examples(method, params, expected):
    string_to_sign = acs_signature.v1_string_to_sign(method, params.items())
    assert acs_signature.v1_signature("testsecret", string_to_sign) == expected


@pytest.mark.parametrize("text", ["a b", "a+b", "*", "~", "第一", "a/b", "=&", ""])
def test_server_percent_encoding_matches_rfc3986(text):
    assert acs_signature.percent_encode(text) == quote(text, safe="~")


# --- accepting: the published requests verbatim, and requests of the test client --------------------


def test_accepts_published_v3_request_verbatim():
    with AcsServer(
        {"YourAccessKeyId": ("YourAccessKeySecret", None)},
        clock=fixed_clock(V3_EXAMPLE_HEADERS["x-acs-date"]),
    ) as fake:
        authorization = (
            "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;"
            "x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,"
            f"Signature={V3_EXAMPLE_SIGNATURE}"
        )
        headers = {**V3_EXAMPLE_HEADERS, "authorization": authorization}
        answer = send(fake, Signed("POST", V3_EXAMPLE_QUERY, headers))
        record = fake.last_request
    assert record.verified and record.signature_version == "v3"
    assert (answer.status, answer.code) == (400, "InvalidVersion")


@pytest.mark.parametrize(("method", "params", "expected"), V1_EXAMPLES)
def test_accepts_published_v1_requests_verbatim(method, params, expected):
    with AcsServer(clock=fixed_clock(params["Timestamp"])) as fake:
        query = (*params.items(), ("Signature", expected))
        answer = send(fake, Signed(method, query, {}))
        record = fake.last_request
    assert record.verified and record.signature_version == "v1"
    assert (answer.status, answer.code) == (400, "InvalidVersion")


@pytest.mark.parametrize("method", ["POST", "GET"])
@pytest.mark.parametrize("build", [v1_request, v3_request], ids=["v1", "v3"])
@pytest.mark.parametrize(
    ("key_id", "secret", "token"),
    [("testid", "testsecret", None), ("stsid", "stssecret", "ststoken")],
)
def test_accepts_signed_describe(server, build, method, key_id, secret, token):
    args = (server,) if build is v3_request else ()
    request = build(*args, key_id=key_id, secret=secret, token=token, method=method)
    answer = send(server, request)
    assert answer.status == 200, answer.raw
    assert answer.json["Message"] == "Success"
    assert answer.json["Instance"]["InstanceId"] == DESCRIBE_PARAMS[0][1]
    record = server.last_request
    assert (record.verified, record.access_key_id, record.method) == (
        True,
        key_id,
        method,
    )


@pytest.mark.parametrize("encode", [_enc, quote_plus], ids=["percent20", "plus"])
def test_accepts_either_space_encoding(server, encode):
    params = (("InstanceName", "a b+c*~/第一"), ("MaxConcurrentConversation", "4"))
    answer = send(server, v3_request(server, "CreateInstance", params), encode=encode)
    assert answer.status == 200, answer.raw
    assert answer.json["Instance"]["InstanceName"] == "a b+c*~/第一"


def test_accepts_form_body_params_in_v3_signature(server):
    body = b"InstanceId=from-body"
    extra = {"content-type": "application/x-www-form-urlencoded"}
    answer = send(server, v3_request(server, params=(), extra=extra, body=body))
    assert answer.status == 200, answer.raw
    assert answer.json["Instance"]["InstanceId"] == "from-body"


def test_accepts_date_within_skew(server):
    date = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 14 * 60))
    assert send(server, v3_request(server, date=date)).status == 200


# --- rejecting ------------------------------------------------------------------------------------


def _tampered_signature(request: Signed) -> Signed:
    """Flip the last character of the V3 signature."""
    value = request.headers["authorization"]
    flipped = value[:-1] + ("0" if value[-1] != "0" else "1")
    return with_headers(request, authorization=flipped)


V3_REJECTIONS = {
    "tampered-signature": (
        lambda s: _tampered_signature(v3_request(s)),
        400,
        "SignatureDoesNotMatch",
    ),
    "wrong-secret": (
        lambda s: v3_request(s, secret="wrongsecret"),
        400,
        "SignatureDoesNotMatch",
    ),
    "changed-query-value": (
        lambda s: replace_param(v3_request(s), "InstanceId", "other"),
        400,
        "SignatureDoesNotMatch",
    ),
    "added-query-param": (
        lambda s: Signed("POST", (*DESCRIBE_PARAMS, ("X", "1")), v3_request(s).headers),
        400,
        "SignatureDoesNotMatch",
    ),
    "changed-method": (
        lambda s: Signed("GET", DESCRIBE_PARAMS, v3_request(s).headers),
        400,
        "SignatureDoesNotMatch",
    ),
    "changed-signed-header": (
        lambda s: with_headers(v3_request(s), x_acs_action="CreateInstance"),
        400,
        "SignatureDoesNotMatch",
    ),
    "missing-signed-header": (
        lambda s: with_headers(
            v3_request(s, extra={"x-acs-extra": "1"}), x_acs_extra=None
        ),
        400,
        "SignatureDoesNotMatch",
    ),
    "unsigned-x-acs-header": (
        lambda s: with_headers(v3_request(s), x_acs_extra="1"),
        400,
        "SignatureDoesNotMatch",
    ),
    "body-hash-mismatch": (
        lambda s: Signed("POST", DESCRIBE_PARAMS, v3_request(s).headers, b"x"),
        400,
        "SignatureDoesNotMatch",
    ),
    "unknown-key": (
        lambda s: v3_request(s, key_id="nobody"),
        404,
        "InvalidAccessKeyId.NotFound",
    ),
    "sts-token-missing": (
        lambda s: v3_request(s, key_id="stsid", secret="stssecret"),
        400,
        "MissingSecurityToken",
    ),
    "sts-token-wrong": (
        lambda s: v3_request(s, key_id="stsid", secret="stssecret", token="other"),
        400,
        "InvalidSecurityToken.MismatchWithAccessKey",
    ),
    "token-for-plain-key": (
        lambda s: v3_request(s, token="ststoken"),
        400,
        "InvalidSecurityToken.MismatchWithAccessKey",
    ),
    "expired-date": (
        lambda s: v3_request(
            s, date=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(0))
        ),
        400,
        "InvalidTimeStamp.Expired",
    ),
    "malformed-date": (
        lambda s: v3_request(s, date="2024-01-01 00:00:00"),
        400,
        "InvalidTimeStamp.Format",
    ),
    "missing-nonce": (
        lambda s: with_headers(v3_request(s), x_acs_signature_nonce=None),
        400,
        "IncompleteSignature",
    ),
    "other-algorithm": (
        lambda s: with_headers(
            v3_request(s), authorization="ACS3-HMAC-SM3 Credential=testid"
        ),
        400,
        "IncompleteSignature",
    ),
    "no-signature-at-all": (
        lambda s: Signed("POST", DESCRIBE_PARAMS, {}),
        400,
        "IncompleteSignature",
    ),
}


@pytest.mark.parametrize(
    ("build", "status", "code"), V3_REJECTIONS.values(), ids=V3_REJECTIONS
)
def test_rejects_bad_v3_requests(server, build, status, code):
    answer = send(server, build(server))
    assert (answer.status, answer.code) == (status, code), answer.raw
    body = answer.json
    assert sorted(body) == ["Code", "HostId", "Message", "Recommend", "RequestId"]
    record = server.last_request
    assert (record.verified, record.status, record.error_code) == (False, status, code)
    assert body["RequestId"] == record.request_id == answer.headers["x-acs-request-id"]


def test_rejects_host_left_out_of_signed_headers(server):
    request = v3_request(server)
    headers = {
        k: v for k, v in request.headers.items() if k not in ("host", "authorization")
    }
    authorization = v3_authorization(
        "testid", "testsecret", "POST", DESCRIBE_PARAMS, headers
    )
    answer = send(server, with_headers(request, authorization=authorization))
    assert (answer.status, answer.code) == (400, "SignatureDoesNotMatch")
    assert "host" in answer.json["Message"]


V1_REJECTIONS = {
    "tampered-signature": (
        lambda: replace_param(v1_request(), "Signature", "AAAA" + "A" * 24),
        400,
        "SignatureDoesNotMatch",
    ),
    "wrong-secret": (
        lambda: v1_request(secret="wrongsecret"),
        400,
        "SignatureDoesNotMatch",
    ),
    "changed-query-value": (
        lambda: replace_param(v1_request(), "InstanceId", "other"),
        400,
        "SignatureDoesNotMatch",
    ),
    "changed-method": (
        lambda: Signed("GET", v1_request().query, {}),
        400,
        "SignatureDoesNotMatch",
    ),
    "unknown-key": (
        lambda: v1_request(key_id="nobody"),
        404,
        "InvalidAccessKeyId.NotFound",
    ),
    "sts-token-missing": (
        lambda: v1_request(key_id="stsid", secret="stssecret"),
        400,
        "MissingSecurityToken",
    ),
    "sts-token-wrong": (
        lambda: v1_request(key_id="stsid", secret="stssecret", token="other"),
        400,
        "InvalidSecurityToken.MismatchWithAccessKey",
    ),
    "missing-nonce": (
        lambda: Signed(
            "POST", tuple(p for p in v1_request().query if p[0] != "SignatureNonce"), {}
        ),
        400,
        "MissingSignatureNonce",
    ),
    "expired-timestamp": (
        lambda: v1_request(timestamp="2016-02-23T12:46:24Z"),
        400,
        "InvalidTimeStamp.Expired",
    ),
}


@pytest.mark.parametrize(
    ("build", "status", "code"), V1_REJECTIONS.values(), ids=V1_REJECTIONS
)
def test_rejects_bad_v1_requests(server, build, status, code):
    answer = send(server, build())
    assert (answer.status, answer.code) == (status, code), answer.raw
    assert server.last_request.verified is False


@pytest.mark.parametrize("build", [v1_request, v3_request], ids=["v1", "v3"])
def test_rejects_replayed_nonce(server, build):
    request = build(server) if build is v3_request else build()
    assert send(server, request).status == 200
    answer = send(server, request)
    assert (answer.status, answer.code) == (400, "SignatureNonceUsed")
    assert [r.verified for r in server.requests] == [True, False]
    server.forget_nonces()
    assert send(server, request).status == 200


def test_failed_signature_does_not_burn_the_nonce(server):
    request = v3_request(server)
    assert send(server, _tampered_signature(request)).status == 400
    assert send(server, request).status == 200


# --- API behaviour --------------------------------------------------------------------------------


API_REJECTIONS = {
    "missing-instance-name": (
        "CreateInstance",
        (("MaxConcurrentConversation", "4"),),
        "MissingInstanceName",
    ),
    "empty-instance-name": (
        "CreateInstance",
        (("InstanceName", ""), ("MaxConcurrentConversation", "4")),
        "MissingInstanceName",
    ),
    "missing-max-conversations": (
        "CreateInstance",
        (("InstanceName", "x"),),
        "MissingMaxConcurrentConversation",
    ),
    "non-integer": (
        "CreateInstance",
        (("InstanceName", "x"), ("MaxConcurrentConversation", "4.0")),
        "InvalidParameter",
    ),
    "int32-overflow": (
        "CreateInstance",
        (("InstanceName", "x"), ("MaxConcurrentConversation", str(2**31))),
        "InvalidParameter",
    ),
    "unknown-nlu-service-type": (
        "CreateInstance",
        (
            ("InstanceName", "x"),
            ("MaxConcurrentConversation", "4"),
            ("NluServiceType", "Foo"),
        ),
        "InvalidParameter",
    ),
    "bare-repeat-list": (
        "CreateInstance",
        (
            ("InstanceName", "x"),
            ("MaxConcurrentConversation", "4"),
            ("CallingNumber", "1"),
        ),
        "InvalidParameter",
    ),
    "repeat-list-gap": (
        "CreateInstance",
        (
            ("InstanceName", "x"),
            ("MaxConcurrentConversation", "4"),
            ("CallingNumber.2", "1"),
        ),
        "InvalidParameter",
    ),
    "repeated-param": (
        "DescribeInstance",
        (("InstanceId", "a"), ("InstanceId", "b")),
        "InvalidParameter",
    ),
    "missing-instance-id": ("DescribeInstance", (), "MissingInstanceId"),
    "unknown-action": ("DeleteInstance", DESCRIBE_PARAMS, "InvalidAction.NotFound"),
}


@pytest.mark.parametrize(
    ("action", "params", "code"), API_REJECTIONS.values(), ids=API_REJECTIONS
)
def test_rejects_invalid_api_calls_after_verifying(server, action, params, code):
    answer = send(server, v3_request(server, action, params))
    assert (answer.status, answer.code) == (400, code), answer.raw
    assert server.last_request.verified is True


@pytest.mark.parametrize("build", [v1_request, v3_request], ids=["v1", "v3"])
def test_rejects_other_api_version(server, build):
    request = (
        build(server, version="2020-01-01")
        if build is v3_request
        else build(version="2020-01-01")
    )
    answer = send(server, request)
    assert (answer.status, answer.code) == (400, "InvalidVersion")


def test_create_echoes_request_and_describe_finds_it(server):
    params = (*CREATE_PARAMS, ("InstanceDescription", ""), ("ResourceGroupId", "rg-1"))
    created = send(server, v3_request(server, "CreateInstance", params)).json
    assert {
        k: created[k] for k in ("HttpStatusCode", "Code", "Message", "Success")
    } == {
        "HttpStatusCode": 200,
        "Code": "OK",
        "Message": "無",
        "Success": True,
    }
    instance = created["Instance"]
    assert instance["InstanceName"] == "第一個實例"
    assert instance["InstanceDescription"] == ""
    assert instance["ResourceGroupId"] == "rg-1"
    assert instance["MaxConcurrentConversation"] == 4
    assert (instance["CreationTime"], instance["CreatorId"]) == (1578469042851, 435986)
    stored = server.instances[instance["InstanceId"]]
    assert stored.calling_numbers == ("4008013260", "4008013261")
    described = send(
        server, v3_request(server, params=(("InstanceId", instance["InstanceId"]),))
    ).json
    assert (described["Message"], described["Instance"]) == ("Success", instance)


def test_describe_unknown_id_echoes_it_in_the_seed_instance(server):
    body = send(server, v1_request(params=(("InstanceId", "i-echo"),))).json
    assert body["Instance"]["InstanceId"] == "i-echo"
    assert body["Instance"]["InstanceName"] == "第一個實例"
    assert body["RequestId"] == server.last_request.request_id


# --- recording ------------------------------------------------------------------------------------


def test_records_what_arrived(server):
    request = v3_request(server, "CreateInstance", CREATE_PARAMS)
    send(server, request)
    send(server, v1_request())
    first, second = server.requests
    assert (first.index, first.method, first.path, first.action) == (
        0,
        "POST",
        "/",
        "CreateInstance",
    )
    assert first.query == CREATE_PARAMS
    assert first.param("CallingNumber.2") == "4008013261"
    assert first.header("X-ACS-Action") == "CreateInstance"
    assert first.signed_headers == tuple(
        sorted(request.headers.keys() - {"authorization"})
    )
    assert first.signature == request.headers["authorization"].rsplit("=", 1)[1]
    assert (first.body, first.status, first.error_code) == (b"", 200, None)
    assert (second.signature_version, second.action, second.param("Action")) == (
        "v1",
        "DescribeInstance",
        "DescribeInstance",
    )
    assert second.signature == second.param("Signature")
    assert server.request_count == 2
    server.clear_requests()
    assert server.requests == []


# --- scripted responses ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("InvalidInstanceName.Duplicated", 400),
        ("LimitExceeded.ConcurrentConversation", 400),
        ("InternalError", 500),
    ],
)
def test_scripted_documented_errors(server, code, status):
    server.script(error_response(code))
    answer = send(server, v3_request(server, "CreateInstance", CREATE_PARAMS))
    assert (answer.status, answer.code) == (status, code)
    assert answer.json["RequestId"] == server.last_request.request_id
    assert answer.json["Message"].startswith(("The ", "An error"))
    assert send(server, v3_request(server)).status == 200


def test_scripted_throttling_carries_retry_after(server):
    server.script(throttling_response("250"))
    answer = send(server, v3_request(server))
    assert (answer.status, answer.code, answer.headers["x-acs-retry-after"]) == (
        400,
        "Throttling.User",
        "250",
    )


def test_scripted_malformed_answers(server):
    for response in (
        html_bad_gateway_response(),
        empty_body_response(),
        truncated_json_response(),
    ):
        server.script(response)
    html, empty, truncated = (send(server, v3_request(server)) for _ in range(3))
    assert (html.status, html.headers["content-type"]) == (502, "text/html")
    assert html.raw.startswith(b"<html>")
    assert (empty.status, empty.raw) == (200, b"")
    assert truncated.status == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(truncated.raw)


def test_scripted_unsuccessful_and_custom_json(server):
    server.script(unsuccessful_response("Instance.NotExists", "Gone."))
    server.script(json_response({"Code": "OK", "Success": True, "NewField": [1]}))
    unsuccessful = send(server, v3_request(server)).json
    custom = send(server, v3_request(server)).json
    assert (unsuccessful["Success"], unsuccessful["Code"]) == (
        False,
        "Instance.NotExists",
    )
    assert (
        custom["NewField"] == [1]
        and custom["RequestId"] == server.last_request.request_id
    )


def test_script_times_action_filter_and_unlimited(server):
    rule = server.script(
        error_response("InternalError"), times=2, action="CreateInstance"
    )
    statuses = [
        send(server, v3_request(server, action, params)).status
        for action, params in [
            ("DescribeInstance", DESCRIBE_PARAMS),
            ("CreateInstance", CREATE_PARAMS),
            ("CreateInstance", CREATE_PARAMS),
            ("CreateInstance", CREATE_PARAMS),
        ]
    ]
    assert statuses == [200, 500, 500, 200]
    assert (rule.hits, rule.remaining) == (2, 0)
    forever = server.script(throttling_response(), times=None)
    assert [send(server, v3_request(server)).status for _ in range(3)] == [400] * 3
    assert forever.hits == 3
    server.clear_script()
    assert send(server, v3_request(server)).status == 200


def test_script_is_not_consumed_by_rejected_requests(server):
    server.script(error_response("InternalError"))
    assert (
        send(server, v3_request(server, secret="wrong")).code == "SignatureDoesNotMatch"
    )
    assert send(server, v3_request(server)).code == "InternalError"


def test_scripted_delay_and_dropped_connection(server):
    server.script(delayed_response(0.05, error_response("InternalError")))
    server.script(dropped_connection())
    started = time.monotonic()
    assert send(server, v3_request(server)).status == 500
    assert time.monotonic() - started >= 0.05
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        send(server, v3_request(server))
    assert server.request_count == 2


# --- transport: keep-alive, bounds, shutdown ------------------------------------------------------


def test_keeps_connections_alive(server):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        statuses = []
        for _ in range(3):
            statuses.append(
                send(server, v3_request(server), connection=connection).status
            )
            statuses.append(id(connection.sock))
    finally:
        connection.close()
    assert statuses[0::2] == [200, 200, 200]
    assert len(set(statuses[1::2])) == 1


def test_request_limit_refuses_further_requests():
    with AcsServer(max_requests=2) as fake:
        answers = [send(fake, v3_request(fake)) for _ in range(3)]
        assert [a.status for a in answers] == [200, 200, 503]
        assert answers[2].headers["connection"] == "close"
        assert (fake.request_count, fake.overflow_count) == (2, 1)


def test_idle_connection_times_out():
    with AcsServer(socket_timeout=0.05) as fake:
        with socket.create_connection(("127.0.0.1", fake.port), timeout=2) as raw:
            assert raw.recv(1) == b""


def test_stops_cleanly_with_an_open_keep_alive_connection():
    fake = AcsServer().start()
    connection = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=5)
    assert send(fake, v3_request(fake), connection=connection).status == 200
    started = time.monotonic()
    fake.stop()
    assert time.monotonic() - started < 1.0
    assert not fake.running
    connection.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", fake.port), timeout=1)


def test_binds_loopback_ephemeral_port(server):
    assert server.endpoint == f"127.0.0.1:{server.port}" and server.port > 0
    assert server.url == f"http://127.0.0.1:{server.port}/"
