"""``error_from_response``: each class, unusable bodies, throttling, messages, pickling."""

from __future__ import annotations

import json
import pickle

import pytest
from acs_sdkgen.runtime import (
    APIConnectionError,
    APIError,
    APIResponseError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadGatewayError,
    BadRequestError,
    ClientError,
    ConflictError,
    GatewayTimeoutError,
    InternalServerError,
    NotFoundError,
    ParameterError,
    PermissionDeniedError,
    SDKError,
    ServerError,
    ServiceUnavailableError,
    ThrottlingError,
    UnsuccessfulResponseError,
    error_from_response,
)


class InvalidInstanceNameDuplicatedError(BadRequestError):
    """A generated per-code class."""


CODES: dict[str, type[APIStatusError]] = {
    "InvalidInstanceName.Duplicated": InvalidInstanceNameDuplicatedError
}


def body(**fields: object) -> bytes:
    return json.dumps(fields).encode()


def error(status: int, data: bytes, headers: dict[str, str] | None = None) -> APIError:
    return error_from_response(status, headers or {}, data, CODES)


def test_hierarchy() -> None:
    assert issubclass(ParameterError, ValueError) and issubclass(
        ParameterError, SDKError
    )
    assert issubclass(APITimeoutError, APIConnectionError)
    assert issubclass(APIConnectionError, APIError)
    assert issubclass(ThrottlingError, ClientError)
    assert issubclass(GatewayTimeoutError, ServerError)
    assert issubclass(UnsuccessfulResponseError, APIStatusError)


def test_documented_code_gets_its_class() -> None:
    err = error(
        400,
        body(
            Code="InvalidInstanceName.Duplicated",
            Message="The specified InstanceName already exists.",
            RequestId="254EB995-DEDF-48A4-9101-9CA5B72FFBCC",
            HostId="outboundbot.cn-shanghai.aliyuncs.com",
            Recommend="https://next.api.aliyun.com/troubleshoot?q=x",
        ),
        {"X-Acs-Request-Id": "header-id"},
    )
    assert type(err) is InvalidInstanceNameDuplicatedError
    assert isinstance(err, BadRequestError)
    assert str(err) == (
        "400 InvalidInstanceName.Duplicated: The specified InstanceName already exists. "
        "(request id 254EB995-DEDF-48A4-9101-9CA5B72FFBCC)"
    )
    assert err.status_code == 400
    assert err.code == "InvalidInstanceName.Duplicated"
    assert err.request_id == "254EB995-DEDF-48A4-9101-9CA5B72FFBCC"
    assert err.host_id == "outboundbot.cn-shanghai.aliyuncs.com"
    assert err.recommend and err.recommend.startswith("https://")
    assert err.data and err.data["Code"] == "InvalidInstanceName.Duplicated"
    assert err.headers["x-acs-request-id"] == "header-id"
    assert err.headers["X-ACS-REQUEST-ID"] == "header-id"
    assert err.headers.get("X-Acs-Request-Id") == "header-id"
    assert err.retry_after is None


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (418, ClientError),
        (429, ThrottlingError),
        (500, InternalServerError),
        (502, BadGatewayError),
        (503, ServiceUnavailableError),
        (504, GatewayTimeoutError),
        (507, ServerError),
        (302, APIStatusError),
    ],
)
def test_status_classes(status: int, cls: type[APIStatusError]) -> None:
    err = error(status, body(Code="Some.Code", Message="m", RequestId="r"))
    assert type(err) is cls


def test_unknown_code_falls_back_to_status() -> None:
    err = error(400, body(Code="MissingParameter", Message="x"))
    assert type(err) is BadRequestError
    assert str(err) == "400 MissingParameter: x"


def test_request_id_from_header_when_body_has_none() -> None:
    err = error(500, body(Code="InternalError"), {"x-acs-request-id": "hdr"})
    assert err.request_id == "hdr"
    assert isinstance(err, APIStatusError) and err.message == "Internal Server Error"


def test_lower_case_fields() -> None:
    err = error(404, body(code="NotThere", message="gone", requestId="r"))
    assert isinstance(err, NotFoundError)
    assert (err.code, err.message, err.request_id) == ("NotThere", "gone", "r")


def test_throttling_by_code_and_by_header() -> None:
    err = error(400, body(Code="Throttling.User", Message="slow down"))
    assert type(err) is ThrottlingError
    err = error(503, body(Code="ServiceUnavailable"), {"x-acs-retry-after": "1500"})
    assert type(err) is ThrottlingError
    assert isinstance(err, ThrottlingError) and err.retry_after == 1.5
    err = error(429, body(Code="Busy"), {"Retry-After": "3"})
    assert isinstance(err, ThrottlingError) and err.retry_after == 3.0
    err = error(429, body(Code="Busy"), {"Retry-After": "soon"})
    assert isinstance(err, ThrottlingError) and err.retry_after is None


