"""Validate a loaded spec: OpenAPI version, references, the OpenAPI schema, then our own rules."""

from __future__ import annotations

import re
from typing import Any, Iterator

from .diagnostics import Collector, SpecError, join_pointer
from .loader import LoadedSpec

SUPPORTED = re.compile(r"^3\.[01]\.\d+$")
MAX_SCHEMA_ERRORS = 50
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def validate_spec(spec: LoadedSpec) -> Collector:
    """Run every check; raise SpecError listing all errors, else return the collector (warnings)."""
    diag = Collector(spec.display_name, spec.lines)
    _check_version(spec.data, diag)
    diag.raise_if_errors()
    _check_refs(spec.data, diag)
    diag.raise_if_errors()
    _check_openapi_schema(spec.data, diag)
    _check_operations(spec.data, diag)
    diag.raise_if_errors()
    return diag


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
        diag.error("/openapi", f"unsupported OpenAPI version {version!r}; supported: 3.0.x and 3.1.x")


def _looks_like(doc: dict[str, Any]) -> str:
    """Describe a mapping that is not OpenAPI."""
    if "$schema" in doc or ("properties" in doc and "type" in doc):
        return "it looks like a JSON Schema"
    if "asyncapi" in doc:
        return "it looks like an AsyncAPI document"
    keys = ", ".join(sorted(doc)[:5])
    return f"top-level keys: {keys}" if keys else "the mapping is empty"


def iter_refs(node: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    """Yield (pointer of the $ref member, its value) for every reference in the document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield join_pointer(pointer, key), value
            else:
                yield from iter_refs(value, join_pointer(pointer, key))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from iter_refs(item, join_pointer(pointer, i))


def resolve_pointer(doc: Any, ref: str) -> Any:
    """Resolve a local `#/a/b` reference; raise KeyError when it points nowhere."""
    node = doc
    for raw in ref[2:].split("/") if ref != "#" else []:
        token = raw.replace("~1", "/").replace("~0", "~")
        token = re.sub(r"%([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), token)
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise KeyError(ref)
    return node


def _check_refs(doc: dict[str, Any], diag: Collector) -> None:
    """Every $ref is local, resolves, and does not loop through bare references."""
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
    """Follow a chain of bare references, reporting dangling targets and cycles."""
    seen = [ref]
    while True:
        try:
            target = resolve_pointer(doc, ref)
        except KeyError:
            hint = "the chain was " + " → ".join(seen) if len(seen) > 1 else None
            diag.error(pointer, f"$ref {seen[0]!r} points to nothing ({ref} does not exist)", hint)
            return
        if not (isinstance(target, dict) and isinstance(target.get("$ref"), str) and target["$ref"].startswith("#")):
            return
        ref = target["$ref"]
        if ref in seen:
            diag.error(pointer, "$ref cycle that never resolves: " + " → ".join(seen + [ref]))
            return
        seen.append(ref)


def _check_openapi_schema(doc: dict[str, Any], diag: Collector) -> None:
    """Run openapi-spec-validator and turn its findings into located diagnostics."""
    from jsonschema.exceptions import best_match
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    validator_class = OpenAPIV31SpecValidator if str(doc["openapi"]).startswith("3.1") else OpenAPIV30SpecValidator
    try:
        for count, error in enumerate(validator_class(doc).iter_errors()):
            if count >= MAX_SCHEMA_ERRORS:
                diag.error("", f"more than {MAX_SCHEMA_ERRORS} schema errors; fix these first")
                break
            detail = best_match(error.context) if getattr(error, "context", None) else error
            path = list(getattr(detail, "absolute_path", None) or getattr(error, "path", []))
            diag.error(join_pointer("", *path), "not valid OpenAPI: " + _short(detail.message))
    except Exception as exc:  # the validator crashes on some malformed inputs; report, never trace
        diag.error("", f"not valid OpenAPI: {type(exc).__name__}: {_short(str(exc))}")


def _short(text: str, limit: int = 200) -> str:
    """One line, bounded."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def iter_operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """Yield (pointer, path, method, operation) in document order."""
    for path, item in (doc.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                yield join_pointer("/paths", path, method), path, method, operation


def _check_operations(doc: dict[str, Any], diag: Collector) -> None:
    """Rules beyond the OpenAPI schema that code generation depends on."""
    owners: dict[str, str] = {}
    rpc = doc.get("x-acs-api-style") == "RPC"
    for pointer, path, _method, operation in iter_operations(doc):
        op_id = operation.get("operationId")
        if isinstance(op_id, str):
            if op_id in owners:
                diag.error(join_pointer(pointer, "operationId"), f"duplicate operationId {op_id!r} (also at {owners[op_id]})")
            owners.setdefault(op_id, pointer)
        if rpc and not isinstance(operation.get("x-acs-action"), str):
            diag.error(pointer, "RPC-style spec: operation has no x-acs-action naming its action")
        if "responses" not in operation and str(doc["openapi"]).startswith("3.0"):
            diag.error(pointer, "operation has no responses")
        declared = {p.get("name") for p in _params(doc, operation) if p.get("in") == "path"}
        declared |= {p.get("name") for p in _params(doc, doc["paths"][path]) if p.get("in") == "path"}
        for name in re.findall(r"{([^}]*)}", path.split("#", 1)[0]):
            if name not in declared:
                diag.error(pointer, f"path template parameter {{{name}}} is not declared as an 'in: path' parameter")


def _params(doc: dict[str, Any], owner: dict[str, Any]) -> list[dict[str, Any]]:
    """Parameters of an operation or path item with references resolved."""
    result = []
    for param in owner.get("parameters") or []:
        if isinstance(param, dict) and "$ref" in param:
            param = resolve_pointer(doc, param["$ref"])
        if isinstance(param, dict):
            result.append(param)
    return result
