"""Request and response hooks: what they are given (secrets redacted) and how they are checked."""

from __future__ import annotations

from .errors import ParameterError
from .records import FrozenRecord

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence
    from typing import Any

    from ._sansio import Body
    from .http11 import HTTPResponse

    Hook = Callable[[Any], Any]

REDACTED = "***"
# Credentials and signatures of ACS requests (V3 headers, V1 query) and common HTTP schemes.
SECRET_HEADERS = frozenset(
    ("authorization", "proxy-authorization", "cookie", "x-acs-security-token")
)
SECRET_QUERY = frozenset(("Signature", "SecurityToken"))
_KINDS = ("request", "response")


class RequestInfo(FrozenRecord):
    """One attempt's request as sent, with credentials and signatures replaced by ``***``."""

    __slots__ = ("method", "url", "headers", "body")
    method: str
    url: str
    headers: dict[str, str]
    body: bytes

    def __init__(
        self, method: str, url: str, headers: dict[str, str], body: bytes
    ) -> None:
        """``headers`` are lower-cased."""
        self._init(method=method, url=url, headers=headers, body=body)


class ResponseInfo(FrozenRecord):
    """The answer to one attempt: status and lower-cased headers (the body is not passed)."""

    __slots__ = ("request", "status", "headers", "elapsed")
    request: RequestInfo
    status: int
    headers: dict[str, str]
    elapsed: float

    def __init__(
        self, request: RequestInfo, status: int, headers: dict[str, str], elapsed: float
    ) -> None:
        """``elapsed``: seconds from sending the request to the complete answer."""
        self._init(request=request, status=status, headers=headers, elapsed=elapsed)


def _redact_query(target: str, names: frozenset[str]) -> str:
    """``target`` with the values of the query parameters in ``names`` replaced."""
    path, mark, query = target.partition("?")
    if not mark:
        return target
    from urllib.parse import unquote

    pairs = []
    for pair in query.split("&"):
        name, equals, _ = pair.partition("=")
        secret = unquote(name) in names
        pairs.append(f"{name}{equals}{REDACTED}" if secret and equals else pair)
    return f"{path}?{'&'.join(pairs)}"


class Hooks:
    """The hooks of one client and the secrets to hide from them; calls them in order."""

    __slots__ = ("request", "response", "_headers", "_query")

    def __init__(
        self,
        event_hooks: Mapping[str, Sequence[Hook]] | None,
        secret_headers: Iterable[str] = (),
        secret_query: Iterable[str] = (),
    ) -> None:
        """Check ``{"request": [...], "response": [...]}``; the secret names add to the defaults."""
        hooks = dict(event_hooks or {})
        unknown = sorted(set(hooks) - set(_KINDS))
        if unknown:
            raise ParameterError(
                f"event_hooks keys must be 'request' or 'response', got {unknown[0]!r}"
            )
        for kind, functions in hooks.items():
            if not isinstance(functions, (list, tuple)) or not all(
                callable(f) for f in functions
            ):
                raise ParameterError(
                    f"event_hooks[{kind!r}] must be a list of callables"
                )
        self.request: tuple[Hook, ...] = tuple(hooks.get("request", ()))
        self.response: tuple[Hook, ...] = tuple(hooks.get("response", ()))
        self._headers = SECRET_HEADERS | {name.lower() for name in secret_headers}
        self._query = SECRET_QUERY | frozenset(secret_query)

    def __bool__(self) -> bool:
        """Whether any hook is set."""
        return bool(self.request or self.response)

    def request_info(
        self,
        origin: str,
        method: str,
        target: str,
        headers: Mapping[str, str],
        body: Body,
    ) -> RequestInfo:
        """The redacted view of a request to ``origin``; a streamed body shows as ``b""`` (never read)."""
        shown = {
            name.lower(): REDACTED if name.lower() in self._headers else value
            for name, value in headers.items()
        }
        url = origin + _redact_query(target, self._query)
        return RequestInfo(method, url, shown, body if isinstance(body, bytes) else b"")

    def response_info(
        self, request: RequestInfo, response: HTTPResponse, elapsed: float
    ) -> ResponseInfo:
        """The view of the answer to ``request``."""
        return ResponseInfo(request, response.status, dict(response.headers), elapsed)
