"""Pages of results: typed items, the next page fetched on demand through the client's normal call path."""

from __future__ import annotations

from typing import Generic, TypeVar

from ._calls import CAPTURE
from .encoding import NOT_GIVEN
from .errors import SDKError
from .records import FrozenRecord

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import (
        AsyncIterator,
        Awaitable,
        Callable,
        Generator,
        Iterator,
        Mapping,
    )
    from typing import Any

    from .http11 import HTTPResponse

    Values = dict[str, object]
    Query = dict[str, str]
    Fetch = Callable[[Values, Query], Any]
    AsyncFetch = Callable[[Values, Query], Awaitable[Any]]

_T = TypeVar("_T")

__all__ = ["AsyncPage", "AsyncPager", "Paging", "SyncPage"]


class Paging(FrozenRecord):
    """How one operation pages: the scheme and where its names are in requests and answers."""

    __slots__ = ("scheme", "items", "cursor_param", "cursor_field", "total_field")
    scheme: str
    items: tuple[str, ...]
    cursor_param: str | None
    cursor_field: tuple[str, ...]
    total_field: tuple[str, ...]

    def __init__(
        self,
        scheme: str,
        items: tuple[str, ...],
        cursor_param: str | None = None,
        cursor_field: tuple[str, ...] = (),
        total_field: tuple[str, ...] = (),
    ) -> None:
        """``scheme``: token, page, offset, next-url or link."""
        self._init(
            scheme=scheme,
            items=items,
            cursor_param=cursor_param,
            cursor_field=cursor_field,
            total_field=total_field,
        )


def _dig(data: Any, keys: tuple[str, ...]) -> Any:
    """The value at ``keys`` in nested JSON objects; None when a step is missing."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _link_next(headers: Mapping[str, str]) -> str | None:
    """The ``rel="next"`` target of a ``Link`` header."""
    for part in headers.get("link", "").split(","):
        target, _, params = part.partition(">")
        rels = [p.strip().replace('"', "") for p in params.split(";")]
        if "rel=next" in rels:
            return target.strip().lstrip("<")
    return None


def _from_url(url: str, values: Values) -> tuple[Values, Query]:
    """The query of a next-page URL, sent as given: parameters it names are left out of ``values``."""
    from urllib.parse import parse_qsl, urlsplit

    query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    rest = {k: NOT_GIVEN if k in query else v for k, v in values.items()}
    return rest, query


def _as_int(value: object, default: int) -> int:
    """An int parameter or answer field, ``default`` when absent or not a number."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return default
    try:
        return int(value)
    except ValueError:
        return default


class _PageState(Generic[_T]):
    """What one page knows: its request, answer and items, and the request of the next page."""

    items: list[_T]
    data: Any
    headers: dict[str, str]
    _paging: Paging
    _values: Values
    _seen: int
    _max_items: int | None

    def _setup(
        self,
        paging: Paging,
        values: Values,
        response: tuple[Any, dict[str, str]],
        parse: Callable[[Any], _T],
        seen: int,
        max_items: int | None,
    ) -> None:
        """Parse the answer's items and remember how far the pages have come."""
        self._paging = paging
        self._values = values
        self.data, self.headers = response
        found = _dig(self.data, paging.items)
        self.items = [parse(item) for item in found] if isinstance(found, list) else []
        self._seen = seen + len(self.items)
        self._max_items = max_items

    def _next_request(self) -> tuple[Values, Query] | None:
        """The next page's parameters, or None after the last page."""
        paging, values = self._paging, self._values
        if self._max_items is not None and self._seen >= self._max_items:
            return None
        if paging.scheme in ("next-url", "link"):
            url = (
                _dig(self.data, paging.cursor_field)
                if paging.scheme == "next-url"
                else _link_next(self.headers)
            )
            return _from_url(url, values) if isinstance(url, str) and url else None
        name = paging.cursor_param or ""
        if paging.scheme == "token":
            token = _dig(self.data, paging.cursor_field)
            if token in (None, "") or token == values.get(name):
                return None
            return {**values, name: token}, {}
        total = _dig(self.data, paging.total_field) if paging.total_field else None
        if not self.items or (total is not None and self._seen >= _as_int(total, 0)):
            return None
        if paging.scheme == "page":
            step, start = 1, 1
        else:
            step, start = len(self.items), 0
        return {**values, name: _as_int(values.get(name, NOT_GIVEN), start) + step}, {}

    def has_next_page(self) -> bool:
        """Whether another page follows (and ``max_items`` is not reached)."""
        return self._next_request() is not None

    def _bounded(self, position: int) -> list[_T]:
        """This page's items that fit under ``max_items`` (``position``: items before this page)."""
        if self._max_items is None:
            return self.items
        return self.items[: max(self._max_items - position, 0)]

    def __repr__(self) -> str:
        """The page's size and whether more follow."""
        return (
            f"{type(self).__name__}(items=<{len(self.items)}>, "
            f"has_next_page={self.has_next_page()})"
        )


