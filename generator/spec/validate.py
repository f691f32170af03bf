"""Validate a loaded spec: OpenAPI version, references, our own rules, then the OpenAPI schema."""

from __future__ import annotations

import difflib
import importlib.util
import json
import re
from pathlib import Path
from typing import Any, Callable, Iterator, NamedTuple

from ..diagnostics import Collector, join_pointer, kind_of, one_line
from .loader import LoadedSpec
from .refs import (
    SUBSCHEMA_KEYWORDS,
    SUBSCHEMA_LISTS,
    SUBSCHEMA_MAPS,
    deref,
    is_reference,
    resolve_pointer,
)

__all__ = ["HTTP_METHODS", "iter_operations", "iter_refs", "resolve_pointer", "schema_roots", "validate_spec"]

SUPPORTED = re.compile(r"^3\.[01]\.\d+$")
STATUS_CODE = re.compile(r"^(?:default|[1-5]XX|[1-5][0-9][0-9])$")
MAX_SCHEMA_ERRORS = 50
MAX_SCHEMA_DEPTH = 64
JSON_TYPES = frozenset({"string", "number", "integer", "boolean", "array", "object", "null"})
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# The x-acs- extensions the generator reads, with the type it reads them as (other x- members are not ours).
_ACS_TYPES = {
    "x-acs-package": str,
    "x-acs-product": str,
    "x-acs-action": str,
    "x-acs-endpoint-rule": dict,
    "x-acs-error-codes": list,
}

# Validator messages our own rules say more clearly: pointer → fragments of the messages they cover.
Covered = set[str]  # pointers where our own rules already reported a problem


def validate_spec(spec: LoadedSpec, diag: Collector | None = None) -> Collector:
    """Run every check; raise SpecError listing all errors, else return the collector (warnings, notices), `diag`
    when given."""
    diag = diag or Collector(spec.display_name, spec.lines, spec.origins)
    diag.items.extend(spec.notes)
    doc = spec.data
    _guarded(diag, "the OpenAPI version", lambda: _check_version(doc, diag))
    diag.raise_if_errors()
    _guarded(diag, "the references", lambda: _check_refs(doc, diag))
    broken_refs = diag.has_errors  # the other checks still run, so that every problem is reported at once
    covered: Covered = set()
    _guarded(diag, "the operations", lambda: _check_rules(doc, diag, covered), quiet=broken_refs)
    _guarded(diag, "the schemas", lambda: _check_schemas(doc, diag, covered), quiet=broken_refs)
    _guarded(diag, "the OpenAPI schema", lambda: _check_openapi_schema(doc, diag, covered), quiet=broken_refs)
    diag.raise_if_errors()
    return diag


def _guarded(diag: Collector, what: str, check: Callable[[], None], quiet: bool = False) -> None:
    """Run one check; an unexpected exception becomes an error, never a traceback.

    `quiet`: the document has reference errors already, which explain a check that cannot finish.
    """
    try:
        check()
    except Exception as exc:
        if not quiet:
            diag.error("", f"cannot check {what}: {type(exc).__name__}: {one_line(str(exc))}")


def _check_version(doc: dict[str, Any], diag: Collector) -> None:
    """Recognise OpenAPI 3.0/3.1; explain what anything else looks like."""
    if "swagger" in doc:
        diag.error(
            "/swagger",
            f"this is a Swagger {doc['swagger']} document; only OpenAPI 3.0 and 3.1 are supported",
            "convert it first, e.g. with swagger2openapi or the Swagger Editor's 'Convert to OpenAPI 3'",
        )
        return
    version = doc.get("openapi")
    if version is None:
        diag.error("", f"not an OpenAPI document: no 'openapi' field ({_looks_like(doc)})")
    elif not isinstance(version, str) or not SUPPORTED.match(version):
        hint = "quote the version: YAML reads 3.0 as a number" if isinstance(version, (int, float)) else None
        diag.error("/openapi", f"unsupported OpenAPI version {version!r}; supported: 3.0.x and 3.1.x", hint)


