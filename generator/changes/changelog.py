"""The documentation site's changelog: what changed in the public API from one generation to the next.

`generate` keeps `docs/changelog.json` beside the site's `mkdocs.yml`. It holds a snapshot of the IR
(`api`: what SDK users see, the same data `acs-sdkgen diff` compares) and the changelog `entries`,
newest first. On the next run the snapshot of the previous generation is read back, compared with the
new IR by `acs_sdkgen.changes.diff.diff_apis`, and, when the public API changed, a new entry is prepended. The
changelog page is rendered from the entries, so nothing depends on dates or on git: the same spec,
templates and previous tree always give the same bytes, and `check` right after `generate` finds
nothing to do (the snapshot then equals the spec, so no entry is added).

Without a previous `changelog.json` (a first generation, or an output directory of its own) the
history starts with a baseline entry that says there was nothing to compare with.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import cache
from ..ir import tree as ir
from .diff import Change, diff_apis, format_changelog

STATE_FILE = "changelog.json"
STATE_FORMAT = 2  # 2: operations record their pagination and streaming
ITEM_KIND = "snapshot-item"  # cached: an item's text in the state file, by the item's repr
STATE_DEPTH = 3  # levels of the state file laid out one item per line (state → api → operations → operation)


@dataclass(frozen=True)
class Entry:
    """One changelog entry: a generation whose public API differed from the one before it."""

    number: int
    sdk_version: str
    api_version: str
    baseline: bool  # the first recorded generation: nothing to compare with
    changes: tuple[Change, ...]

    @property
    def breaking(self) -> int:
        """How many of the changes are breaking."""
        return sum(c.breaking for c in self.changes)

    @property
    def markdown(self) -> str:
        """The entry's body: Breaking changes / Added / Changed sections, as `diff --changelog` prints them."""
        return format_changelog(list(self.changes)).strip()


@dataclass(frozen=True)
class History:
    """The changelog after this generation, and the state file that carries it to the next one."""

    entries: tuple[Entry, ...]
    compared: bool  # a previous generation was found and compared with
    state: bytes


def snapshot(value: Any) -> Any:
    """The public part of the IR as JSON-able data (tuples become lists, `ir.INTERNAL` fields are left out)."""
    cls = type(value)
    if cls in _SCALARS:  # most of the calls: returned at once
        return value
    names = _public_fields(cls)
    if names is not None:
        return {name: snapshot(getattr(value, name)) for name in names}
    if isinstance(value, tuple):
        return [snapshot(item) for item in value]
    return value


_SCALARS = frozenset({str, int, float, bool, type(None)})
# The current API's lists by field: their items and those items' texts (see `api_from_snapshot`).
Known = Mapping[str, tuple[tuple[Any, ...], list[str]]]
_PUBLIC_FIELDS: dict[type, tuple[str, ...] | None] = {}


class ItemText(str):
    """An item of the snapshot's lists as the state file wrote it (its JSON text), not decoded yet."""


def _public_fields(cls: type) -> tuple[str, ...] | None:
    """The fields a snapshot keeps of a dataclass; None for any other type (memoised per type)."""
    if cls not in _PUBLIC_FIELDS:
        kept = dataclasses.fields(cls) if dataclasses.is_dataclass(cls) else None
        _PUBLIC_FIELDS[cls] = None if kept is None else tuple(f.name for f in kept if not f.metadata.get("internal"))
    return _PUBLIC_FIELDS[cls]


def api_from_snapshot(data: Mapping[str, Any], known: Known | None = None) -> ir.Api:
    """Rebuild the IR from `snapshot` output; fields missing in an older snapshot get neutral values.

    `known`: by field of `ir.Api`, the items of the current API's list and their texts. An item of the snapshot
    whose text equals the current one's at its place is taken as it is (most of an API is unchanged from one
    generation to the next, and comparing texts costs far less than decoding them into the IR again). An item
    may be given as its text (`ItemText`, as `read_state` gives them) or as decoded data.
    """
    if not isinstance(data, Mapping):
        raise ValueError("expected an object for Api")
    known = known or {}
    hints = _field_hints(ir.Api)
    values = {}
    for f in dataclasses.fields(ir.Api):
        if f.name not in data:
            if f.default is dataclasses.MISSING:
                values[f.name] = _neutral(hints[f.name])
            continue
        hint, value = hints[f.name], data[f.name]
        args = typing.get_args(hint)
        if typing.get_origin(hint) is tuple and args[-1] is Ellipsis and isinstance(value, list):
            items, texts = known.get(f.name, ((), []))
            values[f.name] = tuple(_known_or_decoded(args[0], item, items, texts, i) for i, item in enumerate(value))
        else:
            values[f.name] = _decode(hint, value)
    return ir.Api(**values)


