"""Normalise a validated spec before building the IR: name inline schemas, drop what models cannot hold.

Passes over a copy of the document (the input is not modified):
- body schemas that would become classes get component names (`<OperationId>Request`,
  `<OperationId>Response`, `<OperationId>Response<Status>`, `<Name>Item` for array items);
- `properties` of a schema typed as something else than an object are dropped (reported);
- `oneOf`/`anyOf` that only add rules to an object with properties are dropped (reported);
- a `$ref` from a component to a schema that is not a component (a path's response, a part of another
  component) gets a component of its own when it is a class (reported), else a copy of it;
- an `allOf` that extends components but redefines one of their properties becomes one plain object
  (reported): no class can extend a base and contradict it;
- objects, enums and unions nested inside components are named `<Parent><Property>` (`…Item`, …);
- required `readOnly`/`writeOnly` properties become optional (reported);
- a string `pattern` that pydantic's regular-expression engine cannot compile is dropped (reported),
  since one such pattern would make the whole models package fail at import;
- a whole-number default of a `number` is written as a float (`-180` becomes `-180.0`);
- a text default of a date, time or UUID, and the default of a union or a named scalar or array, are
  dropped (reported).
Names are deterministic and never clash with an existing component. Where each named schema was
written in the user's spec is returned beside the document, never stored in it.
"""

from __future__ import annotations

import functools
import json
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..diagnostics import Collector, escape_pointer_token, join_pointer
from ..ir.names import pascal, unique_key
from .refs import (
    SUBSCHEMA_KEYWORDS,
    SUBSCHEMA_LISTS,
    SUBSCHEMA_MAPS,
    deref,
    resolve_pointer,
    unescape_token,
)
from .validate import iter_operations, schema_roots

SCHEMAS = "/components/schemas"
SHAPE_KEYS = {"$ref", "type", "properties", "items", "additionalProperties", "allOf", "oneOf", "anyOf", "enum", "const"}
VALUE_CONSTRAINTS = (
    "minLength", "maxLength", "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "multipleOf", "minItems", "maxItems", "uniqueItems",
)
# String formats the models type otherwise than `str` (a datetime, a URL, an IP address, bytes, a Decimal…).
TYPED_STRING_FORMATS = tuple("date-time date time uuid uri ipv4 ipv6 ipv4-network ipv6-network duration binary decimal".split())
JSON_TYPES = ("application/json", "application/x-www-form-urlencoded", "multipart/form-data")


def needs_class(schema: Any, as_value: bool = False) -> bool:
    """Whether an inline schema would become a class (objects with properties, unions, enums; and, `as_value`
    of an array, a map or a union, a constrained one: the library makes a class of it to hold the constraint)."""
    if not isinstance(schema, dict) or "$ref" in schema:
        return False
    return bool(
        schema.get("properties")
        or any(k in schema for k in ("oneOf", "anyOf", "allOf", "enum", "const"))
        or (as_value and any(k in schema for k in VALUE_CONSTRAINTS))
    )


@dataclass(frozen=True)
class Normalized:
    """The normalised document and, for every component schema it named, where that schema was written."""

    doc: dict[str, Any]
    origins: dict[str, str]

    def origin(self, name: str) -> str:
        """The JSON pointer of component schema `name` in the user's spec."""
        return self.origins.get(name) or join_pointer(SCHEMAS, name)


def normalize(doc: dict[str, Any], diag: Collector, canonical: Callable[[str], str] = str) -> Normalized:
    """Run the passes on a copy of `doc`. `canonical`: JSON text of a part of `doc` as it compares with others (of
    a skeleton, `spec.prose.Skeleton.canonical`)."""
    enums: list[dict[str, Any]] = []
    source = doc
    result = Normalized(_copied(doc, enums), {})
    doc, origins = result.doc, result.origins
    canonical_media_types(doc)
    if any(_typed(schema) for schema in enums):  # rare: the walk that locates them runs only then
        typed_enum_values(doc, diag)
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    for pointer, _path, method, op in sorted(iter_operations(doc)):
        base = pascal(op.get("operationId") or f"{method} {_path}") or "Operation"
        body, at = _located(doc, op.get("requestBody"), join_pointer(pointer, "requestBody"))
        if body:
            for media_type, media in sorted((body.get("content") or {}).items()):
                if (media_type in JSON_TYPES or "json" in media_type) and isinstance(media, dict):  # vendor +json too
                    where = join_pointer(at, "content", media_type, "schema")
                    _hoist(media, "schema", f"{base}Request", schemas, origins, diag, where)
        success = sorted(s for s in (op.get("responses") or {}) if str(s).startswith("2"))
        for status in success:
            response, at = _located(doc, op["responses"][status], join_pointer(pointer, "responses", status))
            suffix = "" if status == success[0] else str(status)
            for media_type, media in sorted(((response or {}).get("content") or {}).items()):
                if "json" in media_type and isinstance(media, dict):
                    where = join_pointer(at, "content", media_type, "schema")
                    _hoist(media, "schema", f"{base}Response{suffix}", schemas, origins, diag, where)
    _map_declared_discriminator_values(schemas, diag, result.origin)
    # Passes that look at one node at a time share one walk: each node is seen by them in turn, then its subschemas.
    first_visit = _each(_drop_idle_keywords, _boolean_properties(diag), _properties_of_non_objects(diag))
    last_visit = _each(
        _uncompilable_patterns(diag), _text_defaults_of_typed_strings(diag), _mistyped_defaults(schemas, diag), _below_root(_float_number_defaults)
    )
    for name in sorted(schemas):
        if isinstance(schemas[name], dict):
            _walk(schemas[name], result.origin(name), first_visit)
            _drop_constraint_unions(schemas[name], diag, result.origin(name))
            _plain_discriminator(schemas, name, diag, result.origin)
            _drop_unusable_discriminators(doc, schemas[name], diag, result.origin(name))
    for name in sorted(schemas):
        if isinstance(schemas[name], dict):
            _hoist_nested(schemas, origins, name, schemas[name], (diag, result.origin(name)))
    _follow_moves(doc, origins)  # before anything follows a `$ref` again
    _claim_foreign_refs(functools.partial(_target, doc, source, origins), schemas, origins, diag)
    for name in sorted(schemas):
        _flatten_conflicting_bases(schemas, name, diag, result.origin(name), canonical)
    for name in sorted(schemas):
        if isinstance(schemas[name], dict):
            _relax_read_write_only(doc, schemas[name], diag, result.origin(name))
            _walk(schemas[name], result.origin(name), last_visit)
            _drop_default_of_root_model(schemas[name], diag, result.origin(name))  # before a number's default is a float
            _float_number_defaults(schemas[name], (result.origin(name),))
    return result


