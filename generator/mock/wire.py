"""A request as the mock received it, and its text values read back into typed values by their schemas."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .api import Rejection
from .schemas import Schemas

MISSING = object()
FORM = "application/x-www-form-urlencoded"


@dataclass
class Incoming:
    """One HTTP request: method, path, decoded query pairs, lower-case headers, body."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    path: str = ""
    query: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        split = urlsplit(self.target)
        self.path = split.path or "/"
        self.query = parse_qsl(split.query, keep_blank_values=True)

    @property
    def media_type(self) -> str:
        """The body's media type without parameters, lower-case ('' when none is sent)."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def form(self) -> list[tuple[str, str]]:
        """The pairs of a form-encoded body ([] for any other body)."""
        if self.media_type != FORM or not self.body:
            return []
        try:
            return parse_qsl(self.body.decode(), keep_blank_values=True, strict_parsing=True)
        except (UnicodeDecodeError, ValueError) as exc:
            raise Rejection(400, "InvalidParameter", f"the form body cannot be decoded: {exc}") from None


def unflatten(pairs: list[tuple[str, str]], name: str, flat: bool) -> tuple[Any, list[str]]:
    """The value of parameter `name` and the keys it used: `name` itself, or (flat style) `name.1`, `name.1.Key`, …."""
    exact = [value for key, value in pairs if key == name]
    nested: dict[str, Any] = {}
    used = [name] if exact else []
    prefix = name + "."
    for key, value in pairs:
        if flat and key.startswith(prefix):
            used.append(key)
            node = nested
            parts = key[len(prefix) :].split(".")
            for part in parts[:-1]:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):
                    raise Rejection(400, "InvalidParameter", f"{key}: {name} mixes a value and members")
            node[parts[-1]] = value
    if exact and nested:
        raise Rejection(400, "InvalidParameter", f"{name} is sent both as {name}= and as {name}.*")
    if len(exact) > 1:
        return exact, used
    if exact:
        return exact[0], used
    return (_lists(nested, name) if nested else MISSING), used


def _lists(node: Any, where: str) -> Any:
    """Turn members keyed 1..n into lists (a gap or a 0 is an error that names the key)."""
    if not isinstance(node, dict):
        return node
    keys = list(node)
    if keys and all(k.isdigit() for k in keys):
        indexes = sorted(int(k) for k in keys)
        if indexes != list(range(1, len(indexes) + 1)):
            raise Rejection(400, "InvalidParameter", f"{where}: repeat-list indexes must run 1..{len(indexes)} without gaps, got {indexes}")
        return [_lists(node[str(i)], f"{where}.{i}") for i in indexes]
    return {key: _lists(value, f"{where}.{key}") for key, value in node.items()}


def typed(schemas: Schemas, schema: Any, value: Any) -> Any:
    """Text values read by their schema (integers, numbers, booleans; JSON for objects and arrays sent as one value).

    A single value where the schema wants an array (one form field or file part) becomes a list of one.
    """
    kind = schemas.kind(schema)
    resolved = schemas.resolve(schema) or {}
    if kind == "array" and not isinstance(value, list) and not (isinstance(value, str) and value.startswith("[")):
        value = [value]
    if isinstance(value, list):
        items = resolved.get("items") if kind == "array" else None
        return [typed(schemas, items or {}, item) for item in value]
    if isinstance(value, dict):
        props = schemas.properties(resolved)
        extra = resolved.get("additionalProperties")
        return {k: typed(schemas, props.get(k, extra if isinstance(extra, dict) else {}), v) for k, v in value.items()}
    if not isinstance(value, str):
        return value
    try:
        if kind == "integer" and value.lstrip("-").isdigit():
            return int(value)
        if kind == "number":
            return float(value)
        if kind == "boolean" and value in ("true", "false"):
            return value == "true"
        if kind in ("array", "object") and value[:1] in "[{":
            return typed(schemas, schema, json.loads(value))
    except ValueError:
        pass
    return value
