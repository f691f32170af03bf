"""Base classes of generated REST clients: base URL, credentials, parameters in every location, bodies."""

from __future__ import annotations

from types import MappingProxyType

from ._calls import AsyncCalls, SyncCalls, _CallSettings, parse_endpoint
from .encoding import NOT_GIVEN, NotGiven, encode_extra_query, encode_query
from .errors import (
    APIResponseError,
    APIStatusError,
    ParameterError,
    error_from_response,
)
from .network import Network
from .records import FrozenRecord
from .uploads import Upload

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any, ClassVar

    from ._sansio import Body
    from .encoding import Param
    from .hooks import Hook
    from .http11 import HTTPResponse
    from .tls import Cert, Verify

_NO_ERRORS: Mapping[str, type[APIStatusError]] = MappingProxyType({})
_NO_MODELS: Mapping[str, str] = MappingProxyType({})
_CONTENT_TYPES = {
    "json": "application/json",
    "form": "application/x-www-form-urlencoded",
    "binary": "application/octet-stream",
}


class RestOperation(FrozenRecord):
    """One REST operation: method, path template, parameters by location, body encoding."""

    __slots__ = (
        "method",
        "path",
        "params",
        "locations",
        "body",
        "read_only",
        "error_classes",
        "anonymous",
        "error_models",
        "content_type",
    )
    method: str
    path: str
    params: tuple[Param, ...]
    locations: tuple[str, ...]
    body: str | None
    read_only: bool
    error_classes: Mapping[str, type[APIStatusError]]
    anonymous: bool
    error_models: Mapping[str, str]
    content_type: str | None

    def __init__(
        self,
        method: str,
        path: str,
        params: tuple[Param, ...] = (),
        locations: tuple[str, ...] = (),
        body: str | None = None,
        read_only: bool = False,
        error_classes: Mapping[str, type[APIStatusError]] = _NO_ERRORS,
        anonymous: bool = False,
        error_models: Mapping[str, str] = _NO_MODELS,
        content_type: str | None = None,
    ) -> None:
        """`locations[i]` is where `params[i]` goes; `anonymous` operations (`security: []`) send no credentials.

        `error_models` maps a documented error status (`404`, `4XX`, `default`) to its body's model name;
        `content_type` is the spec's media type of a JSON or binary body where it is not the usual one
        (`application/vnd.api+json`, `image/png`).
        """
        if len(locations) != len(params):
            raise ValueError("every parameter needs a location")
        self._init(
            method=method,
            path=path,
            params=params,
            locations=locations,
            body=body,
            read_only=read_only,
            error_classes=error_classes,
            anonymous=anonymous,
            error_models=error_models,
            content_type=content_type,
        )

    def __hash__(self) -> int:
        """Hash by method and path."""
        return hash((self.method, self.path))


def _pairs(params: list[Param], values: Mapping[str, object]) -> list[tuple[str, str]]:
    """Validated `(wire name, text)` pairs; repeat-list arrays become repeated keys."""
    pairs = encode_query(params, values)
    repeated = {p.wire_name for p in params if p.repeat_list}
    if not repeated:
        return pairs
    out = []
    for name, text in pairs:
        base, dot, index = name.rpartition(".")
        out.append(
            (base if dot and index.isdigit() and base in repeated else name, text)
        )
    return out


def encode_body(
    encoding: str, value: object, content_type: str | None = None
) -> tuple[Body, str]:
    """The bytes (or streamed ``Upload``) and content type of a request body (a JSON or binary body's own
    ``content_type`` where the spec names one)."""
    if encoding == "binary":
        return Upload.of(value), content_type or _CONTENT_TYPES["binary"]
    if encoding == "form":
        from urllib.parse import urlencode

        if not isinstance(value, dict):
            raise ParameterError(
                f"body must be a mapping of form fields, got {type(value).__name__}"
            )
        return (
            urlencode(
                {k: v for k, v in value.items() if v is not None}, doseq=True
            ).encode(),
            _CONTENT_TYPES["form"],
        )
    if encoding == "multipart":
        return _multipart(value)
    import json

    try:
        data = json.dumps(
            value, ensure_ascii=False, separators=(",", ":"), allow_nan=False
        )
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"body cannot be sent as JSON: {exc}") from None
    return data.encode(), content_type or _CONTENT_TYPES["json"]


