"""The spec's schemas as JSON Schema 2020-12 validators, and values generated to fit them."""

from __future__ import annotations

import datetime
import functools
import json
import random
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from ..diagnostics import join_pointer
from ..spec.refs import deref
from .patterns import compiles, fits, matching

INT_BOUNDS = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
MAX_DEPTH = 6
SHAPES = {"type", "properties", "items", "$ref", "oneOf", "anyOf", "allOf", "enum", "const"}


def to_json_schema(node: Any, openapi_30: bool) -> Any:
    """An OpenAPI schema as JSON Schema 2020-12: 3.0 `nullable` and boolean exclusive bounds rewritten, int formats
    bounded, patterns Python cannot compile left out."""
    if isinstance(node, list):
        return [to_json_schema(item, openapi_30) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: to_json_schema(value, openapi_30) for key, value in node.items() if key != "example"}
    if isinstance(out.get("pattern"), str) and not compiles(out["pattern"]):
        del out["pattern"]  # Java's `[\p{Print}&&[^|:/]]`, say: no value is drawn from it, so none is held to it
    if isinstance(out.get("$ref"), str) and not out["$ref"].isascii():  # a URI reference: other letters are %-encoded
        out["$ref"] = quote(out["$ref"], safe="#/~%:!$&'()*+,;=@")
    if openapi_30:
        for bound, flag in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
            if isinstance(out.get(flag), bool) and out.pop(flag) and bound in out:
                out[flag] = out.pop(bound)
        if out.pop("nullable", False) is True:
            kind = out.get("type")
            if isinstance(kind, str) and "$ref" not in out:
                out["type"] = [kind, "null"]
                if "enum" in out:
                    out["enum"] = [*out["enum"], None]
            else:
                out = {"anyOf": [out, {"type": "null"}]}
    props = out.get("properties")
    if isinstance(out.get("required"), list) and isinstance(props, dict):  # as the SDK models: one-way fields are optional
        one_way = {n for n, p in props.items() if isinstance(p, dict) and (p.get("readOnly") or p.get("writeOnly"))}
        out["required"] = [n for n in out["required"] if n not in one_way]
    bounds = INT_BOUNDS.get(str(out.get("format"))) if out.get("type") in ("integer", ["integer", "null"]) else None
    if bounds:
        out["allOf"] = [*out.get("allOf", []), {"minimum": bounds[0], "maximum": bounds[1]}]
    return out


# A value that fits several `oneOf` members still fits: the models choose by the discriminator, as the spec means.
AMBIGUOUS = "is valid under more than one of the schemas listed in the 'oneOf' keyword"