def test_success_false_on_http_200() -> None:
    err = error(
        200, body(Success=False, Code="Instance.Busy", Message="busy", RequestId="r")
    )
    assert type(err) is UnsuccessfulResponseError
    assert str(err) == "200 Instance.Busy: busy (request id r)"


def test_html_502_from_a_proxy() -> None:
    html = b"<html>\r\n<head><title>502 Bad Gateway</title></head>\n<body>" + b"x" * 500
    err = error(502, html, {"Content-Type": "text/html"})
    assert type(err) is APIResponseError
    assert isinstance(err, APIResponseError)
    assert err.status_code == 502 and err.body == html
    text = str(err)
    assert text.startswith(
        "502 Bad Gateway: expected a JSON object but the body is not valid JSON"
    )
    assert "(content-type text/html)" in text
    assert "<html> <head><title>502 Bad Gateway</title></head> <body>" in text
    assert "\n" not in text and len(text) < 400


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "the body is empty"),
        (b"   ", "the body is empty"),
        (b'{"RequestId":"abc","Ins', "not valid JSON"),
        (b"<?xml version='1.0'?><Error><Message>X</Message></Error>", "not valid JSON"),
        (b"[1,2]", "not an object (list)"),
        (b"\xff\xfe\x00garbage", "not valid JSON"),
    ],
)
def test_unusable_bodies(data: bytes, fragment: str) -> None:
    err = error(500, data)
    assert type(err) is APIResponseError
    assert fragment in str(err)
    assert str(err).isprintable()


def test_rest_error_bodies_of_any_json_type_are_status_errors() -> None:
    """REST specs document error bodies that are a JSON string or list: `except NotFoundError` still catches a 404
    answered `"no such pet"` (the string is the message) or answered without a body; a body that is no JSON stays an
    APIResponseError."""
    err = error_from_response(404, {}, b'"no such pet"', CODES, any_json=True)
    assert type(err) is NotFoundError and err.message == "no such pet" and err.data is None
    assert err.body == b'"no such pet"' and str(err).startswith("404")
    err = error_from_response(500, {}, b"[1,2]", CODES, any_json=True)
    assert type(err) is InternalServerError and err.message == "Internal Server Error"
    err = error_from_response(404, {}, b"", CODES, any_json=True)  # no body (always so for HEAD)
    assert type(err) is NotFoundError and err.message == "Not Found" and err.data is None
    html = error_from_response(502, {"Content-Type": "text/html"}, b"<html>", CODES, any_json=True)
    assert type(html) is APIResponseError
    assert type(error(404, b'"no such pet"')) is APIResponseError  # RPC: every error answer is an object


def test_xml_error_body() -> None:
    xml = (
        b"<?xml version='1.0' encoding='UTF-8'?><Error><RequestId>R-1</RequestId>"
        b"<HostId>h</HostId><Code>Throttling.User</Code>"
        b"<Message>Request was denied &amp; &lt;throttled&gt;.</Message></Error>"
    )
    err = error(400, xml, {"Content-Type": "text/xml"})
    assert type(err) is ThrottlingError
    assert (err.code, err.request_id, err.host_id) == ("Throttling.User", "R-1", "h")
    assert str(err) == (
        "400 Throttling.User: Request was denied & <throttled>. (request id R-1)"
    )
    cdata = (
        b"<Error><Code>InternalError</Code><Message><![CDATA[a<b]]></Message></Error>"
    )
    err = error(500, cdata)
    assert type(err) is InternalServerError and err.message == "a<b"
    coded = b"<Error><Code>InvalidInstanceName.Duplicated</Code></Error>"
    assert type(error(400, coded)) is InvalidInstanceNameDuplicatedError


def test_truncated_json_on_200() -> None:
    err = error(200, b'{"RequestId":"abc","Success":tr')
    assert isinstance(err, APIResponseError) and err.status_code == 200


def test_transport_errors() -> None:
    err = APITimeoutError(phase="connect", request_sent=False)
    assert err.phase == "connect" and not err.request_sent
    assert str(err) == "Timed out while connecting."
    assert APIConnectionError(request_sent=True).request_sent


def test_errors_pickle() -> None:
    err = error(
        400, body(Code="InvalidInstanceName.Duplicated", Message="m", RequestId="r")
    )
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is InvalidInstanceNameDuplicatedError
    assert str(copy) == str(err)
    assert copy.headers == err.headers
    timeout = pickle.loads(
        pickle.dumps(APITimeoutError(phase="read", request_sent=True))
    )
    assert timeout.phase == "read" and timeout.request_sent
