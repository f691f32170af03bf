"""The front end's entry for a spec's previous skeleton, carried over an edit of some operations' own parameters.

An edit of a parameter's rules, type or requiredness changes the spec's skeleton, so the entry `reuse` keeps for
the previous skeleton misses and the whole spec would be normalised and built again (half a second at 1000
operations). Where the new skeleton differs from the previous one only inside the `parameters` lists of some
operations, the previous entry holds for the new skeleton but for those operations' parameters, which are built
again here from a document holding only them and the parameters they share (the path's, the components').

What could reach beyond those parameters is ruled out: a `$ref` in them other than to a component parameter free of
`$ref`s, a path item that is a `$ref`, normalisation changing them or reporting on them, a Python name that is not the
wire name's, a paging declaration or a change in the parameters that make an operation look paginated, a streamed
answer, a change in the count of placeholders (it would renumber the words of everything after them). What remains
is checked: the parameters before the edit, built the same way, must equal the entry's, and the previous skeleton
with the new parameters must be written as the new skeleton to the character (keys in the same order: mappings that
compare equal may not be); else nothing is carried.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .diagnostics import Collector, join_pointer
from .ir import tree as ir
from .ir.build import build_parameters
from .ir.paging import HINT_PARAMS, declaration
from .spec.normalize import normalize
from .spec.pieces import PieceRead, at_pointer
from .spec.prose import dumped
from .spec.validate import HTTP_METHODS

PARAMETERS = "#/components/parameters/"
_DECODER = json.JSONDecoder()


def carried_parameters(
    api: ir.Api,
    old: dict[str, Any],
    new: dict[str, Any],
    changed: list[tuple[str, str]],
    texts: tuple[str, str],
    pieces: list[PieceRead],
    pagination: Mapping[str, Any],
) -> list[tuple[ir.Operation, tuple[ir.Parameter, ...]]] | None:
    """(an operation of `api`, built from skeleton `old`, with its parameters as skeleton `new` has them) for each
    of the `changed` operations (`changed_operations`); None where the parameters' change may reach further, or
    the skeletons differ otherwise. `texts`: the two skeletons' texts (their entries' keys); `pieces`: what the new
    one's document was read in (`spec.pieces`), none where it was read whole."""
    operations = {op.pointer: op for op in api.operations}
    result = []
    for path, method in changed:
        op = operations.get(join_pointer("/paths", path, method))
        if op is None or op.pagination or op.streaming or op.operation_id in pagination or op.action in pagination:
            return None
        if declaration(new["paths"][path][method], None)[0] is not None or _count(old, path, method) != _count(new, path, method):
            return None
        before, after = _parameters(old, path, method), _parameters(new, path, method)
        if before is None or before != op.params or after is None or _paging_hints(before) != _paging_hints(after):
            return None
        result.append((op, after))
    return result if _written_alike(_with_parameters(old, new, changed), new, texts, pieces) else None


def only_in_paths(old_text: str, new_text: str, pieces: list[PieceRead]) -> bool:
    """Whether two skeletons' texts may differ only inside `paths`: where the new one was read in pieces, whether each
    line that differs is a piece under `/paths/`; a document read whole does not tell by its text (true)."""
    if not pieces:
        return True
    before, after = old_text.split("\n"), new_text.split("\n")
    return len(before) == len(after) == len(pieces) and all(
        old == new or piece[0].startswith("/paths/") for piece, old, new in zip(pieces, before, after)
    )


def _written_alike(patched: dict[str, Any], new: dict[str, Any], texts: tuple[str, str], pieces: list[PieceRead]) -> bool:
    """Whether skeleton `patched` is written as skeleton `new`. A document read whole: its text is its dump. One read
    in pieces: its text has a line per piece (its depth, whether it is cut further, its entry's skeleton); where a
    line differs, its piece must be the same entry at the same depth, and that entry's value in both documents must
    be dumped alike."""
    if not pieces:
        return dumped(patched) == texts[1]
    before, after = texts[0].split("\n"), texts[1].split("\n")
    if not len(before) == len(after) == len(pieces):
        return False
    try:
        return all(
            old == text or (_heading(old) == _heading(text) and dumped(at_pointer(patched, piece[0])) == dumped(at_pointer(new, piece[0])))
            for piece, old, text in zip(pieces, before, after)
        )
    except (KeyError, IndexError, ValueError, TypeError):  # a pointer through a key that is not text (a YAML 200)
        return False


def _heading(line: str) -> tuple[str, str]:
    """A piece's line up to its entry's key: its depth and cut mark, and the key; ValueError if it is no such line."""
    start = line.index("{") + 1
    key, _ = _DECODER.raw_decode(line, start)
    return line[:start], key