def _known_or_decoded(hint: Any, item: Any, known: tuple[Any, ...], texts: list[str], index: int) -> Any:
    """The known item at the item's place when its text is the item's, else the item decoded."""
    text = item if isinstance(item, ItemText) else None
    if index < len(texts) and texts[index] == (_item_text(item) if text is None else text):
        return known[index]
    return _decode(hint, item if text is None else json.loads(text))


def _known_items(api: ir.Api) -> Known:
    """The items of the API's lists and their texts, by field. A text is taken from the cache by the item's `repr`
    (which shows every field), so only new and changed items are snapshotted and written out."""
    lists = {name: value for name in _public_fields(ir.Api) or () if isinstance(value := getattr(api, name), tuple)}
    items = [item for value in lists.values() for item in value]
    keys: list[tuple[str, ...]] = [(ir.text_of(item),) for item in items]
    hits = cache.load_many(ITEM_KIND, keys)
    texts: list[str] = [hit if hit is not None else _item_text(snapshot(item)) for item, hit in zip(items, hits)]
    cache.store_many(ITEM_KIND, [(key, text) for key, text, hit in zip(keys, texts, hits) if hit is None])
    known: dict[str, tuple[tuple[Any, ...], list[str]]] = {}
    for name, value in lists.items():
        known[name], texts = (value, texts[: len(value)]), texts[len(value) :]
    return known


def _item_text(value: Any) -> str:
    """The JSON text of one item of a snapshot's list, as the state file writes it."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _neutral(hint: Any) -> Any:
    """The value a field absent from an older snapshot gets: None, (), "", False or 0."""
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union) and type(None) in typing.get_args(hint):
        return None
    return {tuple: (), str: "", bool: False, int: 0}.get(origin or hint)


def _decode(hint: Any, value: Any) -> Any:
    """Decode JSON data into the IR type `hint` (dataclasses, tuples, optionals, scalars)."""
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        if value is None:
            return None
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        return _decode(inner[0], value) if len(inner) == 1 else value
    if origin is tuple:
        args = typing.get_args(hint)
        if args[-1] is Ellipsis:
            return tuple(_decode(args[0], item) for item in value or ())
        return tuple(_decode(arg, item) for arg, item in zip(args, value))
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if not isinstance(value, Mapping):
            raise ValueError(f"expected an object for {hint.__name__}")
        hints = _field_hints(hint)
        values = {
            f.name: _decode(hints[f.name], value[f.name]) if f.name in value else _neutral(hints[f.name])
            for f in dataclasses.fields(hint)
            if f.name in value or f.default is dataclasses.MISSING
        }
        return hint(**values)
    return value


@functools.cache
def _field_hints(cls: type) -> dict[str, Any]:
    """A dataclass's resolved field types (resolving them is costly; a snapshot holds thousands of objects)."""
    return typing.get_type_hints(cls)


_CHANGE_FIELDS = tuple(f.name for f in dataclasses.fields(Change))  # all text: a shallow copy is `asdict`'s result


def _entry_data(entry: Entry) -> dict[str, Any]:
    """An entry as JSON-able data."""
    return {
        "number": entry.number,
        "sdk_version": entry.sdk_version,
        "api_version": entry.api_version,
        "baseline": entry.baseline,
        "changes": [{name: getattr(c, name) for name in _CHANGE_FIELDS} for c in entry.changes],
    }


def _entry(data: Mapping[str, Any]) -> Entry:
    """An entry read back from the state file."""
    return Entry(
        number=int(data["number"]),
        sdk_version=str(data.get("sdk_version", "")),
        api_version=str(data.get("api_version", "")),
        baseline=bool(data.get("baseline", False)),
        changes=tuple(Change(**c) for c in data.get("changes", ())),
    )


def read_state(
    path: Path | None, known: Known | None = None
) -> tuple[ir.Api | None, tuple[Entry, ...], int]:
    """The previous generation's API snapshot (unchanged items taken from `known`, see `api_from_snapshot`),
    entries and state format; (None, (), 0) when unreadable."""
    if path is None or not path.is_file():
        return None, (), 0
    try:
        data = _state_data(path.read_text(encoding="utf-8"))
        entries = tuple(_entry(e) for e in data.get("entries", ()))
        version = int(data.get("format", 1))
    except (ValueError, TypeError, KeyError, AttributeError):
        return None, (), 0
    try:
        previous = api_from_snapshot(data["api"], known)
    except (ValueError, TypeError, KeyError, AttributeError):
        previous = None  # a snapshot of another shape: keep the entries, skip this comparison
    return previous, entries, version