def canonical_media_types(doc: dict[str, Any]) -> None:
    """Lower-case the media types that key `content` maps, in place: `application/JSON` is `application/json` (RFC
    6838), and everything downstream compares them as written."""
    components = doc.get("components") if isinstance(doc.get("components"), dict) else {}
    holders = [h for k in ("requestBodies", "responses", "parameters", "headers") for h in _values(components.get(k))]
    for _pointer, path, _method, op in iter_operations(doc):
        holders += [op.get("requestBody"), *_values(op.get("responses")), *_values(op.get("parameters"))]
        holders += _values((doc.get("paths") or {}).get(path, {}).get("parameters"))
    for holder in holders:
        content = holder.get("content") if isinstance(holder, dict) else None
        if isinstance(content, dict) and any(isinstance(k, str) and _media_type(k) != k for k in content):
            holder["content"] = {(_media_type(k) if _media_type(k) not in content else k): v for k, v in content.items()}


def _values(node: Any) -> list[Any]:
    """The values of a mapping or the items of a list; nothing for anything else."""
    return list(node.values()) if isinstance(node, dict) else list(node) if isinstance(node, list) else []


def _media_type(key: Any) -> Any:
    """A media type with its type and subtype lower-cased (its parameters as written)."""
    if not isinstance(key, str):
        return key
    essence, separator, parameters = key.partition(";")
    return essence.strip().lower() + separator + parameters


_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")  # as JSON writes an integer: read back, the same text
# How a value written as another JSON type than its schema's reads as that type; None where it does not read back
# exactly (a boolean is left alone: YAML reads `yes`, `on` and `true` alike, so its text is not known).
_READ_AS: dict[str, Callable[[Any], Any]] = {
    "integer": lambda v: int(v) if isinstance(v, str) and _INTEGER.fullmatch(v) else None,
    "number": lambda v: _json_number(v) if isinstance(v, str) else None,
    "string": lambda v: json.dumps(v) if type(v) in (int, float) else None,
    "boolean": lambda v: {"true": True, "false": False}.get(v) if isinstance(v, str) else None,
}


def typed_enum_values(doc: Any, diag: Collector | None = None) -> None:
    """Read, in place, the enum values a schema writes as another JSON type than its `type` as that type, where each
    reads back exactly (`type: integer` with `"6"`, `type: string` with `6`): what the spec means, and the only values
    a service of that type can send. The generator and the mock read them alike; `diag` is warned at each enum."""

    def visit(node: dict[str, Any], where: Where) -> None:
        if "enum" in node and "type" in node and _read_enum(node) and diag is not None:
            diag.warning(
                _at(where, "enum"),
                f"enum values written as another type than the schema's {node['type']!r} are read as {node['type']}s",
                f"write them as {node['type']}s",
            )

    for pointer, schema in schema_roots(doc):
        _walk(schema, pointer, visit)


def _typed(schema: dict[str, Any]) -> dict[int, Any]:
    """The schema's enum values written as another type than its own that read back exactly as it, by index."""
    read = _READ_AS.get(schema["type"]) if isinstance(schema["type"], str) else None
    values = schema["enum"]
    if read is None or not isinstance(values, list):
        return {}
    return {i: new for i, value in enumerate(values) if (new := read(value)) is not None}


def _read_enum(schema: dict[str, Any]) -> bool:
    """Read the schema's enum values (and a default among them) as its type where they read back exactly; True
    when one changed."""
    typed = _typed(schema)
    values = schema["enum"]
    read = [typed.get(i, value) for i, value in enumerate(values)]
    if not typed or len({(type(v), repr(v)) for v in read}) < len(read):
        return False  # nothing to read, or values that would then repeat: left as written
    if "default" in schema and schema["default"] in values and (new := _READ_AS[schema["type"]](schema["default"])) is not None:
        schema["default"] = new
    schema["enum"] = read
    return True


def _json_number(text: str) -> int | float | None:
    """A string that is exactly a JSON number, as that number."""
    try:
        number = json.loads(text)
    except ValueError:
        return None
    return number if type(number) in (int, float) and json.dumps(number) == text else None


def _copied(node: Any, enums: list[dict[str, Any]] | None = None) -> Any:
    """A deep copy of parsed data (mappings, lists, scalars; nothing shared), far cheaper than `copy.deepcopy`;
    each copied mapping with an `enum` and a `type` is added to `enums`."""
    if isinstance(node, dict):
        copy = {key: _copied(value, enums) for key, value in node.items()}
        if enums is not None and "enum" in copy and "type" in copy:
            enums.append(copy)
        return copy
    if isinstance(node, list):
        return [_copied(item, enums) for item in node]
    return node


def _located(doc: dict[str, Any], node: Any, pointer: str) -> tuple[Any, str]:
    """`node` with local references followed, and the pointer of where it is written (a schema hoisted from a
    response that other operations reach by `$ref` is recorded there, so `$ref`s into it can follow the move)."""
    for _ in range(64):
        ref = node.get("$ref") if isinstance(node, dict) else None
        if not (isinstance(ref, str) and ref.startswith("#/")):
            break
        node = resolve_pointer(doc, ref)
        pointer = "".join("/" + token for token in _pointer_tokens(ref))
    return node, pointer


def _pointer_tokens(ref: str) -> list[str]:
    """The tokens of a local `$ref` as `join_pointer` writes them (`%7B` is `{`)."""
    return [escape_pointer_token(unescape_token(t)) for t in ref[2:].split("/")]


