"""Each fault maps to a documented exception with status, request id and a readable message.

Every case runs for both actions on every flavor and client kind with ``max_retries=2``, and
asserts the exact number of requests the server received: read-only DescribeInstance is retried
after a 5xx or a lost answer, CreateInstance is not (a retried create can create twice);
throttling and failures before the request left are retried for both.
"""

from __future__ import annotations

import json
import socket
import time
from dataclasses import dataclass

import pytest

from . import report
from .clients import ACTIONS
from .fault_server import FaultServer, Step, drop, hang, raw, reset, respond

HTML_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
XML_ERROR = (
    b"<?xml version='1.0' encoding='UTF-8'?><Error><RequestId>rid-xml</RequestId>"
    b"<HostId>outboundbot.cn-shanghai.aliyuncs.com</HostId><Code>InvalidParameter</Code>"
    b"<Message>Specified parameter InstanceName is not valid.</Message></Error>"
)
HEAD_100 = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
)
RETRIED = {"CreateInstance": 1, "DescribeInstance": 3}  # with max_retries=2
ALWAYS = {"CreateInstance": 3, "DescribeInstance": 3}
ONCE = {"CreateInstance": 1, "DescribeInstance": 1}


def error_json(status: int, code: str, message: str, request_id: str, **headers: str):
    """An Alibaba-style JSON error step."""
    body = {"Code": code, "Message": message, "RequestId": request_id}
    return respond(status, body, list(headers.items()))


@dataclass(frozen=True)
class Fault:
    """A scripted fault and what every client must do with it."""

    steps: tuple[Step, ...]
    raised: str  # class name in the flavor's errors module (exact type)
    requests: dict[str, int]
    message: str  # a fragment of str(error)
    status: int | None = None
    request_id: str | None = None
    code: str | None = None
    request_sent: bool | None = None
    options: tuple[tuple[str, object], ...] = ()


