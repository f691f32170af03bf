"""Docs pages of one operation or model each, and client methods, reused from the cache while what they read is
unchanged.

A page's template sees its own item, the API's own fields and three lookups (`models_by_name`,
`errors_by_code`, `model_users`) through `PageApi`, which records every key it is asked for and hides
the API's lists of operations and models. The cache holds each page under the digest of its templates,
its item and everything API-wide it is given, together with the keys it looked up and the digest of their
answers. A page is reused only while those answers are the same, so an edit to one model renders again
only the pages that looked that model up, and an edit to one operation only that operation's page. A client
method is kept the same way: the text of a macro called on one operation (`render_calls`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import jinja2

from .. import cache
from ..ir.tree import Api, text_of
from .templates import call_macro, render, template_module, templates_digest

KIND = "rendered-part"  # docs pages and client methods
LOOKUPS = frozenset({"models_by_name", "errors_by_code", "model_users"})
HIDDEN = frozenset({"operations", "models", "model_order"})  # what one page may not depend on as a whole


@dataclasses.dataclass(frozen=True)
class Page:
    """One page to render: its path in the file set, its template, and the item it shows under `name`."""

    path: str
    template: str
    name: str
    item: Any


class _Recorded(Mapping[str, Any]):
    """One of the API's lookups that notes each key a page asks for."""

    def __init__(self, lookup: str, mapping: Mapping[str, Any], reads: set[tuple[str, str]]) -> None:
        self._lookup, self._mapping, self._reads = lookup, mapping, reads

    def __getitem__(self, key: str) -> Any:
        self._reads.add((self._lookup, key))
        return self._mapping[key]

    def __iter__(self) -> Iterator[str]:
        raise TypeError(f"a docs page may look up api.{self._lookup}[key], not go through all of it")

    def __len__(self) -> int:
        raise TypeError(f"a docs page may look up api.{self._lookup}[key], not count it")


class PageApi:
    """The API as one page's template sees it: its fields, and lookups that record what they answer."""

    def __init__(self, api: Api, reads: set[tuple[str, str]]) -> None:
        self._api, self._reads = api, reads

    def __getattr__(self, name: str) -> Any:
        if name in LOOKUPS:
            return _Recorded(name, getattr(self._api, name), self._reads)
        if name in HIDDEN:
            raise AttributeError(f"a docs page of one operation or model cannot read api.{name}")
        return getattr(self._api, name)


def render_pages(env: jinja2.Environment, api: Api, context: dict[str, Any], pages: list[Page]) -> dict[str, bytes]:
    """Each page's bytes by path: reused from the cache where its lookups answer as before, else rendered."""

    def page_text(index: int, reads: set[tuple[str, str]]) -> str:
        page = pages[index]
        return render(env, page.template, **{**context, "api": PageApi(api, reads), page.name: page.item})

    keys = [(page.template, text_of(page.item)) for page in pages]
    texts = _cached_renders(_shared_text(env, api, context), keys, api, page_text)
    return {page.path: text.encode() for page, text in zip(pages, texts)}


def render_calls(
    env: jinja2.Environment, api: Api, context: dict[str, Any], template: str, macro: str, items: Sequence[Any]
) -> list[str]:
    """`macro` of `template` called on each item, its text reused from the cache as a page's is; `template` is
    run once (for its imports and macros) when a call has to be made."""
    modules: list[Any] = []
    reads: set[tuple[str, str]] = set()  # the calls' lookups, one call at a time

    def call_text(index: int, call_reads: set[tuple[str, str]]) -> str:
        reads.clear()
        if not modules:
            modules.append(template_module(env, template, {**context, "api": PageApi(api, reads)}))
        text = call_macro(modules[0], macro, items[index])
        call_reads.update(reads)
        return text

    keys = [(f"{template}:{macro}", text_of(item)) for item in items]
    return _cached_renders(_shared_text(env, api, context), keys, api, call_text)


def _cached_renders(
    shared: str, keys: list[tuple[str, str]], api: Api, render_one: Callable[[int, set[tuple[str, str]]], str]
) -> list[str]:
    """Texts reused from the cache where their lookups answer as before, else `render_one(index, reads)` (which
    notes the lookups it makes in `reads`), cached."""
    shared = hashlib.sha256(shared.encode()).hexdigest()  # hashed once, not once per key
    cache_keys: list[tuple[str, ...]] = [(what, shared, item) for what, item in keys]
    answers = _Answers(api)
    texts: list[str] = []
    new: list[tuple[tuple[str, ...], str]] = []
    for index, (key, hit) in enumerate(zip(cache_keys, cache.load_many(KIND, cache_keys))):
        text = _reused(hit, answers)
        if text is None:
            reads: set[tuple[str, str]] = set()
            text = render_one(index, reads)
            looked_up = sorted(reads)
            header = json.dumps({"reads": looked_up, "answers": answers.digest(looked_up)})
            new.append((key, f"{header}\n{text}"))  # the text after one line: read without decoding it
        texts.append(text)
    cache.store_many(KIND, new)
    return texts


def _shared_text(env: jinja2.Environment, api: Api, context: dict[str, Any]) -> str:
    """Everything a page is given besides its item and lookups: templates, the API's own fields, the context."""
    fields = dataclasses.replace(api, operations=(), models=(), model_order=())  # the HIDDEN ones
    given = [f"{name}={value!r}" for name, value in sorted(context.items()) if name != "api"]
    searched = env.loader.searchpath if isinstance(env.loader, jinja2.FileSystemLoader) else []
    return "\n".join([templates_digest(searched), repr(fields), *given])


def _reused(hit: str | None, answers: _Answers) -> str | None:
    """The cached page text if its recorded lookups answer as they did when it was rendered."""
    if hit is None:
        return None
    header, _, text = hit.partition("\n")
    try:
        stored = json.loads(header)
        reads = [(lookup, key) for lookup, key in stored["reads"]]
        return text if answers.digest(reads) == stored["answers"] else None
    except (ValueError, TypeError, KeyError):
        return None


class _Answers:
    """What the API's lookups answer now, each answer's text digested once per key."""

    def __init__(self, api: Api) -> None:
        self._api = api
        self._digests: dict[tuple[str, str], str] = {}

    def digest(self, reads: list[tuple[str, str]]) -> str:
        """Digest of the answers to these lookups (a missing key answers None)."""
        digest = hashlib.sha256()
        for read in reads:
            if read not in self._digests:
                lookup, key = read
                answer = text_of(getattr(self._api, lookup).get(key))
                self._digests[read] = hashlib.sha256(answer.encode()).hexdigest()
            digest.update(f"{read}\0{self._digests[read]}\0".encode())
        return digest.hexdigest()