def _part(boundary: str, name: str, item: object) -> bytes:
    """One multipart part: bytes as a file, str as text, enums by value, anything else as JSON."""
    import json

    safe = name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
    if isinstance(item, (bytes, bytearray)):
        head = (
            f'Content-Disposition: form-data; name="{safe}"; filename="{safe}"\r\n'
            "Content-Type: application/octet-stream"
        )
        data = bytes(item)
    else:
        head = f'Content-Disposition: form-data; name="{safe}"'
        item = getattr(item, "value", item)  # an Enum member: its wire value
        text = item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)
        data = text.encode()
    return f"--{boundary}\r\n{head}\r\n\r\n".encode() + data + b"\r\n"


def _multipart(value: object) -> tuple[bytes, str]:
    """A multipart/form-data body; a list of files or values becomes one part per item."""
    import secrets

    if not isinstance(value, dict):
        raise ParameterError(
            f"body must be a mapping of form fields, got {type(value).__name__}"
        )
    boundary = "acs-sdkgen-" + secrets.token_hex(12)
    parts = []
    for name, item in value.items():
        if item is None:
            continue
        items = item if isinstance(item, (list, tuple)) else [item]
        parts += [_part(boundary, str(name), one) for one in items if one is not None]
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def decode_body(response: HTTPResponse) -> Any:
    """The parsed body of a success answer: JSON, text or bytes; None when empty."""
    if not response.body:
        return None
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json" or kind.endswith("+json"):
        import json

        try:
            return json.loads(response.body)
        except ValueError:
            excerpt = response.body[:200].decode("utf-8", "replace")
            raise APIResponseError(
                f"HTTP {response.status}: the body is not valid JSON: {excerpt!r}",
                status_code=response.status,
                headers=response.headers,
                body=response.body,
            ) from None
    if kind.startswith("text/"):
        return response.body.decode("utf-8", "replace")
    return response.body


