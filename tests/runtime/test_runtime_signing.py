"""The published Alibaba Cloud signature examples, step by step, and the signing helpers."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import quote

from acs_sdkgen.runtime import (
    Credentials,
    canonical_query,
    canonical_request_v3,
    new_nonce,
    sign_v1,
    sign_v3,
    signature_v1,
    signature_v3,
    string_to_sign_v1,
    string_to_sign_v3,
    utc_timestamp,
)
from acs_sdkgen.runtime.signing import (
    EMPTY_BODY_SHA256,
    canonical_query_v1,
    sign_v1_query,
)

V3_PAIRS = [
    ("ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"),
    ("RegionId", "cn-shanghai"),
]
V3_HEADERS = {
    "host": "ecs.cn-shanghai.aliyuncs.com",
    "x-acs-action": "RunInstances",
    "x-acs-version": "2014-05-26",
    "x-acs-date": "2023-10-26T10:22:32Z",
    "x-acs-signature-nonce": "3156853299f313e23d1673dc12e1703d",
    "x-acs-content-sha256": EMPTY_BODY_SHA256,
}
V3_REQUEST_HASH = "7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"
V3_SIGNATURE = "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
V3_CREDENTIALS = Credentials("YourAccessKeyId", "YourAccessKeySecret")

V1_PAIRS = [
    ("AccessKeyId", "testid"),
    ("Action", "DescribeRegions"),
    ("Format", "XML"),
    ("SignatureMethod", "HMAC-SHA1"),
    ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
    ("SignatureVersion", "1.0"),
    ("Timestamp", "2016-02-23T12:46:24Z"),
    ("Version", "2014-05-26"),
]


def test_empty_body_hash() -> None:
    assert hashlib.sha256(b"").hexdigest() == EMPTY_BODY_SHA256


def test_v3_published_example_step_by_step() -> None:
    query = canonical_query(V3_PAIRS)
    assert query == (
        "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"
        "&RegionId=cn-shanghai"
    )
    request = canonical_request_v3(
        method="POST", query=query, headers=V3_HEADERS, hashed_payload=EMPTY_BODY_SHA256
    )
    assert request.split("\n")[:3] == ["POST", "/", query]
    assert hashlib.sha256(request.encode()).hexdigest() == V3_REQUEST_HASH
    to_sign = string_to_sign_v3(request)
    assert to_sign == f"ACS3-HMAC-SHA256\n{V3_REQUEST_HASH}"
    assert signature_v3("YourAccessKeySecret", to_sign) == V3_SIGNATURE


def test_v3_canonical_request_layout() -> None:
    request = canonical_request_v3(
        method="POST",
        query="",
        headers={"X-Acs-B": " 2 ", "host": "h"},
        hashed_payload="p",
    )
    assert request == "POST\n/\n\nhost:h\nx-acs-b:2\n\nhost;x-acs-b\np"


def test_sign_v3_reproduces_the_published_signature() -> None:
    headers = sign_v3(
        credentials=V3_CREDENTIALS,
        method="POST",
        host="ecs.cn-shanghai.aliyuncs.com",
        pairs=list(reversed(V3_PAIRS)),
        headers={},
        body=b"",
        action="RunInstances",
        version="2014-05-26",
        date="2023-10-26T10:22:32Z",
        nonce="3156853299f313e23d1673dc12e1703d",
    )
    assert headers["Authorization"] == (
        "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;"
        "x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,"
        f"Signature={V3_SIGNATURE}"
    )
    for name, value in V3_HEADERS.items():
        assert headers[name] == value


def test_sign_v3_signs_every_header_but_framing_ones() -> None:
    headers = sign_v3(
        credentials=Credentials("id", "secret", "sts-token"),
        method="POST",
        host="h",
        pairs=[],
        headers={
            "Accept": "application/json",
            "Content-Type": "text/plain",
            "x-acs-extra": "1",
            "User-Agent": "ua/1",
            "Content-Length": "3",
            "Connection": "keep-alive",
            "authorization": "forged",
        },
        body=b"abc",
        action="A",
        version="V",
        date="D",
        nonce="N",
    )
    signed = re.search(r"SignedHeaders=([^,]+)", headers["Authorization"])
    assert signed is not None
    assert signed.group(1) == (
        "accept;content-type;host;user-agent;x-acs-action;x-acs-content-sha256;"
        "x-acs-date;x-acs-extra;x-acs-security-token;x-acs-signature-nonce;"
        "x-acs-version"
    )
    assert "authorization" not in headers
    assert headers["accept"] == "application/json"
    assert headers["x-acs-security-token"] == "sts-token"
    assert headers["x-acs-content-sha256"] == hashlib.sha256(b"abc").hexdigest()
    assert "secret" not in headers["Authorization"]


def test_v3_query_is_encoded_and_sorted_by_encoded_name_then_value() -> None:
    pairs = [("b", "2"), ("a", "z"), ("a", "y"), ("Name.1", "x y*~/é")]
    assert canonical_query(pairs) == "Name.1=x%20y%2A~%2F%C3%A9&a=y&a=z&b=2"
    assert canonical_query([("Empty", "")]) == "Empty="


def test_v1_published_examples() -> None:
    assert signature_v1("testsecret", string_to_sign_v1("GET", V1_PAIRS)) == (
        "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
    )
    assert signature_v1("testsecret", string_to_sign_v1("POST", V1_PAIRS)) == (
        "MxbnVAM4w6sft9xjVpe/GCKueuk="
    )


def test_v1_string_to_sign_layout() -> None:
    to_sign = string_to_sign_v1("GET", V1_PAIRS + [("Signature", "ignored")])
    assert to_sign.startswith("GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions")
    assert "Signature%3D" not in to_sign


def test_sign_v1_second_published_example() -> None:
    pairs = sign_v1(
        credentials=Credentials("testid", "testsecret"),
        method="GET",
        pairs=[("Format", "JSON"), ("RegionId", "cn-beijing")],
        action="DescribeDedicatedHosts",
        version="2014-05-26",
        timestamp="2023-03-13T08:34:30Z",
        nonce="edb2b34af0af9a6d14deaf7c1a5315eb",
    )
    assert pairs[-1] == ("Signature", "9NaGiOspFP5UPcwX8Iwt2YJXXuk=")
    assert dict(pairs) == {
        "Action": "DescribeDedicatedHosts",
        "Format": "JSON",
        "Version": "2014-05-26",
        "Timestamp": "2023-03-13T08:34:30Z",
        "SignatureNonce": "edb2b34af0af9a6d14deaf7c1a5315eb",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "AccessKeyId": "testid",
        "RegionId": "cn-beijing",
        "Signature": "9NaGiOspFP5UPcwX8Iwt2YJXXuk=",
    }


def test_sign_v1_common_parameters_match_the_official_sdk() -> None:
    pairs = sign_v1(
        credentials=Credentials("id", "secret", "token"),
        method="POST",
        pairs=[("InstanceId", "i-1")],
        action="DescribeInstance",
        version="2019-12-26",
        timestamp="T",
        nonce="N",
    )
    names = [name for name, _ in pairs]
    assert names == [
        "Action",
        "Format",
        "Version",
        "Timestamp",
        "SignatureNonce",
        "SecurityToken",
        "SignatureMethod",
        "SignatureVersion",
        "AccessKeyId",
        "InstanceId",
        "Signature",
    ]
    assert dict(pairs)["Format"] == "json"
    assert dict(pairs)["SecurityToken"] == "token"


def test_sign_v1_query_matches_sign_v1() -> None:
    args = dict(
        credentials=Credentials("id", "secret"),
        method="POST",
        pairs=[("Name", "a b&c=d"), ("CallingNumber.1", "1")],
        action="A",
        version="V",
        timestamp="2023-03-13T08:34:30Z",
        nonce="n",
    )
    pairs = sign_v1(**args)  # type: ignore[arg-type]
    query = sign_v1_query(**args)  # type: ignore[arg-type]
    signature = dict(pairs)["Signature"]
    assert query == canonical_query_v1(pairs[:-1]) + "&Signature=" + quote(
        signature, safe="~"
    )


def test_timestamp_and_nonce_shapes() -> None:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", utc_timestamp())
    nonces = {new_nonce() for _ in range(100)}
    assert len(nonces) == 100
    assert all(re.fullmatch(r"[0-9a-f]{32}", n) for n in nonces)
