"""Base classes of the generated API clients: configuration, signing, retries."""

from __future__ import annotations

import time
from types import MappingProxyType

from .async_transport import AsyncTransport
from .credentials import mask_access_key_id, resolve_credentials
from .encoding import NOT_GIVEN, NotGiven, encode_extra_query, encode_query
from .errors import APIError, ParameterError, error_from_response
from .http11 import HTTPResponse, check_header
from .records import FrozenRecord
from .retry import RetryPolicy
from .signing import (
    canonical_query,
    new_nonce,
    sign_v1_query,
    sign_v3_query,
    utc_timestamp,
)
from .transport import SyncTransport

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from types import TracebackType
    from typing import Any, ClassVar, TypeVar

    from .encoding import Param
    from .errors import APIStatusError

    _Sync = TypeVar("_Sync", bound="SyncAPIClient")
    _Async = TypeVar("_Async", bound="AsyncAPIClient")

_NO_ERROR_CLASSES: Mapping[str, type[APIStatusError]] = MappingProxyType({})
_REGION_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
_ENDPOINT_FORBIDDEN = frozenset("/?#@\\ \t\r\n")
_METHOD = "POST"


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


def parse_endpoint(endpoint: str, protocol: str) -> tuple[str, str, int | None, str]:
    """Split ``host``, ``host:port`` or ``scheme://host[:port]`` into its parts.

    Returns ``(scheme, host, port, host_header)``; a scheme in ``endpoint`` wins
    over ``protocol``.
    """
    text = endpoint.strip()
    scheme = protocol
    if "://" in text:
        scheme, _, text = text.partition("://")
        scheme = scheme.lower()
    if scheme not in ("https", "http"):
        raise ParameterError(f"protocol must be 'https' or 'http', got {scheme!r}")
    if text.endswith("/"):
        text = text[:-1]
    bad = ParameterError(
        f"endpoint must look like 'host', 'host:port' or 'https://host:port', "
        f"got {endpoint!r}"
    )
    if not text or not _ENDPOINT_FORBIDDEN.isdisjoint(text):
        raise bad
    port_text: str | None = None
    if text.startswith("["):
        host, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise bad
        port_text = rest[1:] if rest else None
    else:
        host, colon, after = text.partition(":")
        if colon:
            port_text = after
    port: int | None = None
    if port_text is not None:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise bad
        port = int(port_text)
    if not host:
        raise bad
    return scheme, host, port, text


def _check_timeout(value: object) -> float:
    """A positive number of seconds."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ParameterError(
            f"timeout must be a positive number of seconds, got {value!r}"
        )
    return float(value)


def _check_retries(value: object) -> int:
    """A non-negative int."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ParameterError(f"max_retries must be an int >= 0, got {value!r}")
    return value


def _check_headers(extra_headers: Mapping[str, str] | None) -> dict[str, str]:
    """Validate the ``extra_headers`` escape hatch; names are lower-cased."""
    if not extra_headers:
        return {}
    out = {}
    for name, value in extra_headers.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise ParameterError(
                f"extra_headers names and values must be str, got {name!r}"
            )
        check_header(name, value)
        out[name.lower()] = value
    return out


