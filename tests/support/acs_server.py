"""A threaded, signature-checking fake of Alibaba Cloud's Outbound Bot RPC gateway (API 2019-12-26).

The server verifies ACS3-HMAC-SHA256 (V3) and HMAC-SHA1 (V1) signatures with its own code
(``tests.support.acs_signature``), answers ``CreateInstance`` and ``DescribeInstance`` with the seed
bodies, answers failures like Alibaba's gateway, and records every request it receives.

Scripting: ``server.script(error_response("InternalError"), times=2, action="CreateInstance")`` makes
the next two verified ``CreateInstance`` requests answer the scripted response instead of the normal
one. Scripted responses only apply to requests that pass signature verification.
"""

from __future__ import annotations

import calendar
import hmac
import json
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler
from types import TracebackType
from urllib.parse import parse_qsl, urlsplit

from . import acs_signature as sig
from .quiet_server import QuietHTTPServer

API_VERSION = "2019-12-26"
HOST_ID = "outboundbot.cn-shanghai.aliyuncs.com"
JSON_CONTENT_TYPE = "application/json;charset=utf-8"
DEFAULT_KEYS: Mapping[str, tuple[str, str | None]] = {
    "testid": ("testsecret", None),
    "stsid": ("stssecret", "ststoken"),
}
V1_COMMON_PARAMS = frozenset(
    {
        "AccessKeyId",
        "Action",
        "Format",
        "SecurityToken",
        "Signature",
        "SignatureMethod",
        "SignatureNonce",
        "SignatureVersion",
        "Timestamp",
        "Version",
    }
)
V1_REQUIRED_PARAMS = tuple(sorted(V1_COMMON_PARAMS - {"SecurityToken"}))
V3_REQUIRED_HEADERS = (
    "host",
    "x-acs-action",
    "x-acs-content-sha256",
    "x-acs-date",
    "x-acs-signature-nonce",
    "x-acs-version",
)
NLU_SERVICE_TYPES = frozenset({"Authorized", "DialogStudio", "Managed", "Provided"})
INT32_RANGE = range(-(2**31), 2**31)
DEFAULT_RESOURCE_GROUP_ID = "rg-acfmwd4qr3z773y"
SEED_INSTANCE: Mapping[str, object] = {
    "CreationTime": 1578469042851,
    "InstanceId": "90515b5-6115-4ccf-83e2-52d5bfaf2ddf",
    "CreatorId": 435986,
    "OwnerName": "xxxx",
    "InstanceDescription": "這個是第一個實例",
    "InstanceName": "第一個實例",
    "CreatorName": "xxx",
    "ResourceGroupId": "90515b5-6115-4ccf-83e2-52d5bfaf2ddf",
    "MaxConcurrentConversation": 4,
}
ERROR_CATALOGUE: Mapping[str, tuple[int, str]] = {
    "InvalidInstanceName.Duplicated": (
        400,
        "The specified InstanceName already exists.",
    ),
    "LimitExceeded.ConcurrentConversation": (
        400,
        "The maximum number of concurrent conversations is exceeded.",
    ),
    "InternalError": (
        500,
        "An error occurred while processing your request. Please try again later. "
        "Submit a ticket if the error still exists.",
    ),
    "Throttling.User": (400, "Request was denied due to user flow control."),
    "ServiceUnavailable": (
        503,
        "The request has failed due to a temporary failure of the server.",
    ),
}
DOCUMENTED_ERRORS = (
    ("CreateInstance", "InvalidInstanceName.Duplicated"),
    ("CreateInstance", "LimitExceeded.ConcurrentConversation"),
    ("CreateInstance", "InternalError"),
    ("DescribeInstance", "InternalError"),
)