def _follow_moves(node: Any, origins: dict[str, str]) -> None:
    """Point `$ref`s that reached into a schema where it was written inline at the component it became."""
    moves = {f"#{where}": f"#{SCHEMAS}/{name}" for name, where in origins.items()}
    stack = [node]
    while moves and stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/"):
                tokens = ["#", *_pointer_tokens(ref)]
                for cut in range(len(tokens), 1, -1):  # the longest moved prefix wins
                    old = "/".join(tokens[:cut])
                    if old in moves:
                        item["$ref"] = moves[old] + "".join("/" + t for t in tokens[cut:])
                        break
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _target(doc: dict[str, Any], source: dict[str, Any], origins: dict[str, str], ref: str) -> Any:
    """What a local `$ref` points at in the normalised document; where normalisation reshaped that place (an
    annotating `allOf` member dropped shifts the others), what it pointed at in the document as written."""
    try:
        return resolve_pointer(doc, ref)
    except KeyError:
        tokens = ref[len(SCHEMAS) + 2 :].split("/", 1) if ref.startswith(f"#{SCHEMAS}/") else []
        name = unescape_token(tokens[0]) if tokens else ""
        written = f"#{origins[name]}/{tokens[1]}" if len(tokens) == 2 and name in origins else ref
        return resolve_pointer(source, written)


STRUCTURAL_TOKENS = {"schema", "content", "responses", "properties", "items", "allOf", "oneOf", "anyOf", "definitions", "$defs"}


def _claim_foreign_refs(find: Callable[[str], Any], schemas: dict[str, Any], origins: dict[str, str], diag: Collector) -> None:
    """Make every `$ref` of the components name a whole component: models are built from components alone.

    A `$ref` to a schema that is not a component (a path's response, another component's `allOf` member or
    `definitions` entry) gets a component of its own when that schema is a class (one per target, nested
    schemas named as in any component), else a copy of it.
    """
    claimed: dict[str, str] = {}
    pending = deque(sorted(schemas))
    while pending:
        name = pending.popleft()
        count = len(schemas)  # claiming only adds components, at the end
        schemas[name] = _claim(find, schemas, origins, diag, claimed, schemas[name], frozenset())
        if len(schemas) > count:
            pending.extend(sorted(list(schemas)[count:]))


def _claim(
    find: Callable[[str], Any], schemas: dict[str, Any], origins: dict[str, str], diag: Collector,
    claimed: dict[str, str], node: Any, seen: frozenset[str],
) -> Any:  # fmt: skip
    """`node` with its foreign `$ref`s pointed at claimed components or replaced by copies (a cycle keeps its `$ref`);
    a part without such a `$ref` is returned as it is, not copied."""
    if isinstance(node, list):
        items = [_claim(find, schemas, origins, diag, claimed, item, seen) for item in node]
        return node if all(new is old for new, old in zip(items, node)) else items
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    inside = isinstance(ref, str) and ref.startswith(f"#{SCHEMAS}/") and "/" in ref[len(SCHEMAS) + 2 :]
    if isinstance(ref, str) and ref.startswith("#/") and (inside or not ref.startswith(f"#{SCHEMAS}/")) and ref not in seen:
        target = find(ref)
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        if needs_class(target):
            if ref not in claimed:
                tokens = [unescape_token(t) for t in ref[2:].split("/")]
                words = [t for t in tokens[3 if inside else 0 :] if t not in STRUCTURAL_TOKENS and not t.isdigit() and "/" not in t]
                wanted = [tokens[2], *(words[-1:] or tokens[3:])] if inside else words[-1:]
                claimed[ref] = unique = unique_key(schemas, pascal(" ".join(wanted)) or "Schema")
                schemas[unique], origins[unique] = _copied(target), ref[1:]
                _hoist_nested(schemas, origins, unique, schemas[unique], (diag, ref[1:]))
                diag.info(ref[1:], f"schema reached by $ref named {unique!r} (copied to components/schemas)")
            return {"$ref": f"#{SCHEMAS}/{claimed[ref]}", **siblings}
        if isinstance(target, dict):
            return _claim(find, schemas, origins, diag, claimed, {**_copied(target), **siblings}, seen | {ref})
    changed = {key: new for key, value in node.items() if (new := _claim(find, schemas, origins, diag, claimed, value, seen)) is not value}
    return {**node, **changed} if changed else node


PLAIN_OBJECT_KEYS = {
    "type", "properties", "required", "description", "title", "example", "examples", "additionalProperties",
    "nullable", "readOnly", "writeOnly", "deprecated", "externalDocs", "xml", "discriminator", "allOf",
}  # fmt: skip
Part = tuple[str, dict[str, Any], set[str]]  # (where it comes from: a base's name, or "" for the schema's own), properties, required


def _flatten_conflicting_bases(
    schemas: dict[str, Any], name: str, diag: Collector, pointer: str, canonical: Callable[[str], str]
) -> None:
    """An `allOf` that extends components but defines one of their properties differently (another type, or
    required where a base has it optional) becomes one object with every property: no model class can extend
    a base and contradict it. The composition's own definitions win."""
    schema = schemas[name]
    parts = _object_parts(schemas, schema, "", {name}) if isinstance(schema, dict) and "allOf" in schema else None
    if not parts or all(origin == "" for origin, _, _ in parts):
        return
    clashes = sorted(p for p in {p for _, props, req in parts for p in (*props, *req)} if _clash(parts, p, canonical))
    if not clashes:
        return
    properties: dict[str, Any] = {}
    required: list[str] = []
    for _, props, req in parts:
        properties.update(props)
        required += [p for p in sorted(req) if p not in required]
    kept = {k: v for k, v in schema.items() if k not in ("allOf", "properties", "required", "type", "discriminator")}
    schemas[name] = {**kept, "type": "object", "properties": properties, **({"required": required} if required else {})}
    bases = sorted({origin for origin, _, _ in parts if origin})
    diag.info(
        join_pointer(pointer, "allOf"),
        f"properties {', '.join(map(repr, clashes))} are defined here otherwise than in {', '.join(bases)}: "
        f"{name} holds every property itself instead of extending {'them' if len(bases) > 1 else 'it'}",
    )


def _object_parts(schemas: dict[str, Any], schema: Any, origin: str, seen: set[str]) -> list[Part] | None:
    """The plain-object pieces an `allOf` composition is made of, bases first; None if it is not only objects."""
    if not isinstance(schema, dict):
        return None
    ref = schema.get("$ref")
    if isinstance(ref, str):
        base = ref.removeprefix(f"#{SCHEMAS}/")
        if base == ref or "/" in base or base in seen or not isinstance(schemas.get(base), dict):
            return None
        return _object_parts(schemas, schemas[base], base, seen | {base})
    if any(k not in PLAIN_OBJECT_KEYS and not k.startswith("x-") for k in schema) or schema.get("type", "object") != "object":
        return None
    parts: list[Part] = []
    for member in schema.get("allOf") or []:
        found = _object_parts(schemas, member, origin, seen)
        if found is None:
            return None
        parts += found
    props = schema.get("properties") or {}
    required = schema.get("required") or []
    if not isinstance(props, dict) or not isinstance(required, list):
        return None
    return [*parts, (origin, dict(props), {str(r) for r in required})]


