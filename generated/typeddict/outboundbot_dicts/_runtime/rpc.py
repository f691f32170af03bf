"""Base classes of the generated RPC clients (signed ACS actions): configuration, signing, retries."""

from __future__ import annotations

from types import MappingProxyType

from ._calls import AsyncCalls, SyncCalls, _CallSettings, parse_endpoint
from .credentials import mask_access_key_id, resolve_credentials
from .encoding import (
    NOT_GIVEN,
    NotGiven,
    encode_extra_query,
    encode_query,
    percent_encode,
)
from .errors import APIError, ParameterError, error_from_response
from .network import Network
from .records import FrozenRecord
from .signing import (
    canonical_query,
    new_nonce,
    sign_v1_query,
    sign_v3_query,
    utc_timestamp,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any, ClassVar

    from .encoding import Param
    from .hooks import Hook
    from .tls import Cert, Verify
    from .errors import APIStatusError
    from .http11 import HTTPResponse

__all__ = ["AsyncAPIClient", "Operation", "SyncAPIClient", "parse_endpoint"]

_NO_ERROR_CLASSES: Mapping[str, type[APIStatusError]] = MappingProxyType({})
_REGION_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
_METHOD = "POST"
# Headers the client computes itself; ``extra_headers`` cannot replace them.
_RESERVED_HEADERS = frozenset(
    (
        "authorization",
        "host",
        "x-acs-action",
        "x-acs-content-sha256",
        "x-acs-date",
        "x-acs-security-token",
        "x-acs-signature-nonce",
        "x-acs-version",
    )
)


class Operation(FrozenRecord):
    """One API action: its name, version, parameters and documented error classes."""

    __slots__ = ("action", "version", "params", "read_only", "error_classes")
    action: str
    version: str
    params: tuple[Param, ...]
    read_only: bool
    error_classes: Mapping[str, type[APIStatusError]]

    def __init__(
        self,
        action: str,
        version: str,
        params: tuple[Param, ...],
        read_only: bool = False,
        error_classes: Mapping[str, type[APIStatusError]] = _NO_ERROR_CLASSES,
    ) -> None:
        """``read_only`` actions may be retried after a read timeout or a 5xx."""
        self._init(
            action=action,
            version=version,
            params=params,
            read_only=read_only,
            error_classes=error_classes,
        )

    def __hash__(self) -> int:
        """Hash by action, version and parameters (the error mapping is unhashable)."""
        return hash((self.action, self.version, self.params))


class _BaseClient(_CallSettings):
    """Configuration and the pure request and answer steps shared by both clients."""

    _endpoint_rule: ClassVar[str] = ""
    _default_region: ClassVar[str] = ""
    _reserved_headers = _RESERVED_HEADERS

    def __init__(
        self,
        *,
        access_key_id: str | None = None,
        access_key_secret: str | None = None,
        security_token: str | None = None,
        region_id: str | None = None,
        endpoint: str | None = None,
        protocol: str = "https",
        signature_version: str = "v3",
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
        """Resolve credentials and the endpoint, check settings; nothing is sent.

        ``retry_deadline``: seconds after the first attempt past which no retry
        starts (and a retry's timeout is cut to end by then); None for no limit.
        ``proxy``, ``trust_env``, ``verify``, ``cert``, ``event_hooks``, ``http_client``
        (an ``httpx.Client``, or ``httpx.AsyncClient`` for the async client): see ``Network``.
        """
        self._credentials = resolve_credentials(
            access_key_id, access_key_secret, security_token
        )
        region = self._default_region if region_id is None else region_id
        if not isinstance(region, str) or not _REGION_CHARS.issuperset(region):
            raise ParameterError(
                f"region_id must use only a-z, 0-9 and '-', got {region!r}"
            )
        if endpoint is None:
            if not region or not self._endpoint_rule:
                raise ParameterError("pass endpoint= (no regional endpoint is known)")
            endpoint = self._endpoint_rule.replace("{region_id}", region)
        if signature_version not in ("v3", "v1"):
            raise ParameterError(
                f"signature_version must be 'v3' or 'v1', got {signature_version!r}"
            )
        if protocol not in ("https", "http"):
            raise ParameterError(
                f"protocol must be 'https' or 'http', got {protocol!r}"
            )
        scheme, host, port, host_header = parse_endpoint(endpoint, protocol)
        self._region_id = region
        self._scheme = scheme
        self._host = host
        self._port = port
        self._host_header = host_header
        self._signature_version = signature_version
        self._network = Network(
            proxy=proxy,
            trust_env=trust_env,
            verify=verify,
            cert=cert,
            event_hooks=event_hooks,
            http_client=http_client,
        )
        self._configure_calls(timeout, max_retries, retry_server_errors, retry_deadline)

    def __repr__(self) -> str:
        """Show where the client points and whose key it uses, never a secret."""
        key = mask_access_key_id(self._credentials.access_key_id)
        return (
            f"{type(self).__name__}(endpoint='{self._scheme}://{self._host_header}', "
            f"region_id={self._region_id!r}, "
            f"signature_version={self._signature_version!r}, access_key_id={key!r})"
        )

    def _timestamp(self) -> str:
        """The request time (overridden in tests)."""
        return utc_timestamp()

    def _nonce(self) -> str:
        """A fresh nonce (overridden in tests)."""
        return new_nonce()

    def _encode(
        self,
        op: Operation,
        values: Mapping[str, object],
        extra_query: Mapping[str, object] | None,
    ) -> list[tuple[str, str]]:
        """Validated query pairs; ``extra_query`` entries replace same-named ones."""
        pairs = encode_query(op.params, values)
        if extra_query:
            extra = encode_extra_query(extra_query)
            names = {name for name, _ in extra}
            pairs = [pair for pair in pairs if pair[0] not in names] + extra
        return pairs

    def _sign(
        self, op: Operation, pairs: list[tuple[str, str]], extra_headers: dict[str, str]
    ) -> tuple[str, str, dict[str, str], bytes]:
        """Method, target, headers and body of one attempt (fresh time and nonce).

        V3 signs every header sent except the transport's framing headers:
        ``accept``, ``user-agent`` and ``extra_headers`` included.
        """
        plain = {
            "accept": "application/json",
            "user-agent": self._user_agent,
            **extra_headers,
        }
        if self._signature_version == "v3":
            query = canonical_query(pairs)
            headers = sign_v3_query(
                credentials=self._credentials,
                method=_METHOD,
                host=self._host_header,
                query=query,
                headers=plain,
                body=b"",
                action=op.action,
                version=op.version,
                date=self._timestamp(),
                nonce=self._nonce(),
            )
            return _METHOD, f"/?{query}" if query else "/", headers, b""
        query = sign_v1_query(
            credentials=self._credentials,
            method=_METHOD,
            pairs=pairs,
            action=op.action,
            version=op.version,
            timestamp=self._timestamp(),
            nonce=self._nonce(),
        )
        headers = {
            "host": self._host_header,
            "x-acs-action": op.action,
            "x-acs-version": op.version,
            **plain,
        }
        return _METHOD, f"/?{query}", headers, b""

    def prepare(
        self,
        op: Operation,
        values: Mapping[str, object],
        *,
        extra_query: Mapping[str, object] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> tuple[str, str, dict[str, str], bytes]:
        """Validate, encode and sign: ``(method, path_and_query, headers, body)``."""
        pairs = self._encode(op, values, extra_query)
        return self._sign(op, pairs, self._request_headers(extra_headers))

    def interpret(self, op: Operation, response: HTTPResponse) -> dict[str, Any]:
        """The JSON body of a successful answer; otherwise raise the matching error."""
        if 200 <= response.status < 300:
            import json

            try:
                data = json.loads(response.body)
            except ValueError:
                data = None
            if isinstance(data, dict) and data.get("Success") is not False:
                return data
        raise self._scrub(
            error_from_response(
                response.status, response.headers, response.body, op.error_classes
            )
        )

    def _scrub(self, error: APIError) -> APIError:
        """Mask the secret and the token where the server echoed them (V1 does)."""
        creds = self._credentials
        forms: set[str] = set()
        for value in (creds.access_key_secret, creds.security_token):
            if value and len(value) >= 8:
                once = percent_encode(value)
                forms.update((value, once, percent_encode(once)))
        body: bytes = getattr(error, "body", b"")
        found = [f for f in forms if f in error.message or f.encode() in body]
        if not found:
            return error
        for form in found:
            error.message = error.message.replace(form, "***")
            if body:
                body = body.replace(form.encode(), b"***")
        error.args = (error.message,)
        if body:
            setattr(error, "body", body)
        data = getattr(error, "data", None)
        if isinstance(data, dict):
            for key, item in data.items():
                if isinstance(item, str):
                    for form in found:
                        item = item.replace(form, "***")
                    data[key] = item
        return error


class SyncAPIClient(SyncCalls, _BaseClient):
    """Blocking client base, thread-safe; use ``with`` or ``close()``."""

    def _call(
        self,
        op: Operation,
        values: Mapping[str, object],
        *,
        timeout: float | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        extra_query: Mapping[str, object] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        stream: bool = False,
    ) -> Any:
        """Call ``op`` with ``values`` (keyed by wire name); retry where safe; ``stream``: see ``_run``."""
        seconds, policy = self._settings(timeout, max_retries)
        pairs = self._encode(op, values, extra_query)
        headers = self._request_headers(extra_headers)
        return self._run(
            op,
            lambda: self._sign(op, pairs, headers),
            lambda response: self.interpret(op, response),
            seconds,
            policy,
            stream,
        )


class AsyncAPIClient(AsyncCalls, _BaseClient):
    """Asyncio client base; use ``async with`` or ``await aclose()``."""

    async def _call(
        self,
        op: Operation,
        values: Mapping[str, object],
        *,
        timeout: float | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        extra_query: Mapping[str, object] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        stream: bool = False,
    ) -> Any:
        """Call ``op`` with ``values`` (keyed by wire name); retry where safe; ``stream``: see ``_run``."""
        seconds, policy = self._settings(timeout, max_retries)
        pairs = self._encode(op, values, extra_query)
        headers = self._request_headers(extra_headers)
        return await self._run(
            op,
            lambda: self._sign(op, pairs, headers),
            lambda response: self.interpret(op, response),
            seconds,
            policy,
            stream,
        )