class GatewayError(Exception):
    """A failure the fake gateway answers as an Alibaba-style JSON error body."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class ScriptedResponse:
    """A canned answer; a mapping body is sent as JSON with a missing or None ``RequestId`` filled in."""

    status: int = 200
    body: bytes | Mapping[str, object] = b""
    headers: tuple[tuple[str, str], ...] = ()
    content_type: str | None = JSON_CONTENT_TYPE
    delay: float = 0.0
    drop_connection: bool = False


@dataclass
class ScriptRule:
    """A scripted response waiting for matching requests; ``remaining=None`` never runs out."""

    response: ScriptedResponse
    action: str | None
    remaining: int | None
    hits: int = 0


@dataclass(frozen=True)
class CreatedInstance:
    """An instance created through the fake, with the calling numbers the request carried."""

    instance: Mapping[str, object]
    calling_numbers: tuple[str, ...]


@dataclass(frozen=True)
class RecordedRequest:
    """One request as it arrived (query decoded, header names lower-case) and the server's verdict."""

    index: int
    request_id: str
    method: str
    path: str
    raw_query: str
    query: tuple[tuple[str, str], ...]
    headers: tuple[tuple[str, str], ...]
    body: bytes
    signature_version: str | None
    access_key_id: str | None
    action: str | None
    verified: bool
    status: int
    error_code: str | None
    error_message: str | None

    @property
    def params(self) -> dict[str, str]:
        """The decoded query as a dict (the last value wins for a repeated name)."""
        return dict(self.query)

    def param(self, name: str, default: str | None = None) -> str | None:
        """The decoded value of query parameter ``name``."""
        return self.params.get(name, default)

    def header(self, name: str, default: str | None = None) -> str | None:
        """The value of header ``name`` (case-insensitive; repeated values joined by ``,``)."""
        values = [value for key, value in self.headers if key == name.lower()]
        return ",".join(values) if values else default

    @property
    def authorization(self) -> dict[str, str]:
        """The ``Credential``, ``SignedHeaders`` and ``Signature`` fields of a V3 Authorization header."""
        return _parse_authorization(self.header("authorization") or "")[1]

    @property
    def signed_headers(self) -> tuple[str, ...]:
        """The V3 ``SignedHeaders`` names, or ``()`` for other requests."""
        names = self.authorization.get("SignedHeaders", "")
        return tuple(names.split(";")) if names else ()

    @property
    def signature(self) -> str | None:
        """The signature the client sent (V3 Authorization field or V1 ``Signature`` parameter)."""
        if self.signature_version == "v1":
            return self.param("Signature")
        return self.authorization.get("Signature")


@dataclass(frozen=True)
class _Incoming:
    """A parsed HTTP request handed from the handler thread to the server logic."""

    method: str
    path: str
    raw_query: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header_values(self, name: str) -> list[str]:
        """Every value of header ``name`` in arrival order."""
        return [value for key, value in self.headers if key == name]

    def header(self, name: str) -> str | None:
        """The canonical (trimmed, comma-joined) value of header ``name``, or None if absent."""
        values = self.header_values(name)
        return ",".join(value.strip() for value in values) if values else None

    def form(self) -> list[tuple[str, str]]:
        """Decoded pairs of a form-encoded body (empty for any other body)."""
        content_type = (self.header("content-type") or "").lower()
        if not self.body or not content_type.startswith(
            "application/x-www-form-urlencoded"
        ):
            return []
        return _decode_pairs(self.body.decode("utf-8", errors="strict"))


@dataclass
class _Verdict:
    """What the server learnt about a request so far, for its record."""

    query: tuple[tuple[str, str], ...] = ()
    signature_version: str | None = None
    access_key_id: str | None = None
    action: str | None = None
    verified: bool = False


@dataclass(frozen=True)
class _Auth:
    """A verified request: its action, API version and API parameters."""

    action: str
    api_version: str | None
    params: tuple[tuple[str, str], ...]
    response_format: str | None = None


@dataclass(frozen=True)
class _Reply:
    """What the handler writes back."""

    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...]
    delay: float = 0.0
    drop_connection: bool = False
    close: bool = False


def error_response(
    code: str,
    *,
    status: int | None = None,
    message: str | None = None,
    headers: tuple[tuple[str, str], ...] = (),
) -> ScriptedResponse:
    """An Alibaba-style JSON error; status and message default to ``ERROR_CATALOGUE``."""
    known_status, known_message = ERROR_CATALOGUE.get(code, (None, None))
    status = status if status is not None else known_status
    message = message if message is not None else known_message
    if status is None or message is None:
        raise ValueError(f"give status and message for the uncatalogued code {code!r}")
    return ScriptedResponse(
        status=status, body=_error_body(code, message), headers=headers
    )


def throttling_response(retry_after: str = "100") -> ScriptedResponse:
    """``Throttling.User`` (HTTP 400) with header ``x-acs-retry-after`` (Alibaba sends milliseconds)."""
    return error_response(
        "Throttling.User", headers=(("x-acs-retry-after", retry_after),)
    )


def html_bad_gateway_response() -> ScriptedResponse:
    """An HTML 502 page as a load balancer in front of the gateway would send it."""
    page = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
    return ScriptedResponse(status=502, body=page, content_type="text/html")


