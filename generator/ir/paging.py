"""Which operations paginate, and how: declared by a spec extension or the configuration, never guessed.

Read: `x-acs-sdkgen-pagination` (ours, see spec/README.md), `x-speakeasy-pagination`, `x-fern-pagination`,
`x-ms-pageable`, and `[tool.acs-sdkgen.pagination]` entries keyed by operationId or action. An operation
with no declaration whose parameters look like paging gets an INFO diagnostic suggesting one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..diagnostics import Collector
from . import tree as ir
from .types import Hint, Types, json_kind

SCHEMES = ("token", "page", "offset", "next-url", "link")
# What each scheme's names default to: the request parameter it advances, the response field it reads.
DEFAULTS: dict[str, dict[str, str]] = {
    "token": {"token": "NextToken", "next-token": "NextToken"},
    "page": {"page": "PageNumber", "total": "TotalCount"},
    "offset": {"offset": "offset", "total": ""},
    "next-url": {"next-url": "next"},
    "link": {},
}
KEYS = ("scheme", "items", "token", "next-token", "page", "offset", "total", "next-url")
# Parameter names that suggest paging when no declaration is given.
HINT_PARAMS = frozenset({"nexttoken", "pagenumber", "offset", "cursor", "page", "pagetoken"})


def declaration(op: dict[str, Any], configured: Mapping[str, Any] | None) -> tuple[dict[str, Any] | None, str]:
    """The operation's paging declaration as our own keys, and where it came from ('' when none)."""
    if configured is not None:
        return dict(configured), "configuration"
    for key, convert in CONVERTERS.items():
        if key in op:
            return convert(op[key]), key
    return None, ""


def _ours(raw: Any) -> dict[str, Any]:
    """`x-acs-sdkgen-pagination`: already in our keys."""
    return dict(raw) if isinstance(raw, dict) else {"scheme": raw}


def _json_path(text: Any, prefix: str) -> str:
    """`$response.data.items` / `$.data.items` / `$request.cursor` as a dotted path."""
    value = str(text or "")
    for head in (prefix, "$."):
        if value.startswith(head):
            return value[len(head) :]
    return value


def _speakeasy(raw: Any) -> dict[str, Any]:
    """`x-speakeasy-pagination`: type offsetLimit|cursor|url, inputs and outputs."""
    raw = raw if isinstance(raw, dict) else {}
    inputs = {i.get("type"): i.get("name") for i in raw.get("inputs") or [] if isinstance(i, dict)}
    outputs = raw.get("outputs") or {}
    out: dict[str, Any] = {"items": _json_path(outputs.get("results"), "$.")}
    kind = raw.get("type")
    if kind == "cursor":
        out.update(scheme="token", token=inputs.get("cursor"), **{"next-token": _json_path(outputs.get("nextCursor"), "$.")})
    elif kind == "url":
        out.update(scheme="next-url", **{"next-url": _json_path(outputs.get("nextUrl"), "$.")})
    elif "page" in inputs:
        out.update(scheme="page", page=inputs["page"], total="")
    else:
        out.update(scheme="offset", offset=inputs.get("offset"), total="")
    return out


def _fern(raw: Any) -> dict[str, Any]:
    """`x-fern-pagination`: cursor/next_cursor, or offset (a page index unless `step` is given)."""
    raw = raw if isinstance(raw, dict) else {}
    out: dict[str, Any] = {"items": _json_path(raw.get("results"), "$response.")}
    if "cursor" in raw:
        out.update(
            scheme="token",
            token=_json_path(raw["cursor"], "$request."),
            **{"next-token": _json_path(raw.get("next_cursor"), "$response.")},
        )
    elif "step" in raw:
        out.update(scheme="offset", offset=_json_path(raw.get("offset"), "$request."), total="")
    else:
        out.update(scheme="page", page=_json_path(raw.get("offset"), "$request."), total="")
    return out


def _ms(raw: Any) -> dict[str, Any]:
    """`x-ms-pageable`: nextLinkName (null: one page) and itemName (default `value`)."""
    raw = raw if isinstance(raw, dict) else {}
    link = raw.get("nextLinkName", "nextLink")
    items = raw.get("itemName") or "value"
    if link is None:
        return {"scheme": "", "items": items}
    return {"scheme": "next-url", "items": items, "next-url": link}


CONVERTERS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "x-acs-sdkgen-pagination": _ours,
    "x-speakeasy-pagination": _speakeasy,
    "x-fern-pagination": _fern,
    "x-ms-pageable": _ms,
}