class _RestBase(_CallSettings):
    """Configuration and the pure request and answer steps shared by both REST clients."""

    _base_url: ClassVar[str] = ""
    _security: ClassVar[tuple[tuple[str, str, str], ...]] = ()  # (kind, location, name)

    def __init__(
        self,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        bearer_token: str | None = None,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 10.0,
        max_retries: int = 2,
        retry_server_errors: bool = False,
        retry_deadline: float | None = 60.0,
        proxy: str | None | NotGiven = NOT_GIVEN,
        trust_env: bool = True,
        verify: Verify = True,
        cert: Cert | None = None,
        event_hooks: Mapping[str, list[Hook]] | None = None,
        http_client: Any = None,
    ) -> None:
        """Check settings and split the base URL; nothing is sent.

        ``proxy``, ``trust_env``, ``verify``, ``cert``, ``event_hooks``, ``http_client``
        (an ``httpx.Client``, or ``httpx.AsyncClient`` for the async client): see ``Network``.
        """
        url = base_url or self._base_url
        if not url:
            raise ParameterError("pass base_url= (the spec names no server)")
        scheme, _, rest = url.partition("://")
        if not rest:
            raise ParameterError(
                f"base_url must look like 'https://host[:port][/prefix]', got {url!r}"
            )
        netloc, slash, prefix = rest.partition("/")
        self._scheme, self._host, self._port, self._host_header = parse_endpoint(
            f"{scheme}://{netloc}", scheme
        )
        self._prefix = ("/" + prefix).rstrip("/") if slash else ""
        self._auth = self._credentials(api_key, bearer_token, username, password)
        self._network = Network(
            proxy=proxy,
            trust_env=trust_env,
            verify=verify,
            cert=cert,
            event_hooks=event_hooks,
            http_client=http_client,
            secret_headers=[name for where, name, _ in self._auth if where == "header"],
            secret_query=[name for where, name, _ in self._auth if where == "query"],
        )
        self._configure_calls(timeout, max_retries, retry_server_errors, retry_deadline)

    def _credentials(
        self,
        api_key: str | None,
        bearer: str | None,
        username: str | None,
        password: str | None,
    ) -> list[tuple[str, str, str]]:
        """`(location, name, value)` of every credential the spec's schemes can carry."""
        out = []
        for kind, location, name in self._security:
            if kind == "apiKey" and api_key is not None:
                out.append((location, name, api_key))
            elif kind == "bearer" and bearer is not None:
                out.append(("header", "authorization", f"Bearer {bearer}"))
            elif kind == "basic" and username is not None:
                import base64

                token = base64.b64encode(
                    f"{username}:{password or ''}".encode()
                ).decode()
                out.append(("header", "authorization", f"Basic {token}"))
        return out

    def __repr__(self) -> str:
        """Where the client points; credentials are never shown."""
        return f"{type(self).__name__}(base_url='{self._scheme}://{self._host_header}{self._prefix}')"

    def prepare(
        self,
        op: RestOperation,
        values: Mapping[str, object],
        body: object = NOT_GIVEN,
        *,
        extra_query: Mapping[str, object] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> tuple[str, str, dict[str, str], Body]:
        """Validate and encode: `(method, path_and_query, headers, body)`; a file or iterable body is streamed."""
        from urllib.parse import quote

        groups: dict[str, list[Param]] = {
            "path": [],
            "query": [],
            "header": [],
            "cookie": [],
        }
        for param, location in zip(op.params, op.locations):
            groups[location].append(param)
        path = op.path
        for name, text in _pairs(groups["path"], values):
            path = path.replace("{" + name + "}", quote(text, safe=""))
        query = _pairs(groups["query"], values)
        headers = {
            name.lower(): text for name, text in _pairs(groups["header"], values)
        }
        cookies = _pairs(groups["cookie"], values)
        for location, name, value in () if op.anonymous else self._auth:
            if location == "query":
                query.append((name, value))
            elif location == "cookie":
                cookies.append((name, value))
            else:
                headers[name.lower()] = value
        if extra_query:
            query += encode_extra_query(extra_query)
        if cookies:
            headers["cookie"] = "; ".join(
                f"{n}={quote(v, safe='')}" for n, v in cookies
            )
        headers["host"] = self._host_header
        headers["accept"] = "application/json"
        headers.setdefault("user-agent", self._user_agent)
        payload: Body = b""
        if op.body is not None and not isinstance(body, NotGiven):
            payload, headers["content-type"] = encode_body(
                op.body, body, op.content_type
            )
        headers.update(self._request_headers(extra_headers))
        target = self._prefix + path
        if query:
            target += "?" + "&".join(
                f"{quote(n, safe='')}={quote(v, safe='')}" for n, v in query
            )
        return op.method, target, headers, payload

    def interpret(self, op: RestOperation, response: HTTPResponse) -> tuple[int, Any]:
        """`(status, parsed body)` of a success answer; otherwise raise the matching error."""
        if 200 <= response.status < 300:
            return response.status, decode_body(response)
        error = error_from_response(
            response.status,
            response.headers,
            response.body,
            op.error_classes,
            any_json=True,
        )
        status = str(response.status)
        model = next(
            (
                op.error_models[k]
                for k in (status, status[0] + "XX", "default")
                if k in op.error_models
            ),
            None,
        )
        if model is not None and isinstance(error, APIStatusError):
            try:
                error.parsed = self._parse_error(model, error.data)
            except (
                Exception
            ):  # a body that does not fit its documented model: `parsed` stays None
                pass
        raise error

    def _parse_error(self, model: str, data: Any) -> Any:
        """The error body as the model named `model`; generated clients parse it with their models."""
        return data


class SyncRestAPIClient(SyncCalls, _RestBase):
    """Blocking REST client base, thread-safe; use `with` or `close()`."""

    def _call(
        self,
        op: RestOperation,
        values: Mapping[str, object],
        *,
        body: object = NOT_GIVEN,
        timeout: float | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        extra_query: Mapping[str, object] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        stream: bool = False,
    ) -> Any:
        """Call `op`; retry where safe; ``stream``: see ``_run``."""
        seconds, policy = self._settings(timeout, max_retries)
        request = self.prepare(
            op, values, body, extra_query=extra_query, extra_headers=extra_headers
        )
        return self._run(
            op,
            lambda: request,
            lambda response: self.interpret(op, response),
            seconds,
            policy,
            stream,
        )


class AsyncRestAPIClient(AsyncCalls, _RestBase):
    """Asyncio REST client base; use `async with` or `await aclose()`."""

    async def _call(
        self,
        op: RestOperation,
        values: Mapping[str, object],
        *,
        body: object = NOT_GIVEN,
        timeout: float | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        extra_query: Mapping[str, object] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        stream: bool = False,
    ) -> Any:
        """Call `op`; retry where safe; ``stream``: see ``_run``."""
        seconds, policy = self._settings(timeout, max_retries)
        request = self.prepare(
            op, values, body, extra_query=extra_query, extra_headers=extra_headers
        )
        return await self._run(
            op,
            lambda: request,
            lambda response: self.interpret(op, response),
            seconds,
            policy,
            stream,
        )