def empty_body_response(status: int = 200) -> ScriptedResponse:
    """A JSON-typed response with an empty body."""
    return ScriptedResponse(status=status, body=b"")


def truncated_json_response(status: int = 200) -> ScriptedResponse:
    """A JSON body cut off in the middle (with a matching Content-Length)."""
    body = b'{"HttpStatusCode":200,"Code":"OK","Message":"Success","Success":true,"Instance":{"InstanceId":"'
    return ScriptedResponse(status=status, body=body)


def unsuccessful_response(
    code: str = "OperationFailed", message: str = "The operation failed."
) -> ScriptedResponse:
    """HTTP 200 with ``Success: false`` and no ``Instance``."""
    body = {"HttpStatusCode": 200, "Code": code, "Message": message, "Success": False}
    return ScriptedResponse(status=200, body=body)


def json_response(body: Mapping[str, object], status: int = 200) -> ScriptedResponse:
    """An arbitrary JSON body (``RequestId`` is filled in when absent)."""
    return ScriptedResponse(status=status, body=dict(body))


def delayed_response(
    seconds: float, response: ScriptedResponse | None = None
) -> ScriptedResponse:
    """``response`` (by default a minimal ``Success: true`` JSON body) sent after ``seconds``."""
    base = response or json_response(
        {"HttpStatusCode": 200, "Code": "OK", "Success": True}
    )
    return replace(base, delay=seconds)


def dropped_connection() -> ScriptedResponse:
    """Close the connection without answering."""
    return ScriptedResponse(drop_connection=True)


def fixed_clock(timestamp: str) -> Callable[[], float]:
    """A clock frozen at a ``yyyy-MM-ddTHH:mm:ssZ`` UTC timestamp, for ``AcsServer(clock=...)``."""
    moment = float(calendar.timegm(time.strptime(timestamp, sig.TIMESTAMP_FORMAT)))
    return lambda: moment