class PagingReader:
    """Turns declarations into `ir.Pagination`, reporting every problem where it was declared."""

    def __init__(self, types: Types, diag: Collector, configured: Mapping[str, Any]) -> None:
        self.types = types
        self.diag = diag
        self.configured = dict(configured)

    def _problem(self, source: str, where: str, message: str, hint: str | None = None) -> None:
        """A declaration that cannot be followed: an error in ours (the extension or the configuration, which the
        user wrote for this generator), a warning in another generator's extension, whose operation then
        simply returns one page (such specs are published as they are; refusing them helps no one)."""
        if source in ("x-acs-sdkgen-pagination", "configuration"):
            self.diag.error(where, message, hint)
        else:
            self.diag.warning(where, f"{message}; the operation returns one page", hint)

    def read(self, op: dict[str, Any], op_id: str, action: str, pointer: str, params: tuple[ir.Parameter, ...]) -> ir.Pagination | None:
        """The operation's pagination, None when it has none (an INFO when it looks paginated)."""
        entry = self.configured.pop(op_id, None) or self.configured.pop(action, None)
        found, source = declaration(op, entry)
        if found is None:
            self.suggest(op_id, pointer, params)
            return None
        where = f"{pointer}/{source}" if source != "configuration" else pointer
        unknown = sorted(set(found) - set(KEYS))
        scheme = found.get("scheme")
        if unknown or scheme not in SCHEMES:
            problem = f"unknown keys {unknown}" if unknown else f"scheme {scheme!r} (one of {', '.join(SCHEMES)})"
            if scheme == "" and not unknown:
                return None  # x-ms-pageable with nextLinkName null: one page
            self._problem(source, where, f"{op_id}: pagination ({source}) has {problem}", f"keys: {', '.join(KEYS)}")
            return None
        names = {**DEFAULTS[scheme], **{k: v for k, v in found.items() if v is not None}}
        wire = {p.wire_name for p in params}
        for key in ("token", "page", "offset"):
            if key in DEFAULTS[scheme] and names[key] not in wire:
                self._problem(source, where, f"{op_id}: pagination ({source}) names the parameter {names[key]!r}, which the operation does not have")
                return None
        items, item, models = self.items(op, str(names.get("items") or ""))
        if item is None:
            self._problem(source, where, f"{op_id}: pagination ({source}): no item array {items or '(unnamed)'!r} in the success response", "name it with items: Field or items: Outer.Inner")
            return None
        cursor = {"token": "token", "page": "page", "offset": "offset"}.get(scheme)
        field = {"token": "next-token", "next-url": "next-url"}.get(scheme)
        return ir.Pagination(
            scheme=scheme,
            items=tuple(items.split(".")) if items else (),
            item=item,
            cursor_param=names[cursor] if cursor else None,
            cursor_field=tuple(str(names[field]).split(".")) if field else (),
            total_field=tuple(str(names["total"]).split(".")) if names.get("total") else (),
            models=tuple(sorted(models)),
        )

    def items(self, op: dict[str, Any], path: str) -> tuple[str, ir.Response | None, frozenset[str]]:
        """The dotted path of the item array (found when `path` is empty) and one item as a response."""
        responses = op.get("responses") or {}
        ok = next((self.types.resolve(responses[s]) for s in sorted(map(str, responses)) if s.startswith("2")), {})
        content = ok.get("content") or {}
        media = next((content[m] for m in sorted(content) if "json" in m), None) or {}
        schema = media.get("schema") or {}
        if not path and json_kind(self.types.resolve(schema)) != "array":
            path = self.only_array(schema, "")
        node: Any = schema
        for key in path.split(".") if path else ():
            node = ((self.types.resolve(node) or {}).get("properties") or {}).get(key)
            if not isinstance(node, dict):
                return path, None, frozenset()
        resolved = self.types.resolve(node)
        if json_kind(resolved) != "array":
            return path, None, frozenset()
        raw = resolved.get("items") or {}
        hint: Hint = self.types.hint(raw)
        model = self.types.ref_class(raw)
        return path, ir.Response("", model, "", hint.text, None, ""), hint.models

    def only_array(self, schema: Any, prefix: str) -> str:
        """The path of the one array in the schema (looking one object deep), '' when not exactly one."""
        properties = (self.types.resolve(schema) or {}).get("properties") or {}
        found = []
        for name, raw in properties.items():
            resolved = self.types.resolve(raw)
            if json_kind(resolved) == "array":
                found.append(prefix + name)
            elif json_kind(resolved) == "object" and not prefix:
                inner = self.only_array(raw, name + ".")
                if inner:
                    found.append(inner)
        return found[0] if len(found) == 1 else ""

    def suggest(self, op_id: str, pointer: str, params: tuple[ir.Parameter, ...]) -> None:
        """An INFO for an operation that has paging parameters but no declaration."""
        hits = sorted(p.wire_name for p in params if p.wire_name.lower() in HINT_PARAMS)
        if hits:
            self.diag.info(
                pointer,
                f"{op_id} looks paginated (parameters {', '.join(hits)}) but declares no pagination: add "
                "x-acs-sdkgen-pagination (spec/README.md) or a [tool.acs-sdkgen.pagination] entry to get a page iterator",
            )

    def finish(self) -> None:
        """Configured entries that named no operation are errors."""
        for name in sorted(self.configured):
            self.diag.error("", f"[tool.acs-sdkgen.pagination] names {name!r}, which is no operationId or action of the spec")
