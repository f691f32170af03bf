"""Normalise a validated spec before building the IR: hoist inline body schemas into named components.

datamodel-code-generator names inline schemas by itself, so every request and response body schema
that would become a class is first given a component name here (`<OperationId>Request`,
`<OperationId>Response`, `<OperationId>Response<Status>`, `<Name>Item` for array items), chosen
deterministically and never clashing with an existing component. The input is not modified.
"""

from __future__ import annotations

import copy
from typing import Any

from .diagnostics import Collector, join_pointer
from .names import pascal
from .validate import iter_operations, resolve_pointer

JSON_TYPES = ("application/json", "application/x-www-form-urlencoded", "multipart/form-data")


def needs_class(schema: Any) -> bool:
    """Whether an inline schema would become a class (objects with properties, unions, enums)."""
    if not isinstance(schema, dict) or "$ref" in schema:
        return False
    return bool(
        schema.get("properties")
        or any(k in schema for k in ("oneOf", "anyOf", "allOf", "enum", "const"))
    )


def hoist_inline_schemas(doc: dict[str, Any], diag: Collector) -> dict[str, Any]:
    """A copy of `doc` whose body schemas are references to named components."""
    doc = copy.deepcopy(doc)
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    for pointer, _path, method, op in sorted(iter_operations(doc)):
        base = pascal(op.get("operationId") or f"{method} {_path}") or "Operation"
        body = _resolved(doc, op.get("requestBody"))
        if body:
            for media_type, media in sorted((body.get("content") or {}).items()):
                if media_type in JSON_TYPES and isinstance(media, dict):
                    _hoist(media, "schema", f"{base}Request", schemas, diag, join_pointer(pointer, "requestBody"))
        success = sorted(s for s in (op.get("responses") or {}) if str(s).startswith("2"))
        for status in success:
            response = _resolved(doc, op["responses"][status])
            suffix = "" if status == success[0] else str(status)
            for media_type, media in sorted(((response or {}).get("content") or {}).items()):
                if "json" in media_type and isinstance(media, dict):
                    _hoist(media, "schema", f"{base}Response{suffix}", schemas, diag, join_pointer(pointer, "responses", status))
    return doc


def _resolved(doc: dict[str, Any], node: Any) -> Any:
    """Follow references (already validated) to the object."""
    while isinstance(node, dict) and "$ref" in node:
        node = resolve_pointer(doc, node["$ref"])
    return node


def _hoist(owner: dict[str, Any], key: str, name: str, schemas: dict[str, Any], diag: Collector, pointer: str) -> None:
    """Move `owner[key]` into components if it needs a class; recurse into array items."""
    schema = owner.get(key)
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        _hoist(schema, "items", f"{name}Item", schemas, diag, pointer)
        return
    if not needs_class(schema):
        return
    unique, n = name, 1
    while unique in schemas:
        n += 1
        unique = f"{name}{n}"
    schemas[unique] = schema
    owner[key] = {"$ref": f"#/components/schemas/{unique}"}
    diag.info(pointer, f"inline schema named {unique!r} (hoisted to components/schemas)")