class AcsServer:
    """Threaded HTTP/1.1 fake of the Outbound Bot gateway on 127.0.0.1 that checks V3 and V1 signatures."""

    def __init__(
        self,
        keys: Mapping[str, tuple[str, str | None]] = DEFAULT_KEYS,
        *,
        clock: Callable[[], float] = time.time,
        max_clock_skew: float | None = 900.0,
        max_requests: int = 1000,
        socket_timeout: float = 5.0,
        max_body_bytes: int = 1 << 20,
    ) -> None:
        self.keys: dict[str, tuple[str, str | None]] = dict(keys)
        self.clock = clock
        self.max_clock_skew = max_clock_skew
        self.max_requests = max_requests
        self.socket_timeout = socket_timeout
        self.max_body_bytes = max_body_bytes
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._records: list[RecordedRequest] = []
        self._rules: list[ScriptRule] = []
        self._nonces: set[tuple[str, str]] = set()
        self._instances: dict[str, CreatedInstance] = {}
        self._received = 0
        self._overflow = 0
        self._connections: dict[socket.socket, threading.Thread] = {}
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> AcsServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> AcsServer:
        """Bind an ephemeral port on 127.0.0.1 and serve from a daemon thread."""
        if self._httpd is not None:
            raise RuntimeError("server already started")
        self._httpd = _HTTPServer(("127.0.0.1", 0), _Handler, self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"acs-server-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close the listening socket and every open connection, join the threads."""
        if self._httpd is None:
            return
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        with self._lock:
            connections = list(self._connections.items())
        for connection, _ in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for _, thread in connections:
            thread.join(timeout=2.0)
        if self._thread is not None:
            self._thread.join(timeout=2.0)

    @property
    def running(self) -> bool:
        """Whether the serving thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def port(self) -> int:
        """The ephemeral port the server listens on."""
        if self._httpd is None:
            raise RuntimeError("server not started")
        return self._httpd.server_address[1]

    @property
    def endpoint(self) -> str:
        """``127.0.0.1:PORT``, the form SDK configs take."""
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT/``."""
        return f"http://{self.endpoint}/"

    def add_key(
        self, key_id: str, secret: str, security_token: str | None = None
    ) -> None:
        """Register an AccessKey; with ``security_token`` it is an STS key that requires that token."""
        with self._lock:
            self.keys[key_id] = (secret, security_token)

    def script(
        self,
        response: ScriptedResponse,
        *,
        times: int | None = 1,
        action: str | None = None,
    ) -> ScriptRule:
        """Answer the next ``times`` verified requests (of ``action`` if given) with ``response``."""
        if times is not None and times < 1:
            raise ValueError("times must be positive or None")
        rule = ScriptRule(response=response, action=action, remaining=times)
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear_script(self) -> None:
        """Drop every pending scripted response."""
        with self._lock:
            self._rules.clear()

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every recorded request, oldest first."""
        with self._lock:
            return list(self._records)

    @property
    def request_count(self) -> int:
        """How many requests were recorded."""
        with self._lock:
            return len(self._records)

    @property
    def last_request(self) -> RecordedRequest:
        """The most recent recorded request."""
        with self._lock:
            if not self._records:
                raise LookupError("no request recorded")
            return self._records[-1]

    @property
    def overflow_count(self) -> int:
        """How many requests were refused because ``max_requests`` was reached."""
        with self._lock:
            return self._overflow

    @property
    def instances(self) -> dict[str, CreatedInstance]:
        """Instances created through ``CreateInstance``, by InstanceId."""
        with self._lock:
            return dict(self._instances)

    def forget_nonces(self) -> None:
        """Allow every nonce again (a differential test replays one pinned nonce from two clients)."""
        with self._lock:
            self._nonces.clear()

    def clear_requests(self) -> None:
        """Forget the recorded requests (nonces stay used)."""
        with self._lock:
            self._records.clear()

    def process(self, incoming: _Incoming) -> _Reply:
        """Verify, answer and record one request (called from handler threads)."""
        with self._lock:
            if self._received >= self.max_requests:
                self._overflow += 1
                return _error_reply(
                    GatewayError(
                        503,
                        "ServiceUnavailable",
                        "The fake server's request limit is reached.",
                    ),
                    "",
                    close=True,
                )
            index = self._received
            self._received += 1
        request_id = f"00000000-0000-4000-8000-{index + 1:012X}"
        verdict = _Verdict()
        error: GatewayError | None = None
        try:
            reply = self._answer(incoming, verdict, request_id)
        except GatewayError as failure:
            error = failure
            reply = _error_reply(failure, request_id, host=incoming.header("host"))
        except (
            Exception
        ) as bug:  # noqa: BLE001 - a bug in the fake must not hang the client
            error = GatewayError(500, "FakeServerBug", f"{type(bug).__name__}: {bug}")
            reply = _error_reply(error, request_id, close=True)
        record = RecordedRequest(
            index=index,
            request_id=request_id,
            method=incoming.method,
            path=incoming.path,
            raw_query=incoming.raw_query,
            query=verdict.query,
            headers=incoming.headers,
            body=incoming.body,
            signature_version=verdict.signature_version,
            access_key_id=verdict.access_key_id,
            action=verdict.action,
            verified=verdict.verified,
            status=reply.status,
            error_code=error.code if error else None,
            error_message=error.message if error else None,
        )
        with self._lock:
            self._records.append(record)
        return reply

    def wait_stopping(self, seconds: float) -> None:
        """Sleep up to ``seconds``, returning early when the server stops."""
        self._stopping.wait(seconds)

    def track(self, connection: socket.socket) -> None:
        """Remember an open connection and its handler thread so ``stop`` can close and join it."""
        with self._lock:
            self._connections[connection] = threading.current_thread()

    def untrack(self, connection: socket.socket) -> None:
        """Forget a closed connection."""
        with self._lock:
            self._connections.pop(connection, None)

    def _answer(
        self, incoming: _Incoming, verdict: _Verdict, request_id: str
    ) -> _Reply:
        """Authenticate, then answer with a scripted response or the action's own response."""
        verdict.query = tuple(_decode_pairs(incoming.raw_query))
        auth = self._authenticate(incoming, verdict)
        rule = self._take_rule(auth.action)
        if rule is not None:
            return _scripted_reply(rule.response, request_id)
        return _json_reply(200, self._dispatch(incoming, auth, request_id), request_id)

    def _authenticate(self, incoming: _Incoming, verdict: _Verdict) -> _Auth:
        """Check the V3 or V1 signature, the token, the clock and the nonce."""
        authorization = incoming.header("authorization")
        if authorization is not None:
            auth, nonce, timestamp = self._verify_v3(incoming, authorization, verdict)
        elif any(name == "Signature" for name, _ in verdict.query):
            auth, nonce, timestamp = self._verify_v1(incoming, verdict)
        else:
            raise GatewayError(
                400,
                "IncompleteSignature",
                "The request carries neither an Authorization header nor a Signature parameter.",
            )
        self._check_clock(timestamp)
        self._use_nonce(verdict.access_key_id or "", nonce)
        verdict.verified = True
        return auth

    def _verify_v3(
        self, incoming: _Incoming, authorization: str, verdict: _Verdict
    ) -> tuple[_Auth, str, str]:
        """Recompute the ACS3-HMAC-SHA256 signature from what arrived."""
        verdict.signature_version = "v3"
        algorithm, fields = _parse_authorization(authorization)
        if algorithm != sig.V3_ALGORITHM or set(fields) != {
            "Credential",
            "SignedHeaders",
            "Signature",
        }:
            raise GatewayError(
                400,
                "IncompleteSignature",
                f"Authorization must be '{sig.V3_ALGORITHM} Credential=..,SignedHeaders=..,Signature=..'.",
            )
        verdict.access_key_id = fields["Credential"]
        verdict.action = incoming.header("x-acs-action")
        secret, token = self._secret_for(fields["Credential"])
        for name in V3_REQUIRED_HEADERS:
            if incoming.header(name) is None:
                raise GatewayError(
                    400, "IncompleteSignature", f"Header {name} is required."
                )
        signed = fields["SignedHeaders"].split(";")
        _check_signed_headers(incoming, signed)
        payload_hash = incoming.header("x-acs-content-sha256") or ""
        if payload_hash != sig.sha256_hex(incoming.body):
            raise GatewayError(
                400,
                "SignatureDoesNotMatch",
                "The x-acs-content-sha256 header does not match the SHA-256 of the body.",
            )
        canonical = sig.v3_canonical_request(
            incoming.method,
            incoming.path,
            verdict.query,
            {name: incoming.header(name) or "" for name in signed},
            signed,
            payload_hash,
        )
        string_to_sign = sig.v3_string_to_sign(canonical)
        if not hmac.compare_digest(
            sig.v3_signature(secret, string_to_sign), fields["Signature"]
        ):
            raise GatewayError(
                400,
                "SignatureDoesNotMatch",
                "Specified signature does not match our calculation. "
                f"server string to sign is:{string_to_sign} canonical request is:{canonical}",
            )
        _check_token(token, incoming.header("x-acs-security-token"))
        auth = _Auth(
            action=incoming.header("x-acs-action") or "",
            api_version=incoming.header("x-acs-version"),
            params=verdict.query + tuple(incoming.form()),
        )
        return (
            auth,
            incoming.header("x-acs-signature-nonce") or "",
            incoming.header("x-acs-date") or "",
        )

    def _verify_v1(
        self, incoming: _Incoming, verdict: _Verdict
    ) -> tuple[_Auth, str, str]:
        """Recompute the HMAC-SHA1 signature from the query (and a form body)."""
        verdict.signature_version = "v1"
        pairs = verdict.query + tuple(incoming.form())
        params = _unique(pairs)
        for name in V1_REQUIRED_PARAMS:
            if not params.get(name):
                raise GatewayError(
                    400, f"Missing{name}", f"{name} is mandatory for this action."
                )
        verdict.access_key_id, verdict.action = params["AccessKeyId"], params["Action"]
        if (
            params["SignatureMethod"] != sig.V1_METHOD
            or params["SignatureVersion"] != sig.V1_VERSION
        ):
            raise GatewayError(
                400,
                "InvalidSignatureMethod",
                f"Only SignatureMethod={sig.V1_METHOD} with SignatureVersion={sig.V1_VERSION} is supported.",
            )
        secret, token = self._secret_for(params["AccessKeyId"])
        string_to_sign = sig.v1_string_to_sign(
            incoming.method,
            [(name, value) for name, value in pairs if name != "Signature"],
        )
        if not hmac.compare_digest(
            sig.v1_signature(secret, string_to_sign), params["Signature"]
        ):
            raise GatewayError(
                400,
                "SignatureDoesNotMatch",
                "Specified signature is not matched with our calculation. "
                f"server string to sign is:{string_to_sign}",
            )
        _check_token(token, params.get("SecurityToken"))
        auth = _Auth(
            action=params["Action"],
            api_version=params["Version"],
            response_format=params["Format"],
            params=tuple(
                (name, value) for name, value in pairs if name not in V1_COMMON_PARAMS
            ),
        )
        return auth, params["SignatureNonce"], params["Timestamp"]

    def _secret_for(self, key_id: str) -> tuple[str, str | None]:
        """The secret and STS token of a registered key."""
        with self._lock:
            found = self.keys.get(key_id)
        if found is None:
            raise GatewayError(
                404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."
            )
        return found

    def _check_clock(self, timestamp: str) -> None:
        """Require a well-formed UTC timestamp within ``max_clock_skew`` seconds of ``clock()``."""
        try:
            moment = calendar.timegm(time.strptime(timestamp, sig.TIMESTAMP_FORMAT))
        except ValueError:
            raise GatewayError(
                400,
                "InvalidTimeStamp.Format",
                "Specified time stamp or date value is not well formatted.",
            ) from None
        if (
            self.max_clock_skew is not None
            and abs(moment - self.clock()) > self.max_clock_skew
        ):
            raise GatewayError(
                400,
                "InvalidTimeStamp.Expired",
                "Specified time stamp or date value is expired.",
            )

    def _use_nonce(self, key_id: str, nonce: str) -> None:
        """Reject a nonce this key already used."""
        with self._lock:
            if (key_id, nonce) in self._nonces:
                raise GatewayError(
                    400,
                    "SignatureNonceUsed",
                    "Specified signature nonce was used already.",
                )
            self._nonces.add((key_id, nonce))

    def _take_rule(self, action: str) -> ScriptRule | None:
        """Consume one use of the first pending rule matching ``action``."""
        with self._lock:
            for rule in self._rules:
                if rule.action in (None, action):
                    rule.hits += 1
                    if rule.remaining is not None:
                        rule.remaining -= 1
                        if rule.remaining == 0:
                            self._rules.remove(rule)
                    return rule
        return None

    def _dispatch(
        self, incoming: _Incoming, auth: _Auth, request_id: str
    ) -> dict[str, object]:
        """Check path, method and version, then run the action."""
        if incoming.path != "/":
            raise GatewayError(
                404,
                "InvalidAction.NotFound",
                f"RPC requests go to path /, not {incoming.path!r}.",
            )
        if incoming.method not in ("GET", "POST"):
            raise GatewayError(
                400,
                "UnsupportedHTTPMethod",
                f"HTTP method {incoming.method} is not supported.",
            )
        if not auth.api_version:
            raise GatewayError(
                400, "MissingVersion", "Version is mandatory for this action."
            )
        if auth.api_version != API_VERSION:
            raise GatewayError(
                400, "InvalidVersion", "Specified parameter Version is not valid."
            )
        if auth.response_format is not None and auth.response_format.lower() != "json":
            raise GatewayError(
                400,
                "InvalidParameter",
                "Specified parameter Format is not valid (JSON only).",
            )
        handlers = {
            "CreateInstance": self._create_instance,
            "DescribeInstance": self._describe_instance,
        }
        handler = handlers.get(auth.action)
        if handler is None:
            raise GatewayError(
                400,
                "InvalidAction.NotFound",
                "Specified api is not found, please check your url and method.",
            )
        return handler(_unique(auth.params), request_id)

    def _create_instance(
        self, params: dict[str, str], request_id: str
    ) -> dict[str, object]:
        """Create an instance from the request, echoing its fields; Message ``無`` as in the seed."""
        name = _required(params, "InstanceName")
        max_conversations = _int32(params, "MaxConcurrentConversation")
        nlu_service_type = params.get("NluServiceType")
        if nlu_service_type is not None and nlu_service_type not in NLU_SERVICE_TYPES:
            raise _invalid("NluServiceType")
        calling_numbers = _repeat_list(params, "CallingNumber")
        with self._lock:
            instance_id = f"{len(self._instances) + 1:08x}-6115-4ccf-83e2-52d5bfaf2ddf"
            instance = {
                **SEED_INSTANCE,
                "InstanceId": instance_id,
                "InstanceDescription": params.get("InstanceDescription", ""),
                "InstanceName": name,
                "ResourceGroupId": params.get(
                    "ResourceGroupId", DEFAULT_RESOURCE_GROUP_ID
                ),
                "MaxConcurrentConversation": max_conversations,
            }
            self._instances[instance_id] = CreatedInstance(instance, calling_numbers)
        return _success_body("無", instance, request_id)

    def _describe_instance(
        self, params: dict[str, str], request_id: str
    ) -> dict[str, object]:
        """Describe a created instance, or the seed instance under the requested id; Message ``Success``."""
        instance_id = _required(params, "InstanceId")
        with self._lock:
            created = self._instances.get(instance_id)
        instance = (
            created.instance
            if created
            else {**SEED_INSTANCE, "InstanceId": instance_id}
        )
        return _success_body("Success", instance, request_id)


class _HTTPServer(QuietHTTPServer):
    """The tests' HTTP server that knows its ``AcsServer`` and never blocks on close."""

    block_on_close = False
    allow_reuse_address = False
    request_queue_size = 64

    def __init__(
        self, address: tuple[str, int], handler: type[_Handler], acs: AcsServer
    ) -> None:
        self.acs = acs
        super().__init__(address, handler)


class _Handler(BaseHTTPRequestHandler):
    """Keep-alive HTTP/1.1 handler that hands each request to ``AcsServer.process``."""

    protocol_version = "HTTP/1.1"
    server_version = "AcsFake/1.0"
    sys_version = ""
    server: _HTTPServer

    def setup(self) -> None:
        self.request.settimeout(self.server.acs.socket_timeout)
        # Head and body are written separately: without this, delayed ACKs stall every answer ~40 ms.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().setup()
        self.server.acs.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.acs.untrack(self.connection)

    def version_string(self) -> str:
        """The ``Server`` header value."""
        return self.server_version

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet; tests read the records instead."""

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def _serve(self) -> None:
        """Read the body, let the server answer, write the reply."""
        acs = self.server.acs
        try:
            body = self._read_body(acs.max_body_bytes)
        except GatewayError as failure:
            self._write(_error_reply(failure, "", close=True))
            return
        split = urlsplit(self.path)
        incoming = _Incoming(
            method=self.command,
            path=split.path,
            raw_query=split.query,
            headers=tuple(
                (name.lower(), value) for name, value in self.headers.items()
            ),
            body=body,
        )
        self._write(acs.process(incoming))

    def _read_body(self, limit: int) -> bytes:
        """The request body from Content-Length or chunked encoding, at most ``limit`` bytes."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return b"".join(self._read_chunks(limit))
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            raise GatewayError(
                400, "InvalidContentLength", "Content-Length is not a number."
            ) from None
        if length > limit:
            raise GatewayError(
                413, "RequestEntityTooLarge", f"The body exceeds {limit} bytes."
            )
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunks(self, limit: int) -> Iterator[bytes]:
        """Decode a chunked body."""
        total = 0
        while True:
            size = int(self.rfile.readline(64).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass
                return
            total += size
            if total > limit:
                raise GatewayError(
                    413, "RequestEntityTooLarge", f"The body exceeds {limit} bytes."
                )
            yield self.rfile.read(size)
            self.rfile.readline(8)

    def _write(self, reply: _Reply) -> None:
        """Send ``reply`` (after its delay), or drop the connection."""
        if reply.delay:
            self.server.acs.wait_stopping(reply.delay)
        if reply.drop_connection:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        try:
            self.send_response(reply.status)
            for name, value in reply.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            if reply.close:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(reply.body)
            self.wfile.flush()
        except OSError:
            self.close_connection = True


def _parse_authorization(value: str) -> tuple[str, dict[str, str]]:
    """Split ``ALGO Name=value,Name=value`` into the algorithm and its fields."""
    algorithm, _, rest = value.strip().partition(" ")
    fields: dict[str, str] = {}
    for item in rest.split(","):
        name, sep, field_value = item.strip().partition("=")
        if sep:
            fields[name] = field_value
    return algorithm, fields


def _check_signed_headers(incoming: _Incoming, signed: list[str]) -> None:
    """SignedHeaders must be sorted lower-case unique names, all present, covering host and x-acs-*."""
    if signed != sorted(set(signed)) or any(
        not name or name != name.lower() for name in signed
    ):
        raise GatewayError(
            400,
            "IncompleteSignature",
            "SignedHeaders must be sorted, unique and lower-case.",
        )
    for name in signed:
        if incoming.header(name) is None:
            raise GatewayError(
                400,
                "SignatureDoesNotMatch",
                f"Signed header {name} is not in the request.",
            )
    present = {name for name, _ in incoming.headers}
    must_sign = {
        name for name in present if name == "host" or name.startswith("x-acs-")
    }
    if incoming.body and "content-type" in present:
        must_sign.add("content-type")
    unsigned = sorted(must_sign - set(signed))
    if unsigned:
        raise GatewayError(
            400,
            "SignatureDoesNotMatch",
            f"Header(s) {', '.join(unsigned)} must be signed.",
        )


def _check_token(expected: str | None, sent: str | None) -> None:
    """An STS key needs its token; a plain key must not carry one."""
    if expected is not None and not sent:
        raise GatewayError(
            400,
            "MissingSecurityToken",
            "SecurityToken is mandatory for this access key.",
        )
    if sent and not (expected is not None and hmac.compare_digest(expected, sent)):
        raise GatewayError(
            400,
            "InvalidSecurityToken.MismatchWithAccessKey",
            "Specified SecurityToken mismatch with the AccessKey.",
        )


def _decode_pairs(raw: str) -> list[tuple[str, str]]:
    """Decode ``a=1&b=`` (``+`` is a space) into pairs; invalid UTF-8 is a 400."""
    try:
        return parse_qsl(raw, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise GatewayError(
            400, "InvalidParameter", "The query is not valid UTF-8."
        ) from None


def _unique(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Pairs as a dict; a repeated name is a 400."""
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in params:
            raise GatewayError(
                400, "InvalidParameter", f"Parameter {name} is repeated."
            )
        params[name] = value
    return params


def _invalid(name: str) -> GatewayError:
    """The gateway's error for a malformed parameter value."""
    return GatewayError(
        400, "InvalidParameter", f"Specified parameter {name} is not valid."
    )


def _required(params: Mapping[str, str], name: str) -> str:
    """A required, non-empty parameter, or ``Missing<Name>``."""
    value = params.get(name, "")
    if not value:
        raise GatewayError(
            400, f"Missing{name}", f"{name} is mandatory for this action."
        )
    return value


def _int32(params: Mapping[str, str], name: str) -> int:
    """A required decimal int32 parameter."""
    text = _required(params, name)
    digits = text[1:] if text.startswith("-") else text
    if not (digits.isascii() and digits.isdigit()) or int(text) not in INT32_RANGE:
        raise _invalid(name)
    return int(text)


def _repeat_list(params: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Values of ``Name.1``, ``Name.2``, ... which must be numbered 1..n; a bare ``Name`` is a 400."""
    if name in params:
        raise _invalid(name)
    prefix = f"{name}."
    indexed = {
        key[len(prefix) :]: value
        for key, value in params.items()
        if key.startswith(prefix)
    }
    expected = [str(position) for position in range(1, len(indexed) + 1)]
    if sorted(indexed, key=lambda key: (len(key), key)) != expected:
        raise _invalid(name)
    return tuple(indexed[position] for position in expected)


def _success_body(
    message: str, instance: Mapping[str, object], request_id: str
) -> dict[str, object]:
    """The seed-shaped success body."""
    return {
        "HttpStatusCode": 200,
        "Code": "OK",
        "Message": message,
        "RequestId": request_id,
        "Success": True,
        "Instance": dict(instance),
    }


def _error_body(
    code: str, message: str, request_id: str | None = None, host: str | None = None
) -> dict[str, object]:
    """An Alibaba gateway error body (a None ``RequestId`` is filled in when sent)."""
    return {
        "Code": code,
        "Message": message,
        "RequestId": request_id,
        "HostId": host or HOST_ID,
        "Recommend": f"https://api.aliyun.com/troubleshoot?q={code}&product=OutboundBot",
    }


def _json_bytes(body: Mapping[str, object]) -> bytes:
    """Compact UTF-8 JSON."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _json_reply(
    status: int, body: Mapping[str, object], request_id: str, close: bool = False
) -> _Reply:
    """A JSON reply carrying ``x-acs-request-id``."""
    headers = (("Content-Type", JSON_CONTENT_TYPE), ("x-acs-request-id", request_id))
    return _Reply(status=status, body=_json_bytes(body), headers=headers, close=close)


def _error_reply(
    failure: GatewayError, request_id: str, host: str | None = None, close: bool = False
) -> _Reply:
    """The JSON reply for a gateway failure."""
    body = _error_body(failure.code, failure.message, request_id, host)
    return _json_reply(failure.status, body, request_id, close)


def _scripted_reply(response: ScriptedResponse, request_id: str) -> _Reply:
    """The reply for a scripted response."""
    body = response.body
    if isinstance(body, Mapping):
        body = _json_bytes({**body, "RequestId": body.get("RequestId") or request_id})
    headers = [("x-acs-request-id", request_id), *response.headers]
    if response.content_type is not None:
        headers.insert(0, ("Content-Type", response.content_type))
    return _Reply(
        status=response.status,
        body=body,
        headers=tuple(headers),
        delay=response.delay,
        drop_connection=response.drop_connection,
    )