def _clash(parts: list[Part], prop: str, canonical: Callable[[str], str]) -> bool:
    """Whether pieces from different places define a property differently or disagree on whether it is required."""
    defined = [props[prop] for _, props, _ in parts if prop in props]
    # a property defined once is not compared: the skeleton's entry then holds for every wording of its prose
    differ = len(defined) > 1 and len({canonical(json.dumps(shape, sort_keys=True)) for shape in defined}) > 1
    demands = {(origin, prop in req) for origin, props, req in parts if prop in props or prop in req}
    return differ or len({needed for _, needed in demands}) > 1 and len({o for o, _ in demands}) > 1


def _hoist_nested(
    schemas: dict[str, Any], origins: dict[str, str], name: str, schema: dict[str, Any], at: tuple[Collector, str],
    in_all_of: bool = False,
) -> None:
    """Name every inline object, enum or union nested in a component (`<Parent><Property>`, `…Item`).

    datamodel-code-generator would otherwise invent these class names itself, and they could take
    a name that a component already has. `allOf` members stay inline (their fields are merged).
    """
    diag, pointer = at
    if not in_all_of:
        _distribute_over_union(schemas, origins, name, schema, at)
    targets: list[tuple[Any, str | int, str, str, bool]] = []  # owner (a dict or a list), slot, name, pointer, as value
    for prop, sub in (schema.get("properties") or {}).items():
        where = join_pointer(pointer, "properties", prop)
        targets.append((schema["properties"], prop, name + pascal(str(prop)), where, False))
    for key, suffix in (("items", "Item"), ("additionalProperties", "Value")):
        if isinstance(schema.get(key), dict):
            targets.append((schema, key, name + suffix, join_pointer(pointer, key), True))
    for key in ("oneOf", "anyOf"):
        for i, _sub in enumerate(schema.get(key) or []):
            targets.append((schema[key], i, f"{name}Option{i + 1}", join_pointer(pointer, key, i), True))
    for i, member in enumerate(schema.get("allOf") or []):
        if isinstance(member, dict) and "$ref" not in member:
            _hoist_nested(schemas, origins, name, member, (diag, join_pointer(pointer, "allOf", i)), in_all_of=True)
    for owner, slot, wanted, where, as_value in targets:
        sub = owner[slot]
        if not isinstance(sub, dict) or "$ref" in sub:
            continue
        if needs_class(sub, as_value) and not annotated_ref(sub):  # the library leaves an unused one out
            unique = unique_key(schemas, wanted or "Model")
            schemas[unique], origins[unique] = sub, where
            owner[slot] = {"$ref": f"#/components/schemas/{unique}"}
            _hoist_nested(schemas, origins, unique, sub, (diag, where))
        else:
            _hoist_nested(schemas, origins, wanted, sub, (diag, where))


def annotated_ref(schema: Any) -> str | None:
    """The `$ref` of an `allOf` of one `$ref` with only annotations beside it (OpenAPI 3.0's way to annotate a
    reference), else None. The library types it as the referenced class, so it needs no class of its own."""
    members = schema.get("allOf") if isinstance(schema, dict) else None
    if not (isinstance(members, list) and len(members) == 1 and isinstance(members[0], dict) and set(members[0]) == {"$ref"}):
        return None
    if (SHAPE_KEYS - {"allOf"}) & set(schema) or any(k in schema for k in VALUE_CONSTRAINTS):
        return None
    return members[0]["$ref"] if isinstance(members[0]["$ref"], str) else None


UNION_OUTER_KEYS = {
    "description", "title", "nullable", "example", "examples", "default", "deprecated", "readOnly", "writeOnly",
    "externalDocs",
}  # fmt: skip


def _distribute_over_union(
    schemas: dict[str, Any], origins: dict[str, str], name: str, schema: dict[str, Any], at: tuple[Collector, str]
) -> None:
    """An object that has its own properties (or `allOf`) and also a `oneOf`/`anyOf` of objects, directly or as
    its one inline `allOf` member, is a union of those objects each with the shared part: say so in the schema.

    The model library would do the same and name the classes itself (`Name1`, `Name2`). The shared part
    becomes `<Name>Base` (or stays the one schema of its `allOf`), each option `{allOf: [shared, option]}`.
    """
    diag, pointer = at
    if "discriminator" in schema:
        _union_beside_its_tag(schema, diag, pointer)
        return
    found = _union_of(schema, schemas)
    if found is None:
        return
    key, options, shared, where = found
    if not shared or not isinstance(options, list) or not options or not all(map(_object_like, options)):
        return
    if set(shared) == {"allOf"} and len(shared["allOf"]) == 1 and "$ref" in shared["allOf"][0]:
        base = shared["allOf"][0]
    else:
        unique = unique_key(schemas, f"{name}Base")
        schemas[unique], origins[unique] = {"type": "object", **shared}, pointer
        base = {"$ref": f"#{SCHEMAS}/{unique}"}
        _hoist_nested(schemas, origins, unique, schemas[unique], at)
    for k in [k for k in schema if k not in UNION_OUTER_KEYS and not k.startswith("x-")]:
        del schema[k]
    schema[key] = [{"allOf": [base, option]} for option in options]
    diag.info(
        join_pointer(pointer, *where, key),
        f"{key} beside other keywords: each of its {len(options)} options is a class that also has the shared part",
    )


def _union_beside_its_tag(schema: dict[str, Any], diag: Collector, pointer: str) -> None:
    """A discriminated `oneOf`/`anyOf` whose object's only property is the discriminator (which every option has)
    is the union of its options: the object part goes (Jira's CustomContextVariable)."""
    tag = schema["discriminator"].get("propertyName") if isinstance(schema["discriminator"], dict) else None
    props = schema.get("properties")
    unions = [k for k in ("oneOf", "anyOf") if isinstance(schema.get(k), list) and schema[k]]
    if len(unions) != 1 or "allOf" in schema or not isinstance(props, dict) or not props or set(props) != {tag}:
        return
    for key in ("properties", "required", "additionalProperties", "type"):
        schema.pop(key, None)
    diag.info(
        join_pointer(pointer, "properties"),
        f"the only property beside the {unions[0]} is its discriminator {tag!r}, which each option has: "
        "the schema is the union of its options",
    )


