"""`diff`: compare the public API generated from two spec versions and classify each change.

What is compared is the IR in Python names (what SDK users see), not the spec text. Every change has
a stable `kind` (`parameter.removed`), a severity (`breaking` or `compatible`), a location
(`create_instance(calling_number)`, `Instance.creation_time`, `create_instance[SomeError]`) and a
message. Each side is a spec file or `REV:PATH`, read with `git show` in the current repository.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from operator import attrgetter
from typing import Any

from ..ir import tree as ir

BREAKING, COMPATIBLE = "breaking", "compatible"
UNTYPED = "dict[str, Any]"  # what a method without a response model returns

# entity → (location, description) templates; `owner` is the enclosing operation or model.
ENTITIES = {
    "package": ("{name}", "package `{name}`"),
    "operation": ("{name}", "operation `{name}`"),
    "parameter": ("{owner}({name})", "parameter `{name}` of `{owner}`"),
    "error": ("{owner}[{name}]", "error `{name}` of `{owner}`"),
    "model": ("{name}", "model `{name}`"),
    "field": ("{owner}.{name}", "field `{name}` of `{owner}`"),
    "exception": ("{name}", "exception `{name}`"),
}

# kind → (severity, message template); {what} describes the member, {old} and {new} are code-formatted.
KINDS = {
    "package.renamed": (BREAKING, "{what} was renamed to {new}"),
    "operation.added": (COMPATIBLE, "{what} was added"),
    "operation.removed": (BREAKING, "{what} was removed"),
    "operation.renamed": (BREAKING, "{what} was renamed to {new}"),
    "operation.wire_renamed": (BREAKING, "{what} now calls action {new} instead of {old}"),
    "operation.response_changed": (BREAKING, "{what} now returns {new} instead of {old}"),
    "operation.docs_changed": (COMPATIBLE, "documentation of {what} changed"),
    "operation.paginated": (BREAKING, "{what} now returns pages of {new} instead of {old}"),
    "operation.not_paginated": (BREAKING, "{what} now returns {new} instead of pages of {old}"),
    "operation.page_items_changed": (BREAKING, "the items of the pages of {what} changed from {old} to {new}"),
    "operation.pagination_changed": (COMPATIBLE, "{what} now fetches its pages by {new} instead of {old}"),
    "operation.streaming_started": (BREAKING, "{what} now streams its answer: it returns {new} instead of {old}"),
    "operation.streaming_stopped": (BREAKING, "{what} no longer streams its answer: it returns {new} instead of {old}"),
    "operation.stream_changed": (BREAKING, "{what} now returns {new} instead of {old}"),
    "operation.stream_behaviour_changed": (COMPATIBLE, "the stream of {what} now behaves as {new} instead of {old}"),
    "parameter.added": (COMPATIBLE, "optional {what} was added"),
    "parameter.added_required": (BREAKING, "required {what} was added"),
    "parameter.removed": (BREAKING, "{what} was removed"),
    "parameter.renamed": (BREAKING, "{what} was renamed to {new}"),
    "parameter.wire_renamed": (BREAKING, "{what} is now sent as {new} instead of {old}"),
    "parameter.made_required": (BREAKING, "{what} is now required"),
    "parameter.made_optional": (COMPATIBLE, "{what} is now optional"),
    "parameter.type_changed": (BREAKING, "type of {what} changed from {old} to {new}"),
    "parameter.type_narrowed": (BREAKING, "type of {what} was narrowed from {old} to {new}"),
    "parameter.type_widened": (COMPATIBLE, "type of {what} was widened from {old} to {new}"),
    "parameter.enum_value_removed": (BREAKING, "value {old} was removed from {what}"),
    "parameter.enum_value_added": (COMPATIBLE, "value {new} was added to {what}"),
    "parameter.docs_changed": (COMPATIBLE, "documentation of {what} changed"),
    "error.added": (COMPATIBLE, "{what} was added"),
    "error.removed": (BREAKING, "{what} is no longer documented"),
    "error.renamed": (BREAKING, "{what} was renamed to {new}"),
    "error.wire_renamed": (BREAKING, "{what} now stands for error code {new} instead of {old}"),
    "model.added": (COMPATIBLE, "{what} was added"),
    "model.removed": (BREAKING, "{what} was removed"),
    "model.type_changed": (BREAKING, "{what} changed from {old} to {new}"),
    "model.enum_value_removed": (BREAKING, "value {old} was removed from {what}"),
    "model.enum_value_added": (COMPATIBLE, "value {new} was added to {what}"),
    "model.docs_changed": (COMPATIBLE, "documentation of {what} changed"),
    "field.added": (COMPATIBLE, "{what} was added"),
    "field.removed": (BREAKING, "{what} was removed"),
    "field.renamed": (BREAKING, "{what} was renamed to {new}"),
    "field.wire_renamed": (BREAKING, "{what} is now read from {new} instead of {old}"),
    "field.type_changed": (BREAKING, "type of {what} changed from {old} to {new}"),
    "field.made_optional": (BREAKING, "{what} may now be missing or null"),
    "field.made_required": (COMPATIBLE, "{what} is now always present"),
    "field.docs_changed": (COMPATIBLE, "documentation of {what} changed"),
    "exception.base_changed": (BREAKING, "{what} now derives from {new} instead of {old}"),
    "exception.docs_changed": (COMPATIBLE, "message or description of {what} changed"),
}
SECTIONS = ("Breaking changes", "Added", "Changed")

Key = Callable[[Any], str]
Compare = Callable[[str, Any, Any], list["Change"]]
_ACTION, _METHOD, _CLASS, _CODE, _PYTHON, _WIRE = map(
    attrgetter, ("action", "method_name", "class_name", "code", "python_name", "wire_name")
)


@dataclass(frozen=True, order=True)
class Change:
    """One difference in the public API; the field order is the report order."""

    severity: str
    location: str
    kind: str
    message: str

    @property
    def breaking(self) -> bool:
        """Whether existing user code may stop working."""
        return self.severity == BREAKING


def diff_apis(old: ir.Api, new: ir.Api) -> list[Change]:
    """Every public API change from `old` to `new`: breaking first, then by location and kind."""
    changes = []
    if old.package != new.package:
        changes.append(_change("package.renamed", old.package, new=new.package))
    changes += _members("operation", "", old.operations, new.operations, _ACTION, _METHOD, _operation)
    changes += _members("model", "", old.models, new.models, _CLASS, _CLASS, _model)
    for before, after in _pair(old.error_codes, new.error_codes, _CODE, _CLASS)[0]:
        changes += _exception(before, after)
    return sorted(changes)


def _change(kind: str, name: str, owner: str = "", old: object = None, new: object = None) -> Change:
    """A change of `kind` to member `name` of `owner`."""
    location, what = (template.format(name=name, owner=owner) for template in ENTITIES[kind.split(".")[0]])
    severity, message = KINDS[kind]
    return Change(severity, location, kind, message.format(what=what, old=f"`{old}`", new=f"`{new}`"))


def _param_wire(param: ir.Parameter) -> str:
    """A parameter's identity on the wire (its location too, outside the RPC query string)."""
    return param.wire_name if param.location == "query" else f"{param.wire_name} ({param.location})"


