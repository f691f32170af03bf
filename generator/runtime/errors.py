"""Exceptions raised by the SDK, and the mapping from an HTTP answer to one."""

from __future__ import annotations

from .headers import Headers

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any, Literal

_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    413: "Content Too Large",
    414: "URI Too Long",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
_EXCERPT_CHARS = 200


def _restore(
    cls: type[BaseException], args: tuple[Any, ...], state: dict[str, Any]
) -> BaseException:
    """Rebuild an exception pickled by ``SDKError.__reduce__``."""
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class SDKError(Exception):
    """Base class of every exception the SDK raises."""

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle by state, since subclasses take keyword-only arguments."""
        return (_restore, (type(self), self.args, dict(self.__dict__)))


class ParameterError(SDKError, ValueError):
    """A bad argument, detected before anything was sent."""


class CredentialsError(SDKError):
    """No usable access key pair was given or found in the environment."""


class APIError(SDKError):
    """Base class of every error about an API call."""

    message: str
    request_id: str | None

    def __init__(self, message: str, *, request_id: str | None = None) -> None:
        """Store the human-readable ``message`` and the server's request id."""
        super().__init__(message)
        self.message = message
        self.request_id = request_id


class APIConnectionError(APIError):
    """The HTTP exchange failed (connection refused, reset, truncated answer...)."""

    request_sent: bool

    def __init__(
        self,
        message: str = "Connection error.",
        *,
        request_sent: bool,
        request_id: str | None = None,
    ) -> None:
        """``request_sent`` is False when the request never reached the server."""
        super().__init__(message, request_id=request_id)
        self.request_sent = request_sent


class APITimeoutError(APIConnectionError):
    """The server did not accept the connection or answer in time."""

    phase: Literal["connect", "read"]

    def __init__(
        self,
        message: str | None = None,
        *,
        phase: Literal["connect", "read"],
        request_sent: bool,
    ) -> None:
        """``phase`` tells whether connecting or waiting for the answer timed out."""
        if message is None:
            message = (
                "Timed out while connecting."
                if phase == "connect"
                else "Timed out waiting for the response."
            )
        super().__init__(message, request_sent=request_sent)
        self.phase = phase


class APIResponseError(APIError):
    """The server answered something that is not a usable JSON body."""

    status_code: int
    headers: Headers
    body: bytes
    retry_after: float | None

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        headers: Mapping[str, str],
        body: bytes,
        request_id: str | None = None,
    ) -> None:
        """Keep the raw answer next to the readable ``message``."""
        super().__init__(message, request_id=request_id)
        self.status_code = status_code
        self.headers = headers if isinstance(headers, Headers) else Headers(headers)
        self.body = body
        self.retry_after = parse_retry_after(self.headers)
        self.parsed = None


class APIStatusError(APIError):
    """An error answer in the documented shape (``Code``, ``Message``...)."""

    status_code: int
    code: str | None
    headers: Headers
    body: bytes
    data: dict[str, Any] | None
    recommend: str | None
    host_id: str | None
    retry_after: float | None
    parsed: Any  # the body as the spec's documented error model for this status, when there is one

    def __init__(
        self,
        *,
        status_code: int,
        headers: Mapping[str, str],
        body: bytes,
        data: dict[str, Any] | None,
        code: str | None,
        message: str,
        request_id: str | None,
        recommend: str | None = None,
        host_id: str | None = None,
    ) -> None:
        """Keep every part of the answer; ``retry_after`` comes from the headers."""
        super().__init__(message, request_id=request_id)
        self.status_code = status_code
        self.code = code
        self.headers = headers if isinstance(headers, Headers) else Headers(headers)
        self.body = body
        self.data = data
        self.recommend = recommend
        self.host_id = host_id
        self.retry_after = parse_retry_after(self.headers)
        self.parsed = None

    def __str__(self) -> str:
        """Format as ``"400 Code: Message (request id ...)"``."""
        text = (
            f"{self.status_code} {self.code}: {self.message}"
            if self.code
            else f"{self.status_code} {self.message}"
        )
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text


class ClientError(APIStatusError):
    """Any 4xx answer."""


class BadRequestError(ClientError):
    """HTTP 400."""


class AuthenticationError(ClientError):
    """HTTP 401."""


class PermissionDeniedError(ClientError):
    """HTTP 403."""


class NotFoundError(ClientError):
    """HTTP 404."""


class ConflictError(ClientError):
    """HTTP 409."""


class ThrottlingError(ClientError):
    """HTTP 429, or any error with ``x-acs-retry-after`` or a ``Throttling*`` code."""


class ServerError(APIStatusError):
    """Any 5xx answer."""


class InternalServerError(ServerError):
    """HTTP 500."""


class BadGatewayError(ServerError):
    """HTTP 502."""


class ServiceUnavailableError(ServerError):
    """HTTP 503."""


class GatewayTimeoutError(ServerError):
    """HTTP 504."""