def _union_of(
    schema: dict[str, Any], schemas: dict[str, Any]
) -> tuple[str, Any, dict[str, Any], tuple[str | int, ...]] | None:
    """The union keyword, its options, the shared rest of the schema (without `type: object`) and where the
    union is written, when a schema has exactly one union beside other keywords or as its one `allOf` member
    that is a union (inline or a component that is only one)."""
    shared = {k: v for k, v in schema.items() if k not in UNION_OUTER_KEYS and not k.startswith("x-")}
    if shared.get("type") == "object":
        del shared["type"]
    own = [k for k in ("oneOf", "anyOf") if k in schema]
    if own:
        options = shared.pop(own[0])
        return (own[0], options, shared, ()) if len(own) == 1 and ({"properties", "allOf"} & set(shared)) else None
    members: list[Any] = shared["allOf"] if isinstance(shared.get("allOf"), list) else []
    unions = [(i, u) for i, m in enumerate(members) if (u := _only_union(m, schemas))]
    if len(unions) != 1:
        return None
    index, member = unions[0]
    key = "oneOf" if "oneOf" in member else "anyOf"
    rest = [m for i, m in enumerate(members) if i != index]
    shared = {**shared, "allOf": rest} if rest else {k: v for k, v in shared.items() if k != "allOf"}
    return key, member[key], shared, ("allOf", index)


def _only_union(member: Any, schemas: dict[str, Any]) -> dict[str, Any] | None:
    """An `allOf` member that is only a `oneOf` or `anyOf` (with a discriminator at most), written inline or as a
    `$ref` to such a component."""
    if isinstance(member, dict) and set(member) == {"$ref"}:
        member = _component(schemas, member["$ref"])
    if not isinstance(member, dict) or len({"oneOf", "anyOf"} & set(member)) != 1:
        return None
    return member if not set(member) - {"oneOf", "anyOf", "discriminator", "description", "title"} else None


def _object_like(option: Any) -> bool:
    """A union option that is (or may be, through a `$ref`) an object."""
    return isinstance(option, dict) and (
        "$ref" in option or "properties" in option or "allOf" in option or option.get("type") == "object"
    )


def _relax_read_write_only(doc: Any, schema: Any, diag: Collector, pointer: str) -> None:
    """Make required `readOnly`/`writeOnly` properties optional: one model serves both directions.

    A readOnly property is absent from requests and a writeOnly one from responses, so neither can
    be required by a model used for both.
    """
    if not isinstance(schema, dict):
        return
    required = schema.get("required")
    props = schema.get("properties") or {}
    if isinstance(required, list):
        for name in list(required):
            prop = deref(doc, props.get(name))
            flag = next((f for f in ("readOnly", "writeOnly") if isinstance(prop, dict) and prop.get(f)), None)
            if flag:
                required.remove(name)
                diag.info(join_pointer(pointer, "properties", name), f"required {flag} property {name!r} is optional in the models (it is absent in one direction)")
    for key in ("allOf", "oneOf", "anyOf"):
        for i, sub in enumerate(schema.get(key) or []):
            _relax_read_write_only(doc, sub, diag, join_pointer(pointer, key, i))


def _constraint_only(member: Any, known: dict[str, Any]) -> bool:
    """A union member that only adds rules (`required`, narrower known properties), no shape of its own."""
    if not isinstance(member, dict):
        return False
    shape = set(member) & (SHAPE_KEYS - {"properties"})
    if member.get("additionalProperties") is True:  # "anything else is allowed" adds no shape
        shape.discard("additionalProperties")
    if member.get("type") == "object":  # the object's own type, restated
        shape.discard("type")
    if shape:
        return False
    return set(member.get("properties") or {}) <= set(known)


def _property_set(member: Any) -> bool:
    """A union member that is only a set of properties (some required), no other shape."""
    keys = {"properties", "required", "type", "description", "title", "additionalProperties"}
    return isinstance(member, dict) and set(member) <= keys and member.get("type", "object") == "object"


def _drop_constraint_unions(schema: Any, diag: Collector, pointer: str, in_all_of: bool = False) -> None:
    """Remove `oneOf`/`anyOf` whose members only add rules to an object that has properties, or, in an
    `allOf` member, whose members are alternative property sets (their properties become optional ones).

    Models cannot express "one of these property sets is required", and keeping such a union
    would turn the whole object into a union of bare objects. The rule is reported, not enforced.
    """
    if not isinstance(schema, dict):
        return
    for key in ("oneOf", "anyOf"):
        members = schema.get(key)
        known = schema.get("properties") or {}
        if not isinstance(members, list) or not members or not isinstance(known, dict):
            continue
        if known and all(_constraint_only(m, known) for m in members):
            del schema[key]
            diag.info(join_pointer(pointer, key), f"{key} only adds validation rules to an object with properties; the models do not enforce it")
        elif in_all_of and all(_property_set(m) for m in members):
            added = {p: sub for m in members for p, sub in (m.get("properties") or {}).items() if p not in known}
            schema["properties"] = {**known, **added}
            del schema[key]
            diag.info(
                join_pointer(pointer, key),
                f"{key} of property sets inside allOf: {', '.join(map(repr, added)) or 'no new property'} become optional fields; "
                "which set is required is not enforced by the models",
            )
    for prop, sub in (schema.get("properties") or {}).items():
        _drop_constraint_unions(sub, diag, join_pointer(pointer, "properties", prop))
    for key in ("items", "additionalProperties"):
        _drop_constraint_unions(schema.get(key), diag, join_pointer(pointer, key))
    for key in ("allOf", "oneOf", "anyOf"):
        for i, sub in enumerate(schema.get(key) or []):
            _drop_constraint_unions(sub, diag, join_pointer(pointer, key, i), in_all_of=key == "allOf")


def _hoist(
    owner: dict[str, Any], key: str, name: str, schemas: dict[str, Any], origins: dict[str, str], diag: Collector, pointer: str
) -> None:
    """Move `owner[key]` into components if it needs a class; recurse into array items."""
    schema = owner.get(key)
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        _hoist(schema, "items", f"{name}Item", schemas, origins, diag, join_pointer(pointer, "items"))
        return
    if not needs_class(schema, as_value=key == "items"):
        return
    unique = unique_key(schemas, name)
    schemas[unique], origins[unique] = schema, pointer
    owner[key] = {"$ref": f"#/components/schemas/{unique}"}
    diag.info(pointer, f"inline schema named {unique!r} (hoisted to components/schemas)")