class Schemas:
    """Validators and value generation over one spec document (`$ref`s resolved in it)."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.openapi_30 = str(doc.get("openapi", "3.0")).startswith("3.0")
        self._components = to_json_schema(doc.get("components") or {}, self.openapi_30)
        self._validators: dict[int, Any] = {}

    def problems(self, schema: Any, value: Any) -> list[str]:
        """What is wrong with `value` against `schema` (an OpenAPI schema of this spec), one line each."""
        import jsonschema_rs

        key = id(schema)
        if key not in self._validators:
            converted = to_json_schema(schema, self.openapi_30)
            root: dict[str, Any] = {"allOf": [converted]}
            if '"$ref"' in json.dumps(converted):  # the components only where needed: a leaf compiles fast
                root["components"] = self._components
            self._validators[key] = (schema, jsonschema_rs.Draft202012Validator(root, validate_formats=True))
        validator = self._validators[key][1]
        found = []
        for error in validator.iter_errors(value):
            where = "".join(f"[{p!r}]" if isinstance(p, int) else f".{p}" for p in error.instance_path)
            message = error.message
            if type(error.kind).__name__ == "Enum":  # the library's message names only the first options
                options = ", ".join(json.dumps(o, ensure_ascii=False) for o in error.kind.options)
                message = f"{json.dumps(error.instance, ensure_ascii=False)} is not one of {options}"
            found.append(f"{where.lstrip('.')}: {message}" if where else message)
        return sorted(set(found))

    def refuses(self, schema: Any, value: Any) -> list[str]:
        """The problems of `value` against `schema` that the SDK's models would see too (a value that fits more than
        one `oneOf` member is not one of them)."""
        return [p for p in self.problems(schema, value) if AMBIGUOUS not in p]

    def resolve(self, node: Any) -> Any:
        """A schema with its `$ref`s followed."""
        return deref(self.doc, node)

    def kind(self, node: Any) -> str | None:
        """The JSON type a schema names first (besides null), inferred from properties or items when absent."""
        schema = self.resolve(node)
        if not isinstance(schema, dict):
            return None
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), None)
        if kind:
            return str(kind)
        if "properties" in schema or "additionalProperties" in schema:
            return "object"
        if "items" in schema:
            return "array"
        for key in ("allOf", "oneOf", "anyOf"):
            for member in schema.get(key) or ():
                found = self.kind(member)
                if found:
                    return found
        return None

    def properties(self, node: Any) -> dict[str, Any]:
        """Every property of an object schema, `allOf` members merged."""
        schema = self.resolve(node)
        if not isinstance(schema, dict):
            return {}
        props: dict[str, Any] = {}
        for member in schema.get("allOf") or ():
            props.update(self.properties(member))
        props.update(schema.get("properties") or {})
        return props

    def merged(self, schema: dict[str, Any], seen: frozenset[int] = frozenset()) -> dict[str, Any]:
        """The schema with its `allOf` members folded in: their rules, `items`, properties and required names, its
        own keys winning (`allOf: [{$ref: List}, {description}]` is an array of List's items)."""
        if not isinstance(schema.get("allOf"), list) or id(schema) in seen:
            return schema
        parts = [self.resolve(m) for m in schema["allOf"]]
        parts = [self.merged(part, seen | {id(schema)}) for part in parts if isinstance(part, dict)]
        parts.append({k: v for k, v in schema.items() if k != "allOf"})
        folded: dict[str, Any] = {}
        for part in parts:
            folded.update(part)
        properties = {name: sub for part in parts for name, sub in (part.get("properties") or {}).items()}
        required = list(dict.fromkeys(name for part in parts for name in part.get("required") or ()))
        folded.update({"properties": properties} if properties else {})
        folded.update({"required": required} if required else {})
        return folded

    def generate(self, node: Any, rng: random.Random, depth: int = 0) -> Any:
        """A value that fits the schema: its example, default or enum where given, else random within its bounds.

        An example or default the schema itself refuses (a boolean whose default is `""`) is passed over: the SDK's
        models would refuse the answer."""
        schema = self.resolve(node)
        if not isinstance(schema, dict):
            return None
        subclass = self._subclass(node, schema)
        if subclass is not None and depth < 2 * MAX_DEPTH:  # a discriminated base: the models take a subclass, by tag;
            # past the depth where optional properties stop, too (the bound only stops a loop of subclasses)
            ref, tag = subclass
            value = self.generate({"$ref": ref}, rng, depth + 1)
            return {**value, schema["discriminator"]["propertyName"]: tag} if isinstance(value, dict) else value
        given = [schema[key] for key in ("const", "example", "default") if key in schema]
        given += schema["examples"][:1] if isinstance(schema.get("examples"), list) else []
        for value in given:
            if not self.refuses(schema, value):
                return value
        schema = self.merged(schema)
        if schema.get("enum"):
            return rng.choice([v for v in schema["enum"] if v is not None] or [None])
        for key in ("oneOf", "anyOf"):
            members = [m for m in schema.get(key) or () if self.kind(m) != "null"]
            if members:
                first = self.resolve(members[0])
                rest = {k: v for k, v in schema.items() if k != key}
                if isinstance(first, dict) and (not set(first) & SHAPES or rest.get("properties")):
                    # a rule on the schema itself (`required: [a]`), or an option beside properties of its own: the
                    # value keeps both
                    return self._tagged(schema, members[0], self.generate({"allOf": [rest, first]}, rng, depth + 1))
                return self._tagged(schema, members[0], self.generate(members[0], rng, depth + 1))
        kind = self.kind(schema)
        if kind == "object":
            return self._object(schema, rng, depth)
        if kind == "array":
            if depth >= MAX_DEPTH:
                return []
            count = max(int(schema.get("minItems", 1)), 1)
            return [self.generate(schema.get("items") or {}, rng, depth + 1) for _ in range(count)]
        return scalar(schema, kind, rng)

    def _subclass(self, node: Any, schema: dict[str, Any]) -> tuple[str, str] | None:
        """For a `$ref` to a base schema whose discriminator its subclasses' `allOf` inherit (no `oneOf` of its own):
        the `$ref` of its first subclass (the mapping's first, else the first in the spec) and that subclass's tag
        (its mapping key, else its `x-ms-discriminator-value`, else its name)."""
        ref = node.get("$ref") if isinstance(node, dict) else None
        discriminator = schema.get("discriminator")
        subclasses = self._subclasses.get(ref) if isinstance(ref, str) else None
        if not subclasses or not isinstance(discriminator, dict) or "oneOf" in schema or "anyOf" in schema:
            return None
        if not isinstance(discriminator.get("propertyName"), str):
            return None
        mapping = discriminator.get("mapping") if isinstance(discriminator.get("mapping"), dict) else {}
        for tag, target in mapping.items():
            for sub in subclasses:
                if target in (sub, sub.rsplit("/", 1)[-1]):
                    return sub, str(tag)
        sub = subclasses[0]
        declared = self.resolve({"$ref": sub}).get("x-ms-discriminator-value")
        return sub, declared if isinstance(declared, str) else sub.rsplit("/", 1)[-1]

    @functools.cached_property
    def _subclasses(self) -> dict[str, list[str]]:
        """The `$ref`s of the component schemas that extend each component (an `allOf` member `$ref`s it), by its
        `$ref`."""
        found: dict[str, list[str]] = {}
        schemas = (self.doc.get("components") or {}).get("schemas") or {}
        for name, schema in schemas.items() if isinstance(schemas, dict) else ():
            members = schema.get("allOf") if isinstance(schema, dict) else None
            for member in members if isinstance(members, list) else ():
                base = member.get("$ref") if isinstance(member, dict) else None
                if isinstance(base, str):
                    found.setdefault(base, []).append(join_pointer("#/components/schemas", name))
        return found

    @staticmethod
    def _tagged(schema: dict[str, Any], member: Any, value: Any) -> Any:
        """A union member's value carrying the discriminator's tag of that member (its mapping key, else its name)."""
        discriminator = schema.get("discriminator")
        if not isinstance(discriminator, dict) or not discriminator.get("propertyName") or not isinstance(value, dict):
            return value
        ref = str(member.get("$ref", "")) if isinstance(member, dict) else ""
        name = ref.rsplit("/", 1)[-1]
        tags = [tag for tag, target in (discriminator.get("mapping") or {}).items() if target in (ref, name)]
        return {**value, discriminator["propertyName"]: tags[0] if tags else name}

    def _object(self, schema: dict[str, Any], rng: random.Random, depth: int) -> dict[str, Any]:
        """Every property (required ones only when deep), or one entry of a map."""
        required = set(schema.get("required") or ())
        for member in schema.get("allOf") or ():
            required |= set(self.resolve(member).get("required") or ())
        out = {}
        for name, sub in self.properties(schema).items():
            if (name in required or depth < MAX_DEPTH) and not self.resolve(sub).get("writeOnly"):
                out[name] = self.generate(sub, rng, depth + 1)
        extra = schema.get("additionalProperties")
        if not out and isinstance(extra, dict) and depth < MAX_DEPTH:
            out["key1"] = self.generate(extra, rng, depth + 1)
        return out


def scalar(schema: dict[str, Any], kind: str | None, rng: random.Random) -> Any:
    """A random string, number or boolean within the schema's format, bounds and pattern."""
    if kind == "boolean":
        return rng.random() < 0.5
    if kind in ("integer", "number"):
        low = schema["minimum"] if "minimum" in schema else schema.get("exclusiveMinimum", 0) + 1
        high = schema["maximum"] if "maximum" in schema else low + 1000
        return rng.randint(int(low), int(high)) if kind == "integer" else round(rng.uniform(low, high), 2)
    value = _string(schema, rng)
    pattern = schema.get("pattern")
    if isinstance(pattern, str) and not fits(pattern, value):
        return matching(pattern, schema, rng) or value
    return value


def _moment(rng: random.Random) -> datetime.datetime:
    """A seeded instant within a few years of 2024."""
    return datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(seconds=rng.randrange(10**8))


def _address(rng: random.Random) -> str:
    """A seeded https URL."""
    return f"https://example.com/{rng.randrange(1000)}"


# A value of each string format a JSON Schema validator checks (and of a few OpenAPI adds), from a seeded generator.
FORMAT_SAMPLES: dict[str, Callable[[random.Random], str]] = {
    "date-time": lambda rng: _moment(rng).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "date": lambda rng: (datetime.date(2024, 1, 1) + datetime.timedelta(days=rng.randrange(3650))).isoformat(),
    "time": lambda rng: _moment(rng).strftime("%H:%M:%SZ"),
    "duration": lambda rng: f"PT{rng.randrange(1, 48)}H",
    "uuid": lambda rng: str(uuid.UUID(int=rng.getrandbits(128), version=4)),
    "email": lambda rng: f"user{rng.randrange(1000)}@example.com",
    "hostname": lambda rng: f"host{rng.randrange(1000)}.example.com",
    "ipv4": lambda rng: f"192.0.2.{rng.randrange(1, 255)}",
    "ipv6": lambda rng: f"2001:db8::{rng.randrange(1, 0xFFFF):x}",
    "uri": _address,
    "uri-template": lambda rng: "https://example.com/{id}",
    "json-pointer": lambda rng: f"/items/{rng.randrange(10)}",
    "relative-json-pointer": lambda rng: f"{rng.randrange(3)}/name",
    "regex": lambda rng: "^[a-z]+$",
    "byte": lambda rng: "AA==",
}
FORMAT_SAMPLES |= {
    "idn-email": FORMAT_SAMPLES["email"], "idn-hostname": FORMAT_SAMPLES["hostname"], "binary": FORMAT_SAMPLES["byte"],
    "url": _address, "uri-reference": _address, "iri": _address, "iri-reference": _address,
}  # fmt: skip


def _string(schema: dict[str, Any], rng: random.Random) -> str:
    """A random string of the schema's format, else of lowercase letters within its length bounds."""
    sample = FORMAT_SAMPLES.get(str(schema.get("format")))
    if sample is not None:
        return sample(rng)
    size = max(int(schema.get("minLength", 0)), min(8, int(schema.get("maxLength", 8))))
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(max(size, 1)))
