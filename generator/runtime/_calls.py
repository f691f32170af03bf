"""What every client base shares: settings checks, the retry loop, the pool lifecycle."""

from __future__ import annotations

import time
from contextvars import ContextVar

from ._sansio import check_timeout
from .async_transport import AsyncTransport
from .encoding import NOT_GIVEN, NotGiven
from .errors import APIError, ParameterError
from .http11 import FRAMING_HEADERS, HTTPResponse, check_header, check_scheme
from .retry import Attempts, RetryPolicy
from .transport import SyncTransport
from .uploads import Upload

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from types import TracebackType
    from typing import Any, ClassVar, Protocol, TypeVar

    from .network import Network

    class _Op(Protocol):
        """What the retry loop reads of an operation."""

        @property
        def read_only(self) -> bool:
            """Whether the operation may be retried after a 5xx or a lost answer."""

    _R = TypeVar("_R")
    _Self = TypeVar("_Self", bound="_CallSettings")
    _Sync = TypeVar("_Sync", bound="SyncCalls")
    _Async = TypeVar("_Async", bound="AsyncCalls")
    from ._sansio import Body

    Request = tuple[str, str, dict[str, str], Body]

_ENDPOINT_FORBIDDEN = frozenset("/?#@\\ \t\r\n")
# The answers of the calls made inside a ``with_raw_response`` wrapper (None elsewhere).
CAPTURE: ContextVar[list[HTTPResponse] | None] = ContextVar(
    "acs_sdkgen_raw", default=None
)


def keep(response: HTTPResponse, value: _R) -> _R:
    """Record ``response`` for a raw wrapper waiting for it (``CAPTURE``); return ``value``."""
    box = CAPTURE.get()
    if box is not None:
        box.append(response)
    return value


def rewound(body: Body) -> bool:
    """Whether ``body`` can be sent again: bytes, or a streamed body rewound (not a spent iterable)."""
    return not isinstance(body, Upload) or body.rewind()


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
    check_scheme(scheme)
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


def check_retries(value: object) -> int:
    """A non-negative int."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ParameterError(f"max_retries must be an int >= 0, got {value!r}")
    return value


def check_deadline(value: object) -> float | None:
    """None (no deadline) or a positive number of seconds."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ParameterError(
            f"retry_deadline must be None or a positive number of seconds, "
            f"got {value!r}"
        )
    return float(value)


def check_headers(
    extra_headers: Mapping[str, str] | None, reserved: frozenset[str] = frozenset()
) -> dict[str, str]:
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
        lower = name.lower()
        if lower in FRAMING_HEADERS or lower in reserved:
            raise ParameterError(
                f"extra_headers cannot set {name!r}: the client sets it itself"
            )
        out[lower] = value
    return out


class _CallSettings:
    """Timeout and retry settings, and the retry decision."""

    _user_agent: ClassVar[str] = "acs-sdkgen-runtime"
    _scheme: str
    _host: str
    _port: int | None
    _timeout: float
    _policy: RetryPolicy
    _retry_server_errors: bool
    _network: Network
    _reserved_headers: ClassVar[frozenset[str]] = frozenset()
    _headers: Mapping[str, str] = {}
    # Whether the flavor may take an httpx client (not the dependency-free one).
    _accepts_http_client: ClassVar[bool] = False

    def _configure_calls(
        self,
        timeout: object,
        max_retries: object,
        retry_server_errors: object,
        retry_deadline: object,
    ) -> None:
        """Check and store the settings, then create the (unconnected) pool or adopt the httpx client."""
        self._timeout = check_timeout(timeout)
        if self._network.http_client is not None and not self._accepts_http_client:
            raise ParameterError(
                f"{type(self).__name__} of this SDK is dependency-free: it sends through "
                "its own transport and takes no http_client= (the pydantic and typeddict "
                "flavors do)"
            )
        self._policy = RetryPolicy(
            check_retries(max_retries), deadline=check_deadline(retry_deadline)
        )
        self._retry_server_errors = bool(retry_server_errors)
        self._open_transport()

    def _open_transport(self) -> None:
        """Create ``self._transport`` (sync or async, per subclass)."""
        raise NotImplementedError

    def _settings(
        self, timeout: float | NotGiven, max_retries: int | NotGiven
    ) -> tuple[float, RetryPolicy]:
        """The timeout and retry policy of one call (per-call overrides applied)."""
        if isinstance(timeout, NotGiven):
            seconds = self._timeout
        else:
            seconds = check_timeout(timeout)
        policy = self._policy
        if isinstance(max_retries, NotGiven):
            return seconds, policy
        retries = check_retries(max_retries)
        if retries == policy.max_retries:
            return seconds, policy
        return seconds, policy.with_max_retries(retries)

    def with_options(
        self: _Self,
        *,
        timeout: float | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        headers: Mapping[str, str] | None = None,
    ) -> _Self:
        """A copy with other defaults that shares this client's connection pool (and closes it)."""
        import copy

        clone = copy.copy(self)
        clone._timeout, clone._policy = self._settings(timeout, max_retries)
        clone._headers = self._request_headers(headers)
        return clone

    def _request_headers(
        self, extra_headers: Mapping[str, str] | None
    ) -> dict[str, str]:
        """The client's default headers, then ``extra_headers`` (checked)."""
        return {
            **self._headers,
            **check_headers(extra_headers, self._reserved_headers),
        }

    def _attempts(self, op: _Op, seconds: float, policy: RetryPolicy) -> Attempts:
        """The retry state of one call of ``op``."""
        return Attempts(
            policy,
            seconds,
            read_only=op.read_only,
            retry_server_errors=self._retry_server_errors,
        )