def changed_operations(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str]] | None:
    """(path, method) of each operation whose own `parameters` differ between two skeletons; None where anything else
    differs, or nothing does (mappings compared as mappings: the order of their keys is `carried_parameters`'s to
    check)."""
    if old.keys() != new.keys() or any(old[key] != new[key] for key in old if key != "paths"):
        return None
    before, after = old.get("paths"), new.get("paths")
    if not (isinstance(before, dict) and isinstance(after, dict)) or before.keys() != after.keys():
        return None
    changed = []
    for path, item in after.items():
        if item == before[path]:
            continue
        if not (isinstance(item, dict) and isinstance(before[path], dict)) or item.keys() != before[path].keys() or "$ref" in item:
            return None
        for key, value in item.items():
            if value == before[path][key]:
                continue
            if key not in HTTP_METHODS or not (isinstance(value, dict) and isinstance(before[path][key], dict)):
                return None
            if _without_parameters(value) != _without_parameters(before[path][key]):
                return None
            changed.append((path, key))
    return changed


def _with_parameters(old: dict[str, Any], new: dict[str, Any], changed: list[tuple[str, str]]) -> dict[str, Any]:
    """Skeleton `old` with the changed operations' own parameters as `new` has them (`old` itself unchanged)."""
    paths = dict(old["paths"])
    for path, method in changed:
        item = paths[path] = dict(paths[path])
        operation = item[method] = dict(item[method])  # the parameters keep their place (a new list comes last)
        if "parameters" in new["paths"][path][method]:
            operation["parameters"] = new["paths"][path][method]["parameters"]
        else:
            operation.pop("parameters", None)
    return {**old, "paths": paths}


def _without_parameters(operation: dict[str, Any]) -> dict[str, Any]:
    """An operation but for its own parameters."""
    return {key: value for key, value in operation.items() if key != "parameters"}


def _count(doc: dict[str, Any], path: str, method: str) -> int:
    """Placeholders in an operation's own parameters."""
    return _placeholders(doc["paths"][path][method].get("parameters"))


def _placeholders(node: Any) -> int:
    """Placeholders (`spec.prose`) in the texts of a part of a skeleton."""
    if isinstance(node, dict):
        return sum(_placeholders(value) for value in node.values())
    if isinstance(node, list):
        return sum(_placeholders(item) for item in node)
    return node.count("\x01") if isinstance(node, str) else 0


def _parameters(doc: dict[str, Any], path: str, method: str) -> tuple[ir.Parameter, ...] | None:
    """An operation's parameters built from a document holding only them and the component parameters they name;
    None where they hold another `$ref`, normalising them changes or reports anything, or building them reports
    anything (a Python name that is not its wire name's, say)."""
    item = doc["paths"][path]
    raw = [*(item.get("parameters") or []), *(item[method].get("parameters") or [])]
    components = doc["components"] if isinstance(doc.get("components"), dict) else {}
    known = components["parameters"] if isinstance(components.get("parameters"), dict) else {}
    shared = {name: known[name] for name in _named(raw) if name in known}
    if not all(_plain(parameter, shared) for parameter in raw):
        return None
    mini: dict[str, Any] = {key: doc[key] for key in ("openapi", "x-acs-api-style") if key in doc}
    mini["paths"] = {path: {key: item[key] for key in ("parameters", method) if key in item}}
    mini["paths"][path][method] = {key: value for key, value in item[method].items() if key in ("operationId", "parameters")}
    mini["components"] = {"parameters": shared}
    diag = Collector("")
    try:
        normalized = normalize(mini, diag)
        if diag.items or normalized.doc["paths"] != mini["paths"] or normalized.doc["components"]["parameters"] != shared:
            return None
        built = build_parameters(normalized, diag, path, method)
    except Exception:  # noqa: BLE001 (a skeleton not validated yet may be anything: the spec is then built whole)
        return None
    return None if diag.items else built


def _named(parameters: list[Any]) -> set[str]:
    """The component parameters that `$ref`s among `parameters` name."""
    refs = [p.get("$ref") for p in parameters if isinstance(p, dict)]
    return {ref[len(PARAMETERS) :] for ref in refs if isinstance(ref, str) and ref.startswith(PARAMETERS)}


def _plain(parameter: Any, shared: dict[str, Any]) -> bool:
    """Whether a parameter holds no `$ref`, or is one `$ref` to a component parameter that holds none."""
    ref = parameter.get("$ref") if isinstance(parameter, dict) else None
    if isinstance(ref, str) and ref.startswith(PARAMETERS):
        target = shared.get(ref[len(PARAMETERS) :])
        return set(parameter) == {"$ref"} and isinstance(target, dict) and not _refs(target)
    return isinstance(parameter, dict) and not _refs(parameter)


def _refs(node: Any) -> bool:
    """Whether a part of a document holds a `$ref`."""
    if isinstance(node, dict):
        return "$ref" in node or any(_refs(value) for value in node.values())
    if isinstance(node, list):
        return any(_refs(item) for item in node)
    return False


def _paging_hints(params: tuple[ir.Parameter, ...]) -> list[str]:
    """The parameters that make an operation without a paging declaration look paginated (an INFO names them)."""
    return sorted(p.wire_name for p in params if p.wire_name.lower() in HINT_PARAMS)
