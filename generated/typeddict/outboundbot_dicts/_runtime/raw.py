"""Raw responses: an operation's HTTP answer (status, headers, bytes) with its parsed value on demand."""

from __future__ import annotations

from typing import Generic, TypeVar

from ._calls import CAPTURE

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from typing import Any, ParamSpec

    from .http11 import HTTPResponse

    _P = ParamSpec("_P")

_T = TypeVar("_T")

__all__ = ["RawResponse", "async_raw_wrapper", "raw_wrapper"]


class RawResponse(Generic[_T]):
    """One operation's successful HTTP answer; ``parse()`` gives what the operation returns."""

    __slots__ = ("status", "headers", "content", "_value", "_error")
    status: int
    headers: dict[str, str]
    content: bytes

    def __init__(
        self, response: HTTPResponse, value: _T | None, error: Exception | None
    ) -> None:
        """Wrap the answer and the outcome of parsing it."""
        self.status = response.status
        self.headers = response.headers
        self.content = response.body
        self._value = value
        self._error = error

    @property
    def request_id(self) -> str | None:
        """The service's request id: the ``x-acs-request-id`` header or the body's ``RequestId``."""
        found = self.headers.get("x-acs-request-id")
        if found:
            return found
        data = self.json() if self.content[:1] == b"{" else None
        if isinstance(data, dict):
            for key in ("RequestId", "requestId"):
                if isinstance(data.get(key), str):
                    return str(data[key])
        return None

    def text(self) -> str:
        """The body decoded as UTF-8 (undecodable bytes replaced)."""
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        """The body parsed as JSON; None when it is not JSON."""
        import json

        try:
            return json.loads(self.content)
        except ValueError:
            return None

    def parse(self) -> _T:
        """The operation's typed result; raises what parsing raised when the body did not fit."""
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]

    def __repr__(self) -> str:
        """Status and body size."""
        return f"RawResponse(status={self.status}, content=<{len(self.content)} bytes>)"


def _outcome(box: list[HTTPResponse], error: Exception) -> RawResponse[Any]:
    """The raw response when the answer arrived but did not parse; else re-raise ``error``."""
    if not box:
        raise error
    return RawResponse(box[0], None, error)


def raw_wrapper(method: Callable[_P, _T]) -> Callable[_P, RawResponse[_T]]:
    """``method`` returning the first HTTP answer it got as a ``RawResponse``."""

    def wrapped(*args: _P.args, **kwargs: _P.kwargs) -> RawResponse[_T]:
        box: list[HTTPResponse] = []
        token = CAPTURE.set(box)
        try:
            value = method(*args, **kwargs)
        except Exception as error:
            return _outcome(box, error)
        finally:
            CAPTURE.reset(token)
        return RawResponse(box[0], value, None)

    return wrapped


def async_raw_wrapper(
    method: Callable[_P, Awaitable[_T]],
) -> Callable[_P, Awaitable[RawResponse[_T]]]:
    """The async twin of ``raw_wrapper``."""

    async def wrapped(*args: _P.args, **kwargs: _P.kwargs) -> RawResponse[_T]:
        box: list[HTTPResponse] = []
        token = CAPTURE.set(box)
        try:
            value = await method(*args, **kwargs)
        except Exception as error:
            return _outcome(box, error)
        finally:
            CAPTURE.reset(token)
        return RawResponse(box[0], value, None)

    return wrapped