def _pair(old: Iterable[Any], new: Iterable[Any], wire: Key, python: Key) -> tuple[list[tuple[Any, Any]], list[Any], list[Any]]:
    """Match members by wire identity, then the leftovers by Python name: (pairs, removed, added)."""
    before, after = {wire(o): o for o in old}, {wire(n): n for n in new}
    pairs = [(before[k], after[k]) for k in sorted(before.keys() & after.keys())]
    removed = [before[k] for k in sorted(before.keys() - after.keys())]
    added = [after[k] for k in sorted(after.keys() - before.keys())]
    by_name = {python(n): n for n in added}
    for o in list(removed):
        n = by_name.pop(python(o), None)
        if n is not None:
            pairs.append((o, n))
            removed.remove(o)
            added.remove(n)
    return pairs, removed, added


def _members(
    entity: str, owner: str, old: Sequence[Any], new: Sequence[Any], wire: Key, python: Key, compare: Compare
) -> list[Change]:
    """Removed, added and renamed members of one family, then `compare` on each matched pair."""
    pairs, removed, added = _pair(old, new, wire, python)
    changes = [_change(f"{entity}.removed", python(o), owner) for o in removed]
    for n in added:
        required = entity == "parameter" and n.required
        changes.append(_change(f"{entity}.added_required" if required else f"{entity}.added", python(n), owner))
    for o, n in pairs:
        if o is n:  # the changelog reuses objects it found unchanged
            continue
        if python(o) != python(n):
            changes.append(_change(f"{entity}.renamed", python(o), owner, new=python(n)))
        elif wire(o) != wire(n):
            changes.append(_change(f"{entity}.wire_renamed", python(o), owner, wire(o), wire(n)))
        changes += compare(owner, o, n)
    return changes