def _plain_discriminator(schemas: dict[str, Any], name: str, diag: Collector, origin: Callable[[str], str]) -> None:
    """Type a discriminator property written with an `enum` (inline, or a `$ref` to an enum component) as a plain
    string: in a discriminated base, and in the `allOf` ancestors of a discriminated union's options.

    Each subclass or option narrows it to its own `Literal` value, which an enum class above it would forbid.
    """
    schema = schemas[name]
    tag = (schema.get("discriminator") or {}).get("propertyName") if isinstance(schema.get("discriminator"), dict) else None
    if not isinstance(tag, str):
        return
    _plain_tag(schemas, schema, tag, diag, origin(name))
    seen = {join_pointer(f"#{SCHEMAS}", name)}
    pending = _refs_in(schema.get("oneOf") or schema.get("anyOf"))
    while pending:
        ref = pending.pop()
        target = _component(schemas, ref)
        if not isinstance(target, dict) or ref in seen:
            continue
        seen.add(ref)
        ancestors = _refs_in(target.get("allOf"))
        for ancestor in ancestors:
            ancestor_name = _component_name(ancestor)
            if ancestor_name is None or ancestor in seen:
                continue
            holder = schemas.get(ancestor_name)
            if isinstance(holder, dict):
                _plain_tag(schemas, holder, tag, diag, origin(ancestor_name))
        pending.extend(ancestors)


def _refs_in(members: Any) -> list[str]:
    """The `$ref`s a list of subschemas (`allOf`, `oneOf`, `anyOf`) holds."""
    return [m["$ref"] for m in members if isinstance(m, dict) and isinstance(m.get("$ref"), str)] if isinstance(members, list) else []


def _plain_tag(schemas: dict[str, Any], holder: dict[str, Any], tag: str, diag: Collector, pointer: str) -> None:
    """Type the property `tag` of `holder` as a plain string when it is written with an `enum`."""
    prop = (holder.get("properties") or {}).get(tag) if isinstance(holder.get("properties"), dict) else None
    if not isinstance(prop, dict):
        return
    if "enum" in prop and "$ref" not in prop:
        values = prop.pop("enum")
        diag.info(
            join_pointer(pointer, "properties", tag, "enum"),
            f"discriminator {tag!r} is typed as a string in the base model; each subclass fixes its value (the enum had {len(values)})",
        )
    elif isinstance(target := _component(schemas, prop.get("$ref")), dict) and "enum" in target:
        holder["properties"][tag] = {"type": "string", **{k: v for k, v in prop.items() if k == "description"}}
        diag.info(
            join_pointer(pointer, "properties", tag),
            f"discriminator {tag!r} is typed as a string in the base model instead of the enum {prop['$ref'].rsplit('/', 1)[-1]}; each subclass fixes its value",
        )


def _component(schemas: dict[str, Any], ref: Any) -> Any:
    """The component schema a `$ref` names (None for any other reference)."""
    name = _component_name(ref)
    return None if name is None else schemas.get(name)


def _component_name(ref: Any) -> str | None:
    """The name of the component schema a `$ref` names (None for any other reference)."""
    prefix = f"#{SCHEMAS}/"
    return unescape_token(ref[len(prefix) :]) if isinstance(ref, str) and ref.startswith(prefix) else None


def _map_declared_discriminator_values(schemas: dict[str, Any], diag: Collector, origin: Callable[[str], str]) -> None:
    """Add to a discriminated base's mapping each subclass that declares its value with `x-ms-discriminator-value`
    (Azure's specs), instead of the subclass's schema name that the implicit mapping would use."""
    added: dict[str, int] = {}
    for name in sorted(schemas):
        sub = schemas[name]
        value = sub.get("x-ms-discriminator-value") if isinstance(sub, dict) else None
        if not isinstance(value, str) or not isinstance(sub.get("allOf"), list):
            continue
        for member in sub["allOf"]:
            base_name = _component_name(member.get("$ref") if isinstance(member, dict) else None)
            if base_name is None:
                continue
            base = schemas.get(base_name)
            discriminator = base.get("discriminator") if isinstance(base, dict) else None
            if isinstance(discriminator, dict) and isinstance(discriminator.setdefault("mapping", {}), dict):
                if value not in discriminator["mapping"]:
                    discriminator["mapping"][value] = join_pointer(f"#{SCHEMAS}", name)
                    added[base_name] = added.get(base_name, 0) + 1
    for base_name, count in sorted(added.items()):
        diag.info(
            join_pointer(origin(base_name), "discriminator"),
            f"discriminator mapping takes the x-ms-discriminator-value of {count} subclass(es)",
        )


Where = tuple[str | int, ...]  # a base pointer and the tokens below it, joined only when reported
Visit = Callable[[dict[str, Any], Where], None]  # what `_walk` calls on each schema it reaches


def _at(where: Where, *tokens: str) -> str:
    """The JSON pointer `_walk` gave as `where`, with more tokens."""
    return join_pointer(str(where[0]), *where[1:], *tokens)


_SUBSCHEMA_KEYS = frozenset((*SUBSCHEMA_KEYWORDS, *SUBSCHEMA_LISTS, *SUBSCHEMA_MAPS))


def _walk(schema: Any, where: Where | str, visit: Visit) -> None:
    """Call `visit(schema, where)` on a schema and each of its inline subschemas (`_at(where)` names it)."""
    if not isinstance(schema, dict):
        return
    where = (where,) if isinstance(where, str) else where
    visit(schema, where)
    if _SUBSCHEMA_KEYS.isdisjoint(schema):  # most schemas are leaves
        return
    for key in SUBSCHEMA_KEYWORDS:
        if isinstance(schema.get(key), dict):
            _walk(schema[key], (*where, key), visit)
    for key in SUBSCHEMA_LISTS:
        for i, sub in enumerate(schema.get(key) or []):
            _walk(sub, (*where, key, i), visit)
    for key in SUBSCHEMA_MAPS:
        for name, sub in (schema.get(key) or {}).items() if isinstance(schema.get(key), dict) else ():
            _walk(sub, (*where, key, name), visit)