def _looks_like(doc: dict[str, Any]) -> str:
    """Describe a mapping that is not OpenAPI."""
    if "$schema" in doc or ("properties" in doc and "type" in doc):
        return "it looks like a JSON Schema"
    if "asyncapi" in doc:
        return "it looks like an AsyncAPI document"
    keys = ", ".join(sorted(doc)[:5])
    return f"top-level keys: {keys}" if keys else "the mapping is empty"


def iter_refs(node: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    """Yield (pointer of the $ref member, its value) for every reference (not literal data) in the document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and is_reference(pointer):
                yield join_pointer(pointer, key), value
            else:
                yield from iter_refs(value, join_pointer(pointer, key))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from iter_refs(item, join_pointer(pointer, i))


def _check_refs(doc: dict[str, Any], diag: Collector) -> None:
    """Every $ref is local (the loader bundles other files), resolves, and does not loop through bare references."""
    for pointer, ref in iter_refs(doc):
        if not isinstance(ref, str):
            diag.error(pointer, f"$ref must be a string, got {type(ref).__name__}")
        elif not ref.startswith("#"):
            diag.error(
                pointer,
                f"external reference {ref!r} is not supported: only references inside the document (#/...)",
                "bundle the spec into one file first (e.g. with redocly bundle)",
            )
        else:
            _follow(doc, pointer, ref, diag)


def _follow(doc: dict[str, Any], pointer: str, ref: str, diag: Collector) -> None:
    """Follow a chain of bare references, reporting dangling targets and cycles (named by their source files)."""
    seen = [ref]
    while True:
        try:
            target = resolve_pointer(doc, ref)
        except KeyError:
            hint = "the chain was " + " → ".join(map(diag.source_of, seen)) if len(seen) > 1 else None
            diag.error(pointer, f"$ref {seen[0]!r} points to nothing ({ref} does not exist)", hint)
            return
        if not (isinstance(target, dict) and isinstance(target.get("$ref"), str) and target["$ref"].startswith("#")):
            return
        ref = target["$ref"]
        if ref in seen:
            diag.error(pointer, "$ref cycle that never resolves: " + " → ".join(map(diag.source_of, seen + [ref])))
            return
        seen.append(ref)


def _check_openapi_schema(doc: dict[str, Any], diag: Collector, covered: Covered) -> None:
    """Validate against the official OpenAPI meta-schema; report each error where it is (unless ours say it better).

    jsonschema-rs finds the errors (milliseconds even on multi-megabyte specs); each one is then
    explained with jsonschema's `best_match` against the failing part of the meta-schema, so a
    `oneOf` failure names the property that is wrong instead of "not valid under any schema".
    """
    meta, validator = _meta_validator(str(doc["openapi"])[:3])
    if isinstance(doc.get("paths"), dict):  # x- members of paths are extensions, not paths
        doc = {**doc, "paths": {k: v for k, v in doc["paths"].items() if not k.startswith("x-")}}
    try:
        for count, error in enumerate(validator.iter_errors(doc), 1):
            if count > MAX_SCHEMA_ERRORS:
                diag.error("", f"more than {MAX_SCHEMA_ERRORS} schema errors; fix these first")
                break
            pointer, message = _explain(meta, doc, list(error.instance_path), list(error.schema_path), error.message)
            if pointer not in covered and join_pointer("", *error.instance_path) not in covered:
                diag.error(pointer, "not valid OpenAPI: " + one_line(message))  # else ours says it better
    except Exception as exc:  # a validator failure must never become a traceback
        diag.error("", f"not valid OpenAPI (the validator failed: {type(exc).__name__}: {one_line(str(exc))})")


_META: dict[str, tuple[dict[str, Any], Any]] = {}


def _meta_validator(version: str) -> tuple[dict[str, Any], Any]:
    """The meta-schema of OpenAPI 3.0 or 3.1 and a compiled validator for it (built once)."""
    if version not in _META:
        import jsonschema_rs

        meta = _meta_schema("3.1" if version == "3.1" else "3.0")
        _META[version] = (meta, jsonschema_rs.validator_for(meta, formats={"regex": _any_pattern}))
    return _META[version]


def _meta_schema(version: str) -> dict[str, Any]:
    """The official meta-schema that openapi-spec-validator ships, read as a data file (importing that package
    costs more than validating a large spec)."""
    found = importlib.util.find_spec("openapi_spec_validator")
    assert found is not None and found.submodule_search_locations, "openapi-spec-validator is a dependency"
    folder = Path(next(iter(found.submodule_search_locations)))
    data: dict[str, Any] = json.loads((folder / "resources" / "schemas" / f"v{version}" / "schema.json").read_bytes())
    return data


def _any_pattern(pattern: str) -> bool:
    """Accept every `pattern` here: jsonschema-rs refuses valid ECMA-262 ones (`\\{`, `\\p` outside Unicode mode).

    Patterns matter where the models use them: the normalizer drops, with a warning, each one the models'
    regular-expression engine cannot compile.
    """
    return True


def _explain(meta: dict[str, Any], doc: Any, where: list[Any], schema_path: list[Any], message: str) -> tuple[str, str]:
    """The most specific (pointer, message) for one error, using jsonschema's best match on its branch."""
    if schema_path[-1:] not in (["oneOf"], ["anyOf"]):
        return join_pointer("", *where), message
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for

    subschema: Any = meta
    for key in schema_path:
        subschema = subschema[key]
    instance: Any = doc
    for key in where:
        instance = instance[_key_in(instance, key)]
    branch = {"anyOf": subschema}
    branch.update({k: meta[k] for k in ("definitions", "$defs") if k in meta})
    detail = best_match(validator_for(meta)(branch).iter_errors(instance))
    if detail is None:
        return join_pointer("", *where), message
    return join_pointer("", *where, *detail.absolute_path), detail.message

def _key_in(node: Any, key: Any) -> Any:
    """`key` as the node holds it: a YAML mapping may have the number 200 where the pointer says "200"."""
    if isinstance(node, dict) and key not in node:
        return next((k for k in node if str(k) == str(key)), key)
    return key


def _dict(value: Any) -> dict[str, Any]:
    """`value` when it is a mapping, else an empty one (malformed parts are the schema check's to report)."""
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    """`value` when it is a list, else an empty one."""
    return value if isinstance(value, list) else []


def iter_operations(doc: dict[str, Any], section: str = "paths") -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """Yield (pointer, path, method, operation) of `paths` (or `webhooks`) in document order."""
    for path, item in _dict(doc.get(section)).items():
        if path.startswith("x-"):
            continue
        item = deref(doc, item)
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                yield join_pointer("/" + section, path, method), path, method, operation


def _check_rules(doc: dict[str, Any], diag: Collector, covered: Covered) -> None:
    """Rules beyond the OpenAPI schema that code generation depends on."""
    _check_operations(doc, diag, covered)
    for section in ("paths", "webhooks"):
        for path, item in _dict(doc.get(section)).items():
            if not path.startswith("x-"):
                _check_path_item(join_pointer("/" + section, path), _dict(item), diag, covered)
    components = _dict(doc.get("components"))
    for name, param in _dict(components.get("parameters")).items():
        _check_parameter(join_pointer("/components/parameters", name), param, diag, covered)
    for name, response in _dict(components.get("responses")).items():
        _check_acs(join_pointer("/components/responses", name), response, diag)
    _check_acs("", doc, diag)
    _check_acs("/info", doc.get("info"), diag)
    for name in _dict(doc.get("webhooks")):
        if not name.startswith("x-"):
            diag.warning(
                join_pointer("/webhooks", name),
                f"webhook {name!r} is left out: webhooks are requests the API sends to you, so the client has no method for them",
            )


def _check_operations(doc: dict[str, Any], diag: Collector, covered: Covered) -> None:
    """Operation ids are unique, RPC actions named, responses present (3.0), path templates declared."""
    owners: dict[str, str] = {}
    rpc = doc.get("x-acs-api-style") == "RPC"
    is_30 = str(doc["openapi"]).startswith("3.0")
    for pointer, path, _method, operation in iter_operations(doc):
        op_id = operation.get("operationId")
        if isinstance(op_id, str):
            if op_id in owners:
                diag.error(
                    join_pointer(pointer, "operationId"), f"duplicate operationId {op_id!r} (also at {owners[op_id]})"
                )
            owners.setdefault(op_id, pointer)
        if rpc and "x-acs-action" not in operation:  # a wrong type is _check_acs's to report
            diag.error(pointer, "RPC-style spec: operation has no x-acs-action naming its action")
        if "responses" not in operation:
            if is_30:
                diag.error(pointer, "operation has no responses", "add at least one, e.g. '200': {description: OK}")
                covered.add(pointer)
            else:
                diag.info(pointer, "operation has no responses (allowed in OpenAPI 3.1)")
        _check_path_template(doc, pointer, path, operation, diag, covered)


def _check_path_item(pointer: str, item: dict[str, Any], diag: Collector, covered: Covered) -> None:
    """Parameters and response status codes of a path item and its operations."""
    for i, param in enumerate(_list(item.get("parameters"))):
        _check_parameter(join_pointer(pointer, "parameters", i), param, diag, covered)
    for method in HTTP_METHODS:
        operation = _dict(item.get(method))
        op_pointer = join_pointer(pointer, method)
        _check_acs(op_pointer, operation, diag)
        for i, param in enumerate(_list(operation.get("parameters"))):
            _check_parameter(join_pointer(op_pointer, "parameters", i), param, diag, covered)
        responses = join_pointer(op_pointer, "responses")
        for code, response in _dict(operation.get("responses")).items():
            _check_acs(join_pointer(responses, code), response, diag)
            if not code.startswith("x-") and not STATUS_CODE.match(code):
                diag.error(
                    join_pointer(responses, code),
                    f"invalid status code {code!r}: use a code from 100 to 599, a range 1XX to 5XX, or default",
                )
                covered.add(responses)


def _check_acs(pointer: str, node: Any, diag: Collector) -> None:
    """The x-acs- extensions of one object have the shape the generator reads."""
    node = _dict(node)
    for key, kind in _ACS_TYPES.items():
        if key in node and not isinstance(node[key], kind):
            diag.error(join_pointer(pointer, key), f"{key} must be a {kind_of(kind())}, not a {kind_of(node[key])}")
    for name, rule in _dict(node.get("x-acs-endpoint-rule")).items():
        if not isinstance(rule, str):
            diag.error(join_pointer(pointer, "x-acs-endpoint-rule", name), "an endpoint rule must be a string")
    for i, entry in enumerate(_list(node.get("x-acs-error-codes"))):
        if not isinstance(_dict(entry).get("code"), str):
            diag.error(
                join_pointer(pointer, "x-acs-error-codes", i), "an x-acs-error-codes entry needs a string 'code'"
            )


def _check_parameter(pointer: str, param: Any, diag: Collector, covered: Covered) -> None:
    """A parameter (not a reference: its target is checked where it is defined) has a schema or a content."""
    if isinstance(param, dict) and "$ref" not in param and "schema" not in param and "content" not in param:
        diag.error(
            pointer,
            f"parameter {param.get('name')!r} has neither a schema nor a content, so its type is unknown",
            "add a schema, e.g. schema: {type: string}",
        )
        covered.add(pointer)


def _check_path_template(
    doc: dict[str, Any], pointer: str, path: str, operation: dict[str, Any], diag: Collector, covered: Covered
) -> None:
    """Every {name} in the path is an `in: path` parameter, and every such parameter is in the path."""
    template = path.split("#", 1)[0]
    names = re.findall(r"{([^}]*)}", template)
    path_item = _dict(deref(doc, doc["paths"][path]))
    params = _params(doc, operation, pointer) + _params(doc, path_item, pointer.rsplit("/", 1)[0])
    declared = {param.get("name"): where for where, param in reversed(params) if param.get("in") == "path"}
    for name in names:
        if name not in declared:
            diag.error(pointer, f"path template parameter {{{name}}} is not declared as an 'in: path' parameter")
    for name, where in declared.items():
        if name not in names:
            diag.error(where, f"path parameter {name!r} does not appear in the path {template!r}")


def _params(doc: dict[str, Any], owner: dict[str, Any], pointer: str) -> list[tuple[str, dict[str, Any]]]:
    """(pointer, parameter) of an operation's or path item's parameters, references resolved."""
    found = [
        (join_pointer(pointer, "parameters", i), deref(doc, p)) for i, p in enumerate(_list(owner.get("parameters")))
    ]
    return [(where, param) for where, param in found if isinstance(param, dict)]


def _check_schemas(doc: dict[str, Any], diag: Collector, covered: Covered) -> None:
    """Every schema in the document: known types, arrays have items, satisfiable `required`, bounded nesting."""
    is_31 = str(doc.get("openapi", "")).startswith("3.1")
    rules = _SchemaRules(JSON_TYPES if is_31 else JSON_TYPES - {"null"}, covered, items_required=not is_31)
    for pointer, schema in schema_roots(doc):
        try:
            if isinstance(schema, dict):
                _check_schema(pointer, schema, 0, diag, rules)
        except _TooDeep:
            diag.error(
                pointer,
                f"the schema is nested deeper than {MAX_SCHEMA_DEPTH} levels",
                "name inner schemas in components/schemas and $ref them",
            )


class _SchemaRules(NamedTuple):
    """What a schema may say in this document's OpenAPI version."""

    types: frozenset[str]
    covered: Covered
    items_required: bool  # OpenAPI 3.0 requires items on arrays; in 3.1 (JSON Schema) they default to anything


class _TooDeep(Exception):
    """A schema's nesting went past the bound."""


def _check_schema(
    pointer: str, schema: dict[str, Any], depth: int, diag: Collector, rules: _SchemaRules
) -> None:
    """One schema and its subschemas (references are checked where they point)."""
    if depth > MAX_SCHEMA_DEPTH:
        raise _TooDeep
    kind = schema.get("type")
    _check_type(pointer, kind, diag, rules.types, rules.covered)
    _check_required(pointer, schema, diag)
    if (
        (kind == "array" or (isinstance(kind, list) and "array" in kind))
        and "items" not in schema
        and "prefixItems" not in schema
    ):
        if rules.items_required:
            diag.error(
                pointer,
                "schema of type array has no items, so its element type is unknown (OpenAPI 3.0 requires items)",
                "add items, e.g. items: {type: string}",
            )
        else:
            diag.warning(pointer, "array without items: its elements are typed Any", "add items, e.g. items: {type: string}")
    for key in SUBSCHEMA_KEYWORDS:
        sub = schema.get(key)
        if isinstance(sub, dict):
            _check_schema(f"{pointer}/{key}", sub, depth + 1, diag, rules)
    for key in SUBSCHEMA_LISTS + ("items",):
        for i, sub in enumerate(_list(schema.get(key))):
            if isinstance(sub, dict):
                _check_schema(f"{pointer}/{key}/{i}", sub, depth + 1, diag, rules)
    for key in SUBSCHEMA_MAPS:
        for name, sub in _dict(schema.get(key)).items():
            if isinstance(sub, dict):
                _check_schema(join_pointer(pointer, key, name), sub, depth + 1, diag, rules)


def _check_type(pointer: str, kind: Any, diag: Collector, types: frozenset[str], covered: Covered) -> None:
    """`type` names JSON types only (a misspelt type would silently become `Any`)."""
    if kind is not None and not isinstance(kind, (str, list)):
        covered.add(join_pointer(pointer, "type"))
        diag.error(join_pointer(pointer, "type"), f"type must be a type name or a list of them, not a {type(kind).__name__}")
        return
    for name in kind if isinstance(kind, list) else [kind]:
        if isinstance(name, str) and name not in types:
            near = difflib.get_close_matches(name, sorted(types), n=1)
            hint = f"did you mean {near[0]!r}?" if near else f"use one of {', '.join(sorted(types))}"
            where = join_pointer(pointer, "type", *([kind.index(name)] if isinstance(kind, list) else []))
            covered.update({where, join_pointer(pointer, "type")})
            diag.error(where, f"unknown schema type {name!r}", hint)


def _check_required(pointer: str, schema: dict[str, Any], diag: Collector) -> None:
    """A property that is required but can never be present makes every value invalid: say so (a warning: the
    models leave the impossible requirement out, and the rest of the spec is still worth a client)."""
    props = schema.get("properties")
    if schema.get("additionalProperties") is not False or not isinstance(props, dict) or "allOf" in schema:
        return
    for i, name in enumerate(_list(schema.get("required"))):
        if isinstance(name, str) and name not in props:
            diag.warning(
                join_pointer(pointer, "required", i),
                f"required property {name!r} is not among the properties and additionalProperties is false, "
                "so no value can ever satisfy this schema; the models do not require it",
                "add the property, or drop it from required",
            )


def schema_roots(doc: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(pointer, schema) of every top-level schema: components, parameters, bodies, responses, headers."""
    components = _dict(doc.get("components"))
    for name, schema in _dict(components.get("schemas")).items():
        yield join_pointer("/components/schemas", name), schema
    for section in ("parameters", "headers", "requestBodies", "responses"):
        for name, node in _dict(components.get(section)).items():
            yield from _holder_schemas(join_pointer("/components", section, name), node)
    for section in ("paths", "webhooks"):
        for path, item in _dict(doc.get(section)).items():
            item_pointer = join_pointer("/" + section, path)
            item = _dict(item)
            for i, param in enumerate(_list(item.get("parameters"))):
                yield from _holder_schemas(join_pointer(item_pointer, "parameters", i), param)
            for method in HTTP_METHODS:
                yield from _operation_schemas(join_pointer(item_pointer, method), _dict(item.get(method)))


def _operation_schemas(pointer: str, operation: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Schemas an operation holds inline: parameters, request body, responses."""
    for i, param in enumerate(_list(operation.get("parameters"))):
        yield from _holder_schemas(join_pointer(pointer, "parameters", i), param)
    yield from _holder_schemas(join_pointer(pointer, "requestBody"), operation.get("requestBody"))
    for code, response in _dict(operation.get("responses")).items():
        yield from _holder_schemas(join_pointer(pointer, "responses", code), response)


def _holder_schemas(pointer: str, node: Any) -> Iterator[tuple[str, Any]]:
    """Schemas of a parameter, header, request body or response: `schema`, `content/*/schema`, `headers/*`."""
    node = _dict(node)
    if "$ref" in node:
        return
    if "schema" in node:
        yield join_pointer(pointer, "schema"), node["schema"]
    for media_type, media in _dict(node.get("content")).items():
        if "schema" in _dict(media):
            yield join_pointer(pointer, "content", media_type, "schema"), media["schema"]
    for name, header in _dict(node.get("headers")).items():
        yield from _holder_schemas(join_pointer(pointer, "headers", name), header)