def _docs(entity: str, name: str, owner: str, old: object, new: object, *attrs: str) -> list[Change]:
    """A `docs_changed` change when any of the documentation attributes differ."""
    changed = any(getattr(old, a) != getattr(new, a) for a in attrs)
    return [_change(f"{entity}.docs_changed", name, owner)] if changed else []


def _enum_values(entity: str, name: str, owner: str, old: tuple[str, ...], new: tuple[str, ...]) -> list[Change]:
    """Values removed from and added to an enum."""
    removed = [_change(f"{entity}.enum_value_removed", name, owner, old=v) for v in old if v not in new]
    return removed + [_change(f"{entity}.enum_value_added", name, owner, new=v) for v in new if v not in old]


def _operation(_: str, old: ir.Operation, new: ir.Operation) -> list[Change]:
    """Changes inside a kept (or renamed) operation."""
    name = new.method_name
    changes = _docs("operation", name, "", old, new, "summary", "description")
    shape = _paging(name, old, new) + _streaming(name, old, new)
    streamed = old.streaming or new.streaming  # what a call returns is then compared by `_streaming`
    if old.response != new.response and not streamed and not any(c.kind.endswith("paginated") for c in shape):
        changes.append(_change("operation.response_changed", name, "", old.response or UNTYPED, new.response or UNTYPED))
    changes += shape
    changes += _members("parameter", name, old.params, new.params, _param_wire, _PYTHON, _parameter)
    return changes + _members("error", name, old.errors, new.errors, _CODE, _CLASS, lambda *_: [])


def _whole(op: ir.Operation) -> str:
    """What a call of an operation that neither pages nor streams returns."""
    return op.returns if op.responses else UNTYPED


def _pages(pg: ir.Pagination) -> str:
    """How an operation fetches its pages: the scheme and the cursor it advances."""
    cursor = pg.cursor_param or ".".join(pg.cursor_field)
    return f"{pg.scheme} pagination" + (f" ({cursor})" if cursor else "")


def _paging(name: str, old: ir.Operation, new: ir.Operation) -> list[Change]:
    """An operation that starts or stops paginating, or pages other items or by another scheme."""
    before, after = old.pagination, new.pagination
    if before is None:
        return [] if after is None else [_change("operation.paginated", name, "", _whole(old), after.item.type_hint)]
    if after is None:
        return [_change("operation.not_paginated", name, "", before.item.type_hint, _whole(new))]
    changes = []
    if before.item.type_hint != after.item.type_hint:
        changes.append(_change("operation.page_items_changed", name, "", before.item.type_hint, after.item.type_hint))
    if _pages(before) != _pages(after):
        changes.append(_change("operation.pagination_changed", name, "", _pages(before), _pages(after)))
    return changes


def _stream(op: ir.Operation) -> str:
    """What a call of a streamed operation returns (as the sync client types it)."""
    st = op.streaming
    assert st is not None
    if st.kind == "binary":
        return "BinaryResponse"
    events = " | ".join(dict.fromkeys(r.type_hint for _, r in st.events)) or (st.event.type_hint if st.event else "Any")
    stream = f"Stream[{events}]"
    return f"{stream} when {st.flag.python_name}=True, else {_whole(op)}" if st.flag else stream


def _behaviour(st: ir.Streaming) -> str:
    """How a stream ends and recovers."""
    end = f"ends at {st.sentinel}" if st.sentinel is not None else "ends with the body"
    return end + (", resumable" if st.resumable else ", not resumable")


def _streaming(name: str, old: ir.Operation, new: ir.Operation) -> list[Change]:
    """An operation that starts or stops streaming, streams other events, or ends or resumes otherwise."""
    before, after = old.streaming, new.streaming
    if before is None:
        return [] if after is None else [_change("operation.streaming_started", name, "", _whole(old), _stream(new))]
    if after is None:
        return [_change("operation.streaming_stopped", name, "", _stream(old), _whole(new))]
    changes = []
    if _stream(old) != _stream(new):
        changes.append(_change("operation.stream_changed", name, "", _stream(old), _stream(new)))
    if before.kind == after.kind == "sse" and _behaviour(before) != _behaviour(after):
        changes.append(_change("operation.stream_behaviour_changed", name, "", _behaviour(before), _behaviour(after)))
    return changes