class SyncCalls(_CallSettings):
    """Blocking calls with retries over a thread-safe pool; use ``with`` or ``close()``."""

    _transport: SyncTransport

    def _open_transport(self) -> None:
        """Create the connection pool (no connection is opened yet), or adopt the httpx client."""
        transport = SyncTransport
        if self._network.http_client is not None:
            from .httpx_transport import HttpxTransport

            transport = HttpxTransport
        self._transport = transport(
            self._scheme,
            self._host,
            self._port,
            timeout=self._timeout,
            user_agent=self._user_agent,
            network=self._network,
        )

    def _sleep(self, seconds: float) -> None:
        """Wait between attempts (overridden in tests)."""
        time.sleep(seconds)

    def _open_stream(
        self,
        method: str,
        target: str,
        headers: Mapping[str, str],
        body: Body,
        timeout: float | None = None,
    ) -> Any:
        """Send on a connection of its own; the opened answer (``streaming.open_stream``)."""
        return self._transport.open_stream(method, target, headers, body, timeout)

    def _run(
        self,
        op: _Op,
        request: Callable[[], Request],
        interpret: Callable[[HTTPResponse], Any],
        seconds: float,
        policy: RetryPolicy,
        stream: bool = False,
    ) -> Any:
        """Send ``request()`` and interpret the answer; retry where safe.

        ``stream``: read only the head of a success answer on a connection of its own
        and return it opened (``streaming``); an error answer is read whole and interpreted.
        """
        send = self._open_stream if stream else self._transport.send
        attempts = self._attempts(op, seconds, policy)
        while True:
            method, target, headers, body = request()
            try:
                response = send(method, target, headers, body, attempts.timeout)
                if stream and not isinstance(response, HTTPResponse):
                    return keep(response, response)
                return keep(response, interpret(response))
            except APIError as error:
                wait = attempts.backoff(error)
                if wait is None or not rewound(body):
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


class AsyncCalls(_CallSettings):
    """Asyncio calls with retries over a pool; use ``async with`` or ``await aclose()``."""

    _transport: AsyncTransport

    def _open_transport(self) -> None:
        """Create the connection pool (no connection is opened yet), or adopt the httpx client."""
        transport = AsyncTransport
        if self._network.http_client is not None:
            from .httpx_transport import AsyncHttpxTransport

            transport = AsyncHttpxTransport
        self._transport = transport(
            self._scheme,
            self._host,
            self._port,
            timeout=self._timeout,
            user_agent=self._user_agent,
            network=self._network,
        )

    async def _sleep(self, seconds: float) -> None:
        """Wait between attempts (overridden in tests)."""
        import asyncio

        await asyncio.sleep(seconds)

    async def _open_stream(
        self,
        method: str,
        target: str,
        headers: Mapping[str, str],
        body: Body,
        timeout: float | None = None,
    ) -> Any:
        """Send on a connection of its own; the opened answer (``streaming.open_async_stream``)."""
        return await self._transport.open_stream(method, target, headers, body, timeout)

    async def _run(
        self,
        op: _Op,
        request: Callable[[], Request],
        interpret: Callable[[HTTPResponse], Any],
        seconds: float,
        policy: RetryPolicy,
        stream: bool = False,
    ) -> Any:
        """Send ``request()`` and interpret the answer; retry where safe.

        ``stream``: read only the head of a success answer on a connection of its own
        and return it opened (``streaming``); an error answer is read whole and interpreted.
        """
        send = self._open_stream if stream else self._transport.send
        attempts = self._attempts(op, seconds, policy)
        while True:
            method, target, headers, body = request()
            try:
                response = await send(method, target, headers, body, attempts.timeout)
                if stream and not isinstance(response, HTTPResponse):
                    return keep(response, response)
                return keep(response, interpret(response))
            except APIError as error:
                wait = attempts.backoff(error)
                if wait is None or not rewound(body):
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