ITEM_INDENT = " " * STATE_DEPTH  # an item of the API's lists sits this deep, on a line of its own: see `_json_lines`
ITEM_LINE = ITEM_INDENT + "{"
_PLACEHOLDER = "\0item "


def _state_data(text: str) -> Any:
    """The state file's data, each item of the API's lists left as its text (`ItemText`): only the items unlike the
    current API's are decoded then. A file not laid out one item per line (an older or edited one) is decoded whole."""
    lines = text.split("\n")
    items: list[str] = []
    for index, line in enumerate(lines):
        if line.startswith(ITEM_LINE):
            body = line.rstrip("\r")
            separated = body.endswith(",")  # an item's own JSON text ends with its closing brace
            items.append(body[len(ITEM_INDENT) : -1] if separated else body[len(ITEM_INDENT) :])
            lines[index] = json.dumps(f"{_PLACEHOLDER}{len(items) - 1}") + ("," if separated else "")
    if not items:
        return json.loads(text)
    used: list[int] = []
    try:
        skeleton = json.loads("\n".join(lines))
        data = {**skeleton, "api": _with_items(skeleton["api"], items, used)}
    except (ValueError, TypeError, KeyError, IndexError):
        return json.loads(text)
    return data if sorted(used) == list(range(len(items))) else json.loads(text)  # each item placed once, in the API


def _with_items(value: Any, items: list[str], used: list[int]) -> Any:
    """`value` with each placeholder in its lists replaced by the text of the item it stands for (noted in `used`)."""
    if isinstance(value, dict):
        return {key: _with_items(item, items, used) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_items(item, items, used) for item in value]
    if isinstance(value, str) and value.startswith(_PLACEHOLDER):
        used.append(int(value[len(_PLACEHOLDER) :]))
        return ItemText(items[used[-1]])
    return value


def _shapes_from(api: ir.Api, previous: ir.Api) -> ir.Api:
    """`previous` with the pagination and streaming of `api`'s operations: a format 1 snapshot has none to compare."""
    now = {op.action: op for op in api.operations}
    operations = tuple(
        dataclasses.replace(op, pagination=now[op.action].pagination, streaming=now[op.action].streaming) if op.action in now else op
        for op in previous.operations
    )
    return dataclasses.replace(previous, operations=operations)


def history(api: ir.Api, sdk_version: str, previous_state: Path | None) -> History:
    """Compare `api` with the previous generation's snapshot and return the updated changelog."""
    known = _known_items(api)
    previous, entries, version = read_state(previous_state, known)
    compared = previous is not None
    if previous is not None and version < 2:
        previous = _shapes_from(api, previous)
    if previous is not None:
        changes = diff_apis(previous, api)
        if changes:
            number = max((e.number for e in entries), default=0) + 1
            entries = (Entry(number, sdk_version, api.api_version, False, tuple(changes)), *entries)
    elif not entries:
        entries = (Entry(1, sdk_version, api.api_version, True, ()),)
    own = {name: snapshot(getattr(api, name)) for name in _public_fields(ir.Api) or () if name not in known}
    state = {
        "about": "Written by acs-sdkgen generate for the docs changelog; do not edit. "
        "`api` is the public API the next generation is compared with; `entries` are newest first.",
        "format": STATE_FORMAT,
        "api": {**own, **{name: [ItemText(text) for text in texts] for name, (_, texts) in known.items()}},
        "entries": [_entry_data(e) for e in entries],
    }
    return History(entries, compared, (_json_lines(state) + "\n").encode())


def _json_lines(value: Any, depth: int = 0) -> str:
    """JSON text indented one space per level down to the items of the snapshot's lists (an operation, a
    model, an entry each on one line, so a change shows as changed lines), compact below: Python's
    indenting encoder is several times slower than the compact one. An `ItemText` is written as it is."""
    pad = "\n" + " " * (depth + 1)
    if depth < STATE_DEPTH and isinstance(value, dict) and value:
        items = (f"{json.dumps(key, ensure_ascii=False)}: {_json_lines(value[key], depth + 1)}" for key in sorted(value))
        return "{" + pad + ("," + pad).join(items) + "\n" + " " * depth + "}"
    if depth < STATE_DEPTH and isinstance(value, list) and value:
        return "[" + pad + ("," + pad).join(_json_lines(item, depth + 1) for item in value) + "\n" + " " * depth + "]"
    return value if isinstance(value, ItemText) else _item_text(value)