_NO_NEXT = "no next page: check has_next_page() first"


def _capture_start() -> tuple[list[HTTPResponse], Any, Any]:
    """Capture the answer of one page request (passing it on to an outer raw wrapper)."""
    box: list[HTTPResponse] = []
    return box, CAPTURE.get(), CAPTURE.set(box)


def _capture_end(box: list[HTTPResponse], outer: Any, token: Any) -> dict[str, str]:
    """Stop capturing; the captured answer's headers."""
    CAPTURE.reset(token)
    if outer is not None:
        outer.extend(box)
    return box[-1].headers if box else {}


def _body(result: Any) -> Any:
    """The JSON of a call's result (REST clients return ``(status, data)``)."""
    return result[1] if isinstance(result, tuple) else result


class SyncPage(_PageState[_T]):
    """One page of results; iterate it for every item of this and the following pages."""

    def __init__(
        self,
        fetch: Fetch,
        paging: Paging,
        values: Values,
        parse: Callable[[Any], _T],
        max_items: int | None = None,
        query: Query | None = None,
        seen: int = 0,
    ) -> None:
        """Fetch the page ``values`` (and ``query``) ask for; ``max_items`` bounds the iteration."""
        box, outer, token = _capture_start()
        try:
            data = _body(fetch(values, query or {}))
        finally:
            headers = _capture_end(box, outer, token)
        self._fetch = fetch
        self._parse = parse
        self._setup(paging, values, (data, headers), parse, seen, max_items)

    def next_page(self) -> SyncPage[_T]:
        """Fetch the following page."""
        request = self._next_request()
        if request is None:
            raise SDKError(_NO_NEXT)
        values, query = request
        return SyncPage(
            self._fetch,
            self._paging,
            values,
            self._parse,
            self._max_items,
            query,
            self._seen,
        )

    def iter_pages(self) -> Iterator[SyncPage[_T]]:
        """This page and every following one, fetched as the iteration reaches them."""
        page = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = page.next_page()

    def __iter__(self) -> Iterator[_T]:
        """Every item of this and the following pages, up to ``max_items``."""
        position = self._seen - len(self.items)
        for page in self.iter_pages():
            for item in page._bounded(position):
                yield item
            position = page._seen


class AsyncPage(_PageState[_T]):
    """One page of results; ``async for`` gives every item of this and the following pages."""

    def __init__(
        self,
        fetch: AsyncFetch,
        paging: Paging,
        values: Values,
        parse: Callable[[Any], _T],
        max_items: int | None,
        response: tuple[Any, dict[str, str]],
        seen: int,
    ) -> None:
        """A page already fetched (see ``AsyncPager``)."""
        self._fetch = fetch
        self._parse = parse
        self._setup(paging, values, response, parse, seen, max_items)

    @classmethod
    async def fetch(
        cls,
        fetch: AsyncFetch,
        paging: Paging,
        values: Values,
        parse: Callable[[Any], _T],
        max_items: int | None = None,
        query: Query | None = None,
        seen: int = 0,
    ) -> AsyncPage[_T]:
        """Fetch the page ``values`` (and ``query``) ask for."""
        box, outer, token = _capture_start()
        try:
            data = _body(await fetch(values, query or {}))
        finally:
            headers = _capture_end(box, outer, token)
        return cls(fetch, paging, values, parse, max_items, (data, headers), seen)

    async def next_page(self) -> AsyncPage[_T]:
        """Fetch the following page."""
        request = self._next_request()
        if request is None:
            raise SDKError(_NO_NEXT)
        values, query = request
        return await AsyncPage.fetch(
            self._fetch,
            self._paging,
            values,
            self._parse,
            self._max_items,
            query,
            self._seen,
        )

    async def iter_pages(self) -> AsyncIterator[AsyncPage[_T]]:
        """This page and every following one, fetched as the iteration reaches them."""
        page = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = await page.next_page()

    async def __aiter__(self) -> AsyncIterator[_T]:
        """Every item of this and the following pages, up to ``max_items``."""
        position = self._seen - len(self.items)
        async for page in self.iter_pages():
            for item in page._bounded(position):
                yield item
            position = page._seen


class AsyncPager(Generic[_T]):
    """What an async paginated method returns: ``await`` it for the first page, or ``async for`` its items."""

    __slots__ = ("_start",)

    def __init__(self, start: Callable[[], Awaitable[AsyncPage[_T]]]) -> None:
        """``start`` fetches the first page."""
        self._start = start

    def __await__(self) -> Generator[Any, None, AsyncPage[_T]]:
        """The first page."""
        return self._start().__await__()

    async def __aiter__(self) -> AsyncIterator[_T]:
        """Every item of every page, up to ``max_items``."""
        page = await self._start()
        async for item in page:
            yield item
