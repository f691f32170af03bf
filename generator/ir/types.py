"""How schemas are spelled in Python: annotations with the model classes they name, and docs text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..spec.normalize import annotated_ref
from ..spec.refs import deref
from .literals import pyrepr

SCALAR_HINTS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
SCHEMAS = "/components/schemas"


def nullable(schema: dict[str, Any]) -> bool:
    """OpenAPI 3.0 `nullable` and 3.1 `type: [..., "null"]` both mean nullable."""
    kind = schema.get("type")
    return bool(schema.get("nullable")) or (isinstance(kind, list) and "null" in kind)


def json_kind(schema: dict[str, Any]) -> str:
    """The JSON type of a schema, ignoring `null` in 3.1 type arrays."""
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "object")
    if kind is None:
        kind = "object" if "properties" in schema else "string" if "enum" in schema else "object"
    return str(kind)


def literal_values(values: Any) -> bool:
    """Whether enum values can be a `Literal[...]`: strings and ints only (no floats, bools or null)."""
    return isinstance(values, list) and all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in values)


def parameter_hint(kind: str, items: str | None, enum: tuple[str, ...]) -> str:
    """Python annotation of a parameter value (an array's `enum` is its items')."""
    if enum:
        return f"list[Literal[{', '.join(enum)}]]" if kind == "array" else f"Literal[{', '.join(enum)}]"
    if kind == "array":
        return f"list[{SCALAR_HINTS.get(items or '', 'Any')}]"
    return SCALAR_HINTS.get(kind, "dict[str, Any]")


@dataclass(frozen=True)
class Hint:
    """A Python annotation and the model classes it names."""

    text: str
    models: frozenset[str] = frozenset()


ANY = Hint("Any")


def _joined(hints: list[Hint], template: str = "{}", separator: str = " | ") -> Hint:
    """Hints combined into one annotation (`template` wraps the joined text)."""
    texts = separator.join(dict.fromkeys(h.text for h in hints))
    return Hint(template.format(texts), frozenset().union(*(h.models for h in hints)))


class Types:
    """Spells schemas of one normalised document, with component references as class names."""

    def __init__(self, doc: dict[str, Any], class_names: dict[str, str]) -> None:
        self.doc = doc
        self.class_names = class_names

    def resolve(self, node: Any) -> Any:
        """Follow `$ref`s (validated earlier) to the target object."""
        return deref(self.doc, node)

    def annotated(self, raw: dict[str, Any]) -> Any:
        """The schema `raw` stands for, with what is written beside its reference (`nullable`, `description`,
        `example`: a `$ref`'s siblings, or the annotations of an `allOf` of one `$ref`) over the target's own."""
        wrapped = annotated_ref(raw)
        if wrapped:
            return {**self.resolve({"$ref": wrapped}), **{k: v for k, v in raw.items() if k != "allOf"}}
        if "$ref" in raw and len(raw) > 1:
            return {**self.resolve(raw), **{k: v for k, v in raw.items() if k != "$ref"}}
        return self.resolve(raw)

    def ref_class(self, schema: dict[str, Any]) -> str | None:
        """The class name of a referenced component schema, if `schema` is such a reference (or annotates one)."""
        ref = schema.get("$ref") or annotated_ref(schema)
        if isinstance(ref, str) and ref.startswith("#" + SCHEMAS + "/"):
            return self.class_names.get(ref.rsplit("/", 1)[1].replace("~1", "/").replace("~0", "~"))
        return None

    def hint(self, raw: Any) -> Hint:
        """The Python annotation of values of a schema (references become class names)."""
        if not isinstance(raw, dict):
            return ANY
        name = self.ref_class(raw)
        if name:
            annotated_null = "$ref" not in raw and nullable(raw)  # `allOf: [$ref]` beside `nullable: true`
            return Hint(f"{name} | None" if annotated_null else name, frozenset({name}))
        schema = self.resolve(raw)
        bare = self._bare(schema)
        return Hint(f"{bare.text} | None", bare.models) if nullable(schema) and bare.text not in ("Any", "None") else bare

    def _bare(self, schema: dict[str, Any]) -> Hint:
        """The annotation ignoring nullability."""
        for key in ("oneOf", "anyOf"):
            if isinstance(schema.get(key), list) and schema[key]:
                return _joined([self.hint(s) for s in schema[key]])
        if isinstance(schema.get("allOf"), list) and len(schema["allOf"]) == 1:
            return self.hint(schema["allOf"][0])
        if "enum" in schema and literal_values(schema["enum"]):
            return Hint(f"Literal[{', '.join(pyrepr(v) for v in schema['enum'])}]") if schema["enum"] else ANY
        if "const" in schema and isinstance(schema["const"], (str, int)) and not isinstance(schema["const"], bool):
            return Hint(f"Literal[{pyrepr(schema['const'])}]")
        if not any(key in schema for key in ("type", "properties", "additionalProperties")):
            return ANY  # a schema that says nothing about its type allows any value
        kind = json_kind(schema)
        if kind == "array":
            return _joined([self.hint(schema.get("items") or {})], "list[{}]")
        if kind == "object":
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict) and extra and not schema.get("properties"):
                return _joined([self.hint(extra)], "dict[str, {}]")
            return Hint("dict[str, Any]")
        if kind == "string" and schema.get("format") == "binary":
            return Hint("bytes")
        return Hint(SCALAR_HINTS.get(kind, "Any"))

    def holds_model(self, raw: dict[str, Any]) -> tuple[str | None, str]:
        """The model class a body schema is, or holds as array items."""
        name = self.ref_class(raw)
        if name:
            return name, ""
        schema = self.resolve(raw)
        if json_kind(schema) == "array" and isinstance(schema.get("items"), dict) and self.ref_class(schema["items"]):
            return self.ref_class(schema["items"]), "list"
        return None, ""

    def field_ref(self, raw: dict[str, Any]) -> tuple[str | None, str]:
        """The model a field holds directly, as array items, or as map values."""
        direct = self.ref_class(raw)
        if direct:
            return direct, ""
        schema = self.resolve(raw)
        if json_kind(schema) == "array" and isinstance(schema.get("items"), dict):
            return self.ref_class(schema["items"]), "list"
        if isinstance(schema.get("additionalProperties"), dict):
            return self.ref_class(schema["additionalProperties"]), "dict"
        return None, ""

    def shape(self, raw: dict[str, Any]) -> dict[str, str]:
        """The JSON type and format `text` shows for a scalar or object schema; empty for a model or an array."""
        if self.ref_class(raw):
            return {}
        schema = self.resolve(raw)
        kind = json_kind(schema)
        if kind == "array":
            return {}
        return {"type": kind, "format": str(schema["format"])} if schema.get("format") else {"type": kind}

    def text(self, raw: dict[str, Any]) -> str:
        """Human-readable type of a schema for the docs."""
        name = self.ref_class(raw)
        if name:
            return name
        schema = self.resolve(raw)
        kind = json_kind(schema)
        if kind == "array":
            return f"array of {self.text(schema.get('items') or {})}"
        return f"{kind} ({schema['format']})" if schema.get("format") else kind