class UnsuccessfulResponseError(APIStatusError):
    """HTTP 2xx whose JSON body says ``"Success": false``."""


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: ThrottlingError,
    500: InternalServerError,
    502: BadGatewayError,
    503: ServiceUnavailableError,
    504: GatewayTimeoutError,
}


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from ``x-acs-retry-after`` (milliseconds) or ``Retry-After``."""
    value = headers.get("x-acs-retry-after")
    if value is not None:
        millis = _to_float(value)
        if millis is not None:
            return max(millis, 0.0) / 1000.0
    value = headers.get("retry-after")
    if value is None:
        return None
    seconds = _to_float(value)
    if seconds is not None:
        return max(seconds, 0.0)
    return _seconds_until_http_date(value)


def _to_float(text: str) -> float | None:
    """Parse a finite number, or return None."""
    try:
        number = float(text.strip())
    except ValueError:
        return None
    return number if number - number == 0.0 else None


def _seconds_until_http_date(text: str) -> float | None:
    """Seconds from now until an HTTP-date, or None when it is not one."""
    import email.utils
    import time

    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return max(moment.timestamp() - time.time(), 0.0)


def _field(data: dict[str, Any], *names: str) -> str | None:
    """The first present, non-empty field among ``names``, as text."""
    for name in names:
        value = data.get(name)
        if value is not None and value != "" and not isinstance(value, (dict, list)):
            return value if isinstance(value, str) else str(value)
    return None


def _reason(status: int) -> str:
    """A short phrase for ``status``."""
    return _REASONS.get(status, "")


def body_excerpt(body: bytes, limit: int = _EXCERPT_CHARS) -> str:
    """A short, single-line, printable excerpt of a response body."""
    text = body[: limit * 4].decode("utf-8", "replace")
    text = " ".join(text.split())
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text if len(text) <= limit else text[:limit] + "..."


def _parse_json(body: bytes) -> tuple[Any, str]:
    """Parse a JSON body; on failure return None and why."""
    import json

    if not body.strip():
        return None, "the body is empty"
    try:
        return json.loads(body), ""
    except (ValueError, UnicodeDecodeError) as exc:
        return None, f"the body is not valid JSON ({exc})"


_XML_FIELDS = ("Code", "Message", "RequestId", "HostId", "Recommend")
_XML_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"))


def _xml_error(body: bytes) -> dict[str, Any] | None:
    """The fields of an XML error body (``<Error><Code>...``), None if it is not one."""
    text = body[:65536].decode("utf-8", "replace")
    if not text.lstrip().startswith("<"):
        return None
    data: dict[str, Any] = {}
    for name in _XML_FIELDS:
        start = text.find(f"<{name}>")
        end = text.find(f"</{name}>", start + 1) if start >= 0 else -1
        if end < 0:
            continue
        value = text[start + len(name) + 2 : end].strip()
        if value.startswith("<![CDATA[") and value.endswith("]]>"):
            value = value[9:-3]
        else:
            for entity, char in _XML_ENTITIES:
                value = value.replace(entity, char)
            value = value.replace("&amp;", "&")
        data[name] = value
    return data if data.get("Code") else None


def _response_error(
    status: int, headers: Headers, body: bytes, problem: str
) -> APIResponseError:
    """Build the error for an answer whose body cannot be used."""
    head = f"{status} {_reason(status)}".rstrip()
    content_type = headers.get("content-type")
    message = f"{head}: expected a JSON object but {problem}"
    if content_type:
        message += f" (content-type {content_type})"
    if body.strip():
        message += f": {body_excerpt(body)}"
    return APIResponseError(
        message,
        status_code=status,
        headers=headers,
        body=body,
        request_id=headers.get("x-acs-request-id"),
    )


def _status_class(
    status: int, code: str | None, headers: Headers
) -> type[APIStatusError]:
    """The generic class for an error answer without a generated per-code class."""
    if (
        status == 429
        or (code is not None and code.startswith("Throttling"))
        or (status >= 400 and "x-acs-retry-after" in headers)
    ):
        return ThrottlingError
    cls = _STATUS_CLASSES.get(status)
    if cls is not None:
        return cls
    if 200 <= status < 300:
        return UnsuccessfulResponseError
    if 400 <= status < 500:
        return ClientError
    if 500 <= status < 600:
        return ServerError
    return APIStatusError


def error_from_response(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    code_classes: Mapping[str, type[APIStatusError]],
    any_json: bool = False,
) -> APIError:
    """The exception for an error answer (non-2xx, or 2xx with ``Success: false``).

    A JSON object body, or an XML ``<Error>`` body with a ``Code``, gives an
    ``APIStatusError`` subclass; any other body an ``APIResponseError``. With
    ``any_json`` (REST, whose specs document error bodies of any JSON type), a
    JSON string or list gives the status's class too, a string as its message,
    and so does an empty body.
    """
    hdrs = headers if isinstance(headers, Headers) else Headers(headers)
    value, problem = _parse_json(body)
    data = value if isinstance(value, dict) else None
    if problem:
        data = _xml_error(body)
        if data is None and any_json and not body.strip():
            # REST: an answer without a body (an answer to HEAD never has one)
            problem = ""
    elif data is None and not any_json:
        problem = f"the body is JSON but not an object ({type(value).__name__})"
    if problem and data is None:
        return _response_error(status, hdrs, body, problem)
    fields = data or {}  # empty for a JSON string or list (REST)
    code = _field(fields, "Code", "code")
    given = value if isinstance(value, str) else _field(fields, "Message", "message")
    message = given or _reason(status) or "(no message)"
    cls = code_classes.get(code) if code is not None else None
    if cls is None:
        cls = _status_class(status, code, hdrs)
    return cls(
        status_code=status,
        headers=hdrs,
        body=body,
        data=data,
        code=code,
        message=message,
        request_id=_field(fields, "RequestId", "requestId")
        or hdrs.get("x-acs-request-id"),
        recommend=_field(fields, "Recommend", "recommend"),
        host_id=_field(fields, "HostId", "hostId"),
    )
