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

from ..ir import tree as ir
from .diff import Change, diff_apis, format_changelog

STATE_FILE = "changelog.json"
STATE_FORMAT = 2  # 2: operations record their pagination and streaming
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
# The current API's lists by field: their items and those items' snapshots (see `api_from_snapshot`).
Known = Mapping[str, tuple[tuple[Any, ...], list[Any]]]
_PUBLIC_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _public_fields(cls: type) -> tuple[str, ...] | None:
    """The fields a snapshot keeps of a dataclass; None for any other type (memoised per type)."""
    if cls not in _PUBLIC_FIELDS:
        kept = dataclasses.fields(cls) if dataclasses.is_dataclass(cls) else None
        _PUBLIC_FIELDS[cls] = None if kept is None else tuple(f.name for f in kept if not f.metadata.get("internal"))
    return _PUBLIC_FIELDS[cls]


def api_from_snapshot(data: Mapping[str, Any], known: Known | None = None) -> ir.Api:
    """Rebuild the IR from `snapshot` output; fields missing in an older snapshot get neutral values.

    `known`: by field of `ir.Api`, the items of the current API's list and their snapshots. An item of the
    snapshot equal to the current one at its place is taken as it is (most of an API is unchanged from one
    generation to the next, and comparing decoded data costs less than decoding it into the IR again).
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
        if typing.get_origin(hint) is tuple and args[-1] is Ellipsis and isinstance(value, list) and known:
            items, snapshots = known.get(f.name, ((), []))
            values[f.name] = tuple(
                items[i] if i < len(snapshots) and snapshots[i] == item else _decode(args[0], item) for i, item in enumerate(value)
            )
        else:
            values[f.name] = _decode(hint, value)
    return ir.Api(**values)


def _known_items(api: ir.Api, data: Mapping[str, Any]) -> Known:
    """The items of the API's lists and their snapshots (`data` is the API's), by field."""
    return {name: (getattr(api, name), value) for name, value in data.items() if isinstance(value, list)}


def _item_texts(data: Mapping[str, Any]) -> dict[int, str]:
    """The JSON text of each item of a snapshot's lists, by the item's `id` (each is written once)."""
    return {id(item): _item_text(item) for value in data.values() if isinstance(value, list) for item in value}


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


def _entry_data(entry: Entry) -> dict[str, Any]:
    """An entry as JSON-able data."""
    return {
        "number": entry.number,
        "sdk_version": entry.sdk_version,
        "api_version": entry.api_version,
        "baseline": entry.baseline,
        "changes": [dataclasses.asdict(c) for c in entry.changes],
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
        data = json.loads(path.read_bytes())
        entries = tuple(_entry(e) for e in data.get("entries", ()))
        version = int(data.get("format", 1))
    except (ValueError, TypeError, KeyError, AttributeError):
        return None, (), 0
    try:
        previous = api_from_snapshot(data["api"], known)
    except (ValueError, TypeError, KeyError, AttributeError):
        previous = None  # a snapshot of another shape: keep the entries, skip this comparison
    return previous, entries, version


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
    current = snapshot(api)
    texts = _item_texts(current)
    previous, entries, version = read_state(previous_state, _known_items(api, current))
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
    state = {
        "about": "Written by acs-sdkgen generate for the docs changelog; do not edit. "
        "`api` is the public API the next generation is compared with; `entries` are newest first.",
        "format": STATE_FORMAT,
        "api": current,
        "entries": [_entry_data(e) for e in entries],
    }
    return History(entries, compared, (_json_lines(state, texts) + "\n").encode())


def _json_lines(value: Any, texts: Mapping[int, str], depth: int = 0) -> str:
    """JSON text indented one space per level down to the items of the snapshot's lists (an operation, a
    model, an entry each on one line, so a change shows as changed lines), compact below: Python's
    indenting encoder is several times slower than the compact one."""
    pad = "\n" + " " * (depth + 1)
    if depth < STATE_DEPTH and isinstance(value, dict) and value:
        items = (f"{json.dumps(key, ensure_ascii=False)}: {_json_lines(value[key], texts, depth + 1)}" for key in sorted(value))
        return "{" + pad + ("," + pad).join(items) + "\n" + " " * depth + "}"
    if depth < STATE_DEPTH and isinstance(value, list) and value:
        return "[" + pad + ("," + pad).join(_json_lines(item, texts, depth + 1) for item in value) + "\n" + " " * depth + "]"
    return texts.get(id(value)) or _item_text(value)  # the API's items were written once already