def _parameter(op: str, old: ir.Parameter, new: ir.Parameter) -> list[Change]:
    """Requiredness, type, enum and documentation changes of a parameter."""
    name = new.python_name
    changes = _docs("parameter", name, op, old, new, "description")
    if old.required != new.required:
        changes.append(_change("parameter.made_required" if new.required else "parameter.made_optional", name, op))
    if (old.kind, old.items) != (new.kind, new.items):
        changes.append(_change("parameter.type_changed", name, op, old.type_hint, new.type_hint))
    elif bool(old.enum) != bool(new.enum):
        kind = "parameter.type_narrowed" if new.enum else "parameter.type_widened"
        changes.append(_change(kind, name, op, old.type_hint, new.type_hint))
    else:
        changes += _enum_values("parameter", name, op, old.enum, new.enum)
    return changes


def _model(_: str, old: ir.Model, new: ir.Model) -> list[Change]:
    """Kind, enum, documentation and field changes of a kept model."""
    name = new.class_name
    changes = _docs("model", name, "", old, new, "description")
    if old.kind != new.kind:
        changes.append(_change("model.type_changed", name, "", old.kind, new.kind))
    changes += _enum_values("model", name, "", old.enum, new.enum)
    return changes + _members("field", name, old.fields, new.fields, _WIRE, _PYTHON, _field)


def _field(model: str, old: ir.ModelField, new: ir.ModelField) -> list[Change]:
    """Type, presence and documentation changes of a model field."""
    name = new.python_name
    changes = _docs("field", name, model, old, new, "description")
    if old.type_text != new.type_text:
        changes.append(_change("field.type_changed", name, model, old.type_text, new.type_text))
    was_optional, is_optional = (not f.required or f.nullable for f in (old, new))
    if was_optional != is_optional:
        changes.append(_change("field.made_optional" if is_optional else "field.made_required", name, model))
    return changes


def _exception(old: ir.ErrorCode, new: ir.ErrorCode) -> list[Change]:
    """Base class and documentation changes of an exception class that both sides define."""
    name = new.class_name
    changes = _docs("exception", name, "", old, new, "message", "description")
    if old.base_class != new.base_class:
        changes.append(_change("exception.base_changed", name, "", old.base_class, new.base_class))
    return changes


def _plural(count: int, noun: str) -> str:
    """`1 breaking change`, `2 breaking changes`."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def format_text(changes: list[Change]) -> str:
    """The human report: a summary line, then breaking changes before compatible ones."""
    if not changes:
        return "no changes to the public API\n"
    breaking = sum(c.breaking for c in changes)
    lines = [f"{_plural(breaking, 'breaking change')}, {_plural(len(changes) - breaking, 'compatible change')} to the public API"]
    for severity in (BREAKING, COMPATIBLE):
        group = [c for c in changes if c.severity == severity]
        if group:
            lines += ["", f"{severity.capitalize()}:"] + [f"  {c.location}: {c.message} [{c.kind}]" for c in group]
    return "\n".join(lines) + "\n"


def format_json(changes: list[Change]) -> str:
    """A stable JSON document: `breaking`, `summary` counts and the sorted `changes`."""
    breaking = sum(c.breaking for c in changes)
    document = {
        "breaking": breaking > 0,
        "summary": {BREAKING: breaking, COMPATIBLE: len(changes) - breaking},
        "changes": [asdict(c) for c in changes],
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _section(change: Change) -> str:
    """The changelog section of a change."""
    return SECTIONS[0] if change.breaking else SECTIONS[1] if change.kind.endswith("added") else SECTIONS[2]


def format_changelog(changes: list[Change]) -> str:
    """A ready-to-paste Markdown changelog entry with Breaking changes / Added / Changed sections."""
    if not changes:
        return "No changes to the public API.\n"
    blocks = []
    for section in SECTIONS:
        bullets = [f"- {c.message[0].upper()}{c.message[1:]}.\n" for c in changes if _section(c) == section]
        if bullets:
            blocks.append(f"### {section}\n\n" + "".join(bullets))
    return "\n".join(blocks)


FORMATS = {"text": format_text, "json": format_json}