def _each(*visits: Visit) -> Visit:
    """One visit doing each of `visits` in turn: one walk instead of one per visit (a node is seen by every visit
    before its subschemas are)."""

    def visit(node: dict[str, Any], where: Where) -> None:
        for each in visits:
            each(node, where)

    return visit


def _below_root(visit: Visit) -> Visit:
    """`visit` on every schema a walk reaches but the one it starts from."""

    def below(node: dict[str, Any], where: Where) -> None:
        if len(where) > 1:
            visit(node, where)

    return below


def _boolean_properties(diag: Collector) -> Visit:
    """A visit that makes a property whose schema is `true` (OpenAPI 3.1) take any value, and leaves out of the
    models one whose schema is `false` (it can never be present)."""

    def visit(node: dict[str, Any], where: Where) -> None:
        properties = node.get("properties")
        if not isinstance(properties, dict):
            return
        for name, sub in list(properties.items()):
            if sub is True:
                properties[name] = {}
            elif sub is False:
                del properties[name]
                if isinstance(node.get("required"), list) and name in node["required"]:
                    node["required"] = [r for r in node["required"] if r != name]
                diag.info(_at(where, "properties", name), f"property {name!r} has the schema false: no value is allowed, so the models leave it out")

    return visit


def _properties_of_non_objects(diag: Collector) -> Visit:
    """A visit that removes `properties` (and `required`) of a schema whose `type` excludes objects, and `items` of
    one that has properties and no type (an object): they never apply."""

    def visit(node: dict[str, Any], where: Where) -> None:
        kind = node.get("type")
        kinds = kind if isinstance(kind, list) else [kind] if isinstance(kind, str) else ["object"]
        if "object" not in kinds and isinstance(node.get("properties"), dict) and node["properties"]:
            node.pop("required", None)
            names = ", ".join(repr(name) for name in node.pop("properties"))
            diag.info(_at(where, "properties"), f"properties {names} never apply to a schema of type {kind!r} (only objects have properties); left out of the models")
        elif kind is None and node.get("properties") and "items" in node:
            del node["items"]
            diag.info(_at(where, "items"), "items never apply to a schema with properties and no type (an object); left out of the models")

    return visit


def _uncompilable_patterns(diag: Collector) -> Visit:
    """A visit that removes a `pattern` pydantic cannot compile."""

    def visit(node: dict[str, Any], where: Where) -> None:
        pattern = node.get("pattern")
        if isinstance(pattern, str) and _pattern_problem(pattern):
            del node["pattern"]
            diag.warning(
                _at(where, "pattern"),
                f"pattern {pattern!r} is not checked by the models: {_pattern_problem(pattern)}",
                "write it in the common subset of regular expressions (no \\p{...} classes, look-arounds or back-references)",
            )

    return visit


def _text_defaults_of_typed_strings(diag: Collector) -> Visit:
    """A visit that removes a string `default` of a typed string format (a date, a URL, an IP address…): the field
    is not a str."""

    def visit(node: dict[str, Any], where: Where) -> None:
        if node.get("format") in TYPED_STRING_FORMATS and isinstance(node.get("default"), str):
            diag.info(
                _at(where, "default"),
                f"default {node.pop('default')!r} of a {node['format']} value is left out of the models (it is text, the field is not)",
            )

    return visit


# Keywords that describe a schema without constraining its values.
ANNOTATIONS = frozenset(
    {"description", "title", "example", "examples", "deprecated", "externalDocs", "readOnly", "writeOnly", "xml"}
)
# Keywords that constrain values of one JSON type only; JSON Schema ignores them on a value of another.
TYPE_KEYWORDS = {
    "string": ("minLength", "maxLength", "pattern"),
    "array": ("minItems", "maxItems", "uniqueItems"),
    "number": ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"),
    "object": ("minProperties", "maxProperties"),
}
TYPE_KEYWORDS["integer"] = TYPE_KEYWORDS["number"]


def _drop_idle_keywords(node: dict[str, Any], _where: Where) -> None:
    """Drop keywords that change nothing but would mislead the model library: a `type` beside a `$ref` (OpenAPI
    3.0 ignores it; the library would make a class of the pair, named after the property, and the name would
    differ from run to run of the models pass), `nullable: false`, the default (with it, the library types
    an optional field `bool = None`), a keyword of another type than the schema's one (an array's
    `minLength`: the library would hold the list to it, JSON Schema and the service do not), and an `allOf`
    member that only annotates: `allOf: [{$ref: X}, {description: …}]` (how AWS specs write every property)
    becomes `allOf: [{$ref: X}], description: …`, an annotated reference typed as X, not a class of its own."""
    if "$ref" in node:
        node.pop("type", None)
    members = node.get("allOf")
    if isinstance(members, list) and len(members) > 1:
        notes = [m for m in members if isinstance(m, dict) and m and set(m) <= ANNOTATIONS]
        if notes and len(notes) < len(members):
            node["allOf"] = [m for m in members if not any(m is n for n in notes)]
            for note in notes:
                for key, value in note.items():
                    node.setdefault(key, value)
    if node.get("nullable") is False:
        del node["nullable"]
    kind = node.get("type")
    if isinstance(kind, str) and kind in TYPE_KEYWORDS:
        for other, keywords in TYPE_KEYWORDS.items():
            if other != kind and TYPE_KEYWORDS[kind] is not keywords:
                for keyword in keywords:
                    node.pop(keyword, None)


def _float_number_defaults(node: dict[str, Any], _where: Where) -> None:
    """Write a whole-number default of a `number` (or of an array of numbers) as a float, the type the models give it."""
    items = node.get("items")
    if node.get("type") == "number" and _whole(node.get("default")):
        node["default"] = float(node["default"])
    elif node.get("type") == "array" and isinstance(items, dict) and items.get("type") == "number" and isinstance(node.get("default"), list):
        node["default"] = [float(v) if _whole(v) else v for v in node["default"]]