class _BaseClient:
    """Configuration and the pure request and answer steps shared by both clients."""

    _endpoint_rule: ClassVar[str] = ""
    _default_region: ClassVar[str] = ""
    _user_agent: ClassVar[str] = "acs-sdkgen-runtime"

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
    ) -> None:
        """Resolve credentials and the endpoint, check settings; nothing is sent."""
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
        self._timeout = _check_timeout(timeout)
        self._policy = RetryPolicy(_check_retries(max_retries))
        self._retry_server_errors = bool(retry_server_errors)
        self._open_transport()

    def _open_transport(self) -> None:
        """Create ``self._transport`` (sync or async, per subclass)."""
        raise NotImplementedError

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
        """Method, target, headers and body of one attempt (fresh time and nonce)."""
        if self._signature_version == "v3":
            query = canonical_query(pairs)
            headers = sign_v3_query(
                credentials=self._credentials,
                method=_METHOD,
                host=self._host_header,
                query=query,
                headers={"accept": "application/json", **extra_headers},
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
            "accept": "application/json",
            "x-acs-action": op.action,
            "x-acs-version": op.version,
            **extra_headers,
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
        return self._sign(op, pairs, _check_headers(extra_headers))

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
        raise error_from_response(
            response.status, response.headers, response.body, op.error_classes
        )

    def _settings(
        self, timeout: float | NotGiven, max_retries: int | NotGiven
    ) -> tuple[float, RetryPolicy]:
        """The timeout and retry policy of one call (per-call overrides applied)."""
        if isinstance(timeout, NotGiven):
            seconds = self._timeout
        else:
            seconds = _check_timeout(timeout)
        policy = self._policy
        if isinstance(max_retries, NotGiven):
            return seconds, policy
        retries = _check_retries(max_retries)
        if retries == policy.max_retries:
            return seconds, policy
        return seconds, policy.with_max_retries(retries)

    def _retry_wait(
        self,
        op: Operation,
        policy: RetryPolicy,
        error: APIError,
        attempt: int,
        start: float,
    ) -> float | None:
        """Seconds to wait before retry ``attempt``, or None to raise ``error``."""
        return policy.next_delay(
            error,
            attempt,
            read_only=op.read_only,
            retry_server_errors=self._retry_server_errors,
            elapsed=time.monotonic() - start,
        )


class SyncAPIClient(_BaseClient):
    """Blocking client base, thread-safe; use ``with`` or ``close()``."""

    _transport: SyncTransport

    def _open_transport(self) -> None:
        """Create the connection pool (no connection is opened yet)."""
        self._transport = SyncTransport(
            self._scheme,
            self._host,
            self._port,
            timeout=self._timeout,
            user_agent=self._user_agent,
        )

    def _sleep(self, seconds: float) -> None:
        """Wait between attempts (overridden in tests)."""
        time.sleep(seconds)

    def _call(
        self,
        op: Operation,
        values: Mapping[str, object],
        *,
        timeout: float | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        extra_query: Mapping[str, object] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Call ``op`` with ``values`` (keyed by wire name); retry where safe."""
        seconds, policy = self._settings(timeout, max_retries)
        pairs = self._encode(op, values, extra_query)
        headers = _check_headers(extra_headers)
        start = time.monotonic()
        attempt = 0
        while True:
            method, target, signed, body = self._sign(op, pairs, headers)
            try:
                response = self._transport.send(method, target, signed, body, seconds)
                return self.interpret(op, response)
            except APIError as error:
                attempt += 1
                wait = self._retry_wait(op, policy, error, attempt, start)
                if wait is None:
                    raise
            self._sleep(wait)

    def close(self) -> None:
        """Close pooled connections."""
        self._transport.close()

    def __enter__(self: _Sync) -> _Sync:
        """Use the client in a ``with`` block."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the client."""
        self.close()


class AsyncAPIClient(_BaseClient):
    """Asyncio client base; use ``async with`` or ``await aclose()``."""

    _transport: AsyncTransport

    def _open_transport(self) -> None:
        """Create the connection pool (no connection is opened yet)."""
        self._transport = AsyncTransport(
            self._scheme,
            self._host,
            self._port,
            timeout=self._timeout,
            user_agent=self._user_agent,
        )

    async def _sleep(self, seconds: float) -> None:
        """Wait between attempts (overridden in tests)."""
        import asyncio

        await asyncio.sleep(seconds)

    async def _call(
        self,
        op: Operation,
        values: Mapping[str, object],
        *,
        timeout: float | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        extra_query: Mapping[str, object] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Call ``op`` with ``values`` (keyed by wire name); retry where safe."""
        seconds, policy = self._settings(timeout, max_retries)
        pairs = self._encode(op, values, extra_query)
        headers = _check_headers(extra_headers)
        start = time.monotonic()
        attempt = 0
        while True:
            method, target, signed, body = self._sign(op, pairs, headers)
            try:
                response = await self._transport.send(
                    method, target, signed, body, seconds
                )
                return self.interpret(op, response)
            except APIError as error:
                attempt += 1
                wait = self._retry_wait(op, policy, error, attempt, start)
                if wait is None:
                    raise
            await self._sleep(wait)

    async def aclose(self) -> None:
        """Close pooled connections."""
        await self._transport.aclose()

    async def close(self) -> None:
        """Alias of ``aclose``."""
        await self.aclose()

    async def __aenter__(self: _Async) -> _Async:
        """Use the client in an ``async with`` block."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the client."""
        await self.aclose()