FAULTS = {
    "read timeout (server hangs)": Fault(
        (hang(2.0),) * 3,
        "APITimeoutError",
        RETRIED,
        "Timed out waiting for http://127.0.0.1:",
        request_sent=True,
        options=(("timeout", 0.15),),
    ),
    "reset before any answer": Fault(
        (reset(),) * 3, "APIConnectionError", RETRIED, "failed", request_sent=True
    ),
    "reset mid-response": Fault(
        (reset(HEAD_100 + b'{"RequestId":'),) * 3,
        "APIConnectionError",
        RETRIED,
        "",
        request_sent=True,
    ),
    "closed mid-body (short Content-Length)": Fault(
        (raw(HEAD_100 + b'{"Request'),) * 3,
        "APIConnectionError",
        RETRIED,
        "closed before the response body",
        request_sent=True,
    ),
    "closed without an answer": Fault(
        (drop(),) * 3,
        "APIConnectionError",
        RETRIED,
        "closed before the response headers",
        request_sent=True,
    ),
    "garbage instead of HTTP": Fault(
        (raw(b"SSH-2.0-OpenSSH_9.6\r\n\r\n"),) * 3,
        "APIConnectionError",
        RETRIED,
        "Invalid HTTP response",
        request_sent=True,
    ),
    "oversized response head": Fault(
        (raw(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n{}"),) * 3,
        "APIConnectionError",
        RETRIED,
        "Invalid HTTP response",
        request_sent=True,
    ),
    "HTML 502 from a proxy": Fault(
        (respond(502, HTML_502, content_type="text/html"),) * 3,
        "APIResponseError",
        RETRIED,
        "502 Bad Gateway: expected a JSON object",
        status=502,
    ),
    "XML error body": Fault(
        (respond(400, XML_ERROR, content_type="text/xml"),) * 3,
        "BadRequestError",
        ONCE,
        "400 InvalidParameter: Specified parameter InstanceName is not valid. "
        "(request id rid-xml)",
        status=400,
        request_id="rid-xml",
        code="InvalidParameter",
    ),
    "empty body on 200": Fault(
        (respond(200, b"", [("x-acs-request-id", "rid-empty")]),) * 3,
        "APIResponseError",
        ONCE,
        "200 OK: expected a JSON object but the body is empty",
        status=200,
        request_id="rid-empty",
    ),
    "empty body on 503": Fault(
        (respond(503, b"", [("x-acs-request-id", "rid-503")]),) * 3,
        "APIResponseError",
        RETRIED,
        "503 Service Unavailable: expected a JSON object but the body is empty",
        status=503,
        request_id="rid-503",
    ),
    "truncated JSON on 200": Fault(
        (respond(200, b'{"RequestId":"rid-t","Succ', [("x-acs-request-id", "rid-t")]),)
        * 3,
        "APIResponseError",
        ONCE,
        "200 OK: expected a JSON object but the body is not valid JSON",
        status=200,
        request_id="rid-t",
    ),
    "200 with Success: false": Fault(
        (
            respond(
                200,
                {
                    "HttpStatusCode": 200,
                    "Code": "Instance.NotExists",
                    "Message": "The instance does not exist.",
                    "RequestId": "rid-uns",
                    "Success": False,
                },
            ),
        )
        * 3,
        "UnsuccessfulResponseError",
        ONCE,
        "200 Instance.NotExists: The instance does not exist. (request id rid-uns)",
        status=200,
        request_id="rid-uns",
        code="Instance.NotExists",
    ),
    "unknown error code (400)": Fault(
        (error_json(400, "Some.NewCode", "Something new.", "rid-unk"),) * 3,
        "BadRequestError",
        ONCE,
        "400 Some.NewCode: Something new. (request id rid-unk)",
        status=400,
        request_id="rid-unk",
        code="Some.NewCode",
    ),
    "unknown status (418)": Fault(
        (error_json(418, "Teapot", "I am a teapot.", "rid-418"),) * 3,
        "ClientError",
        ONCE,
        "418 Teapot: I am a teapot. (request id rid-418)",
        status=418,
        request_id="rid-418",
        code="Teapot",
    ),
    "documented InternalError (500)": Fault(
        (error_json(500, "InternalError", "Try again later.", "rid-500"),) * 3,
        "InternalError",
        RETRIED,
        "500 InternalError: Try again later. (request id rid-500)",
        status=500,
        request_id="rid-500",
        code="InternalError",
    ),
    "throttling, x-acs-retry-after (retries used up)": Fault(
        (
            error_json(
                400,
                "Throttling.User",
                "Request was denied due to user flow control.",
                "rid-thr",
                **{"x-acs-retry-after": "10"},
            ),
        )
        * 3,
        "ThrottlingError",
        ALWAYS,
        "400 Throttling.User: Request was denied due to user flow control.",
        status=400,
        request_id="rid-thr",
        code="Throttling.User",
    ),
    "429 with Retry-After (retries used up)": Fault(
        (error_json(429, "Throttling", "Too many.", "rid-429", **{"Retry-After": "1"}),)
        * 3,
        "ThrottlingError",
        ALWAYS,
        "429 Throttling: Too many. (request id rid-429)",
        status=429,
        request_id="rid-429",
        code="Throttling",
    ),
}


def check_readable(text: str, fragment: str) -> None:
    """A one-line, printable, non-empty message containing ``fragment``."""
    assert text and text.isprintable() and "\n" not in text, text
    assert len(text) < 600, text
    assert fragment in text, text


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("name", list(FAULTS))
def test_fault(fault_server: FaultServer, runner, name: str, action: str) -> None:
    fault = FAULTS[name]
    fault_server.script(*fault.steps)
    client = runner(fault_server.endpoint, max_retries=2, **dict(fault.options))
    started = time.monotonic()
    with pytest.raises(client.errors.SDKError) as caught:
        client.call(action)
    error = caught.value
    requests = fault_server.requests
    report.fault(name, action, type(error).__name__, str(requests), client.who)
    assert type(error) is getattr(client.errors, fault.raised), repr(error)
    assert isinstance(error, client.errors.APIError)
    assert requests == fault.requests[action]
    assert len(client.sleeps) == requests - 1
    check_readable(str(error), fault.message)
    assert error.request_id == fault.request_id
    if fault.status is not None:
        assert error.status_code == fault.status
    if fault.code is not None:
        assert error.code == fault.code
    if fault.request_sent is not None:
        assert error.request_sent is fault.request_sent
    if isinstance(error, client.errors.APITimeoutError):
        assert error.phase == "read"
    assert time.monotonic() - started < 5


def closed_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_connection_refused(clean_env, runner, action: str) -> None:
    client = runner(f"127.0.0.1:{closed_port()}", max_retries=2)
    with pytest.raises(client.errors.APIConnectionError) as caught:
        client.call(action)
    error = caught.value
    report.fault(
        "connection refused",
        action,
        type(error).__name__,
        "0 (3 connection attempts)",
        client.who,
    )
    assert type(error) is client.errors.APIConnectionError
    assert error.request_sent is False
    assert error.request_id is None
    check_readable(str(error), "Could not connect to http://127.0.0.1:")
    assert len(client.sleeps) == 2  # refused before sending: safe to retry any action


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_connect_timeout(clean_env, runner, action: str) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    try:
        for _ in range(3):
            filler = socket.socket()
            filler.setblocking(False)
            try:
                filler.connect(("127.0.0.1", port))
            except BlockingIOError:
                pass
            fillers.append(filler)
        time.sleep(0.05)
        client = runner(f"127.0.0.1:{port}", max_retries=2, timeout=0.1)
        with pytest.raises(client.errors.APIConnectionError) as caught:
            client.call(action)
        error = caught.value
        if not isinstance(error, client.errors.APITimeoutError):
            pytest.skip("this kernel does not drop SYNs on a full backlog")
        report.fault(
            "connect timeout",
            action,
            type(error).__name__,
            "0 (3 connection attempts)",
            client.who,
        )
        assert error.phase == "connect" and error.request_sent is False
        check_readable(str(error), "Timed out connecting to http://127.0.0.1:")
        assert len(client.sleeps) == 2
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


def test_error_keeps_the_raw_answer(fault_server: FaultServer, runner) -> None:
    fault_server.script(respond(502, HTML_502, content_type="text/html"))
    client = runner(fault_server.endpoint, max_retries=0)
    with pytest.raises(client.errors.APIResponseError) as caught:
        client.call("CreateInstance")
    assert caught.value.body == HTML_502
    assert caught.value.headers["content-type"] == "text/html"
    fault_server.script(error_json(400, "X.Y", "m", "rid"))
    with pytest.raises(client.errors.BadRequestError) as status_error:
        client.call("CreateInstance")
    assert json.loads(status_error.value.body)["Code"] == "X.Y"
    assert fault_server.requests == 2