def _whole(value: Any) -> bool:
    """An int that is not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def _drop_default_of_root_model(schema: dict[str, Any], diag: Collector, pointer: str) -> None:
    """Remove the `default` of a component that is a union, a scalar or an array, not an object or an enum.

    pydantic makes such a component a root model, which the bare default is not an instance of.
    """
    kind = _root_model_kind(schema)
    if kind and schema.get("default") is not None:
        diag.info(
            join_pointer(pointer, "default"),
            f"default {schema.pop('default')!r} of {kind} is left out of the models (its class is not the bare value)",
        )


def _admits_null(schema: dict[str, Any]) -> bool:
    """Whether a schema's own type admits `null` (`nullable`, a `null` type or a `null` option of its union)."""
    kinds: list[Any] = schema["type"] if isinstance(schema.get("type"), list) else [schema.get("type")]
    options = [o for o in schema.get("oneOf") or schema.get("anyOf") or () if isinstance(o, dict)]
    return schema.get("nullable") is True or "null" in kinds or any(o.get("type") == "null" for o in options)


def _root_model_kind(schema: Any) -> str | None:
    """What makes a component a root model (a union, a named scalar or array), or None (an object, an enum)."""
    if not isinstance(schema, dict):
        return None
    if any(key in schema for key in ("oneOf", "anyOf")):
        return "a union"
    if schema.get("type") not in (None, "object") and not schema.get("properties") and "enum" not in schema:
        return f"a named {schema['type']} schema"
    return None


_DEFAULT_TYPES: dict[str, tuple[type, ...]] = {
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
    "string": (str,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
}


def _mistyped_defaults(schemas: dict[str, Any], diag: Collector) -> Visit:
    """A visit that removes a `default` the field's type cannot hold: null where the schema is not nullable, of
    another JSON type than the schema's `type` (a boolean whose default is `""`), not one of its enum's values,
    objects where the type is a model (the models do not build instances from a default), or beside a `$ref` to a
    root model (its class is not the bare value)."""

    def visit(node: dict[str, Any], where: Where) -> None:
        if "default" not in node:
            return
        value, kinds = node["default"], node.get("type")
        kinds = [kinds] if isinstance(kinds, str) else kinds
        target = _component(schemas, node.get("$ref") or annotated_ref(node))
        if value is None:
            if not _admits_null(node) and not (isinstance(target, dict) and _admits_null(target)):
                node.pop("default")
                diag.info(_at(where, "default"), "default null of a schema that is not nullable is left out of the models (an absent field is None there)")
            return
        enum = node.get("enum") if "enum" in node else target.get("enum") if isinstance(target, dict) else None
        if isinstance(kinds, list) and kinds and all(k in _DEFAULT_TYPES for k in kinds) and not any(_holds(k, value) for k in kinds):
            diag.warning(_at(where, "default"), f"default {node.pop('default')!r} is not of type {' or '.join(kinds)}; left out of the models")
        elif isinstance(enum, list) and value not in enum:
            diag.warning(_at(where, "default"), f"default {node.pop('default')!r} is not one of the enum's values; left out of the models")
        elif _objects_for_models(schemas, node, value):
            diag.info(
                _at(where, "default"),
                f"default {node.pop('default')!r} holds objects where the type is a model; left out of the models (they do not build instances from it)",
            )
        elif _root_model_kind(target):  # named by `$ref`, or by an `allOf` of that one `$ref`
            diag.info(
                _at(where, "default"),
                f"default {node.pop('default')!r} beside a $ref to {_root_model_kind(target)} is left out of the models (its class is not the bare value)",
            )

    return visit


def _objects_for_models(schemas: dict[str, Any], node: dict[str, Any], value: Any) -> bool:
    """Whether a default gives JSON objects where the schema's type is a model class (itself, its items or its values)."""
    items, values = node.get("items"), node.get("additionalProperties")
    if isinstance(value, dict) and _is_model(schemas, node):
        return True
    if isinstance(value, list) and _is_model(schemas, items):
        return any(isinstance(v, dict) for v in value)
    return isinstance(value, dict) and _is_model(schemas, values) and any(isinstance(v, dict) for v in value.values())


def _is_model(schemas: dict[str, Any], schema: Any) -> bool:
    """Whether a schema becomes a model class: an object with properties or `allOf`, written inline or named by `$ref`."""
    if not isinstance(schema, dict):
        return False
    target = _component(schemas, schema.get("$ref"))
    resolved = target if isinstance(target, dict) else schema
    return "properties" in resolved or "allOf" in resolved


def _holds(kind: str, value: Any) -> bool:
    """Whether a JSON value is of a JSON Schema type (a boolean is not a number)."""
    return (kind == "boolean") == isinstance(value, bool) and isinstance(value, _DEFAULT_TYPES[kind])


def _drop_unusable_discriminators(doc: dict[str, Any], schema: Any, diag: Collector, pointer: str) -> None:
    """Remove a union's discriminator that cannot name its options: a mapping value that names nothing in the
    document (a file, say), or options written inline with no mapping (only component schemas have the names
    an implicit mapping uses). The union then validates option by option."""

    def visit(node: dict[str, Any], where: Where) -> None:
        discriminator, options = node.get("discriminator"), node.get("oneOf") or node.get("anyOf")
        if not isinstance(discriminator, dict) or not isinstance(options, list):
            return
        mapping = discriminator.get("mapping") if isinstance(discriminator.get("mapping"), dict) else {}
        broken = sorted(key for key, value in mapping.items() if not _names_a_schema(doc, value))
        inline = not mapping and any(not (isinstance(o, dict) and "$ref" in o) for o in options)
        if broken or inline:
            del node["discriminator"]
            reason = f"its mapping of {broken[0]!r} names no schema of the document" if broken else "its options are written inline and it has no mapping"
            diag.warning(_at(where, "discriminator"), f"the discriminator is not used: {reason}; the union is validated option by option")

    _walk(schema, pointer, visit)


def _names_a_schema(doc: dict[str, Any], value: Any) -> bool:
    """Whether a discriminator mapping's value is a local reference that resolves, or a component schema's name."""
    if not isinstance(value, str):
        return False
    if not value.startswith("#/"):
        return "/" not in value and value in ((doc.get("components") or {}).get("schemas") or {})
    try:
        resolve_pointer(doc, value)
    except KeyError:
        return False
    return True


@functools.cache
def _pattern_problem(pattern: str) -> str | None:
    """Why pydantic's regular-expression engine rejects `pattern` (its own words, shortened), or None."""
    from pydantic_core import SchemaValidator, core_schema

    try:
        SchemaValidator(core_schema.str_schema(pattern=pattern))
    except Exception as exc:  # pydantic_core.SchemaError, with the regex crate's explanation
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        return lines[-1] if lines else type(exc).__name__
    return None
