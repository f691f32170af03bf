"""Models through datamodel-code-generator's public API, with class names checked against ours."""

from __future__ import annotations

import ast
import json
from typing import Any

from . import ir
from .diagnostics import Collector, SpecError

SCHEMAS_PREFIX = "#/components/schemas/"

# Options that shape the generated models; changing any of them changes the golden files.
MODEL_OPTIONS: dict[str, Any] = {
    "snake_case_field": True,
    "disable_timestamp": True,
    "use_schema_description": True,
    "use_field_description": True,
    "use_annotated": True,
    "use_standard_collections": True,
    "use_union_operator": True,
    "target_python_version": "3.10",
    "formatters": [],
    "keep_model_order": True,
}


OUTPUT_TYPES = {
    "pydantic": ("pydantic_v2.BaseModel", {"extra_fields": "allow", "allow_population_by_field_name": True}),
    "dataclasses": ("dataclasses.dataclass", {}),
    "typeddict": ("typing.TypedDict", {"snake_case_field": False, "target_python_version": "3.11"}),
}


def render_models(doc: dict[str, Any], api: ir.Api, diag: Collector, header: str, kind: str) -> str:
    """Python source of the models module (pydantic, dataclasses or TypedDict) for every component schema."""
    from datamodel_code_generator import DataModelType, InputFileType, generate

    output_type, extra = OUTPUT_TYPES[kind]
    if not api.models:
        return f'"""{header}"""\n'
    renamed = _components_only(doc, {m.schema_name: m.class_name for m in api.models})
    try:
        source = generate(
            json.dumps(renamed, ensure_ascii=False),
            input_file_type=InputFileType.OpenAPI,
            output_model_type=DataModelType(output_type),
            custom_file_header=f'"""{header}"""',
            **{**MODEL_OPTIONS, **extra},
        )
    except Exception as exc:  # the library's own errors are spec problems from the user's view
        diag.error("/components/schemas", f"datamodel-code-generator failed: {type(exc).__name__}: {exc}")
        raise SpecError(diag.items) from None
    assert isinstance(source, str)
    _check_names(source, api, diag, wire_keys=kind == "typeddict")
    return source


def _components_only(doc: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """A minimal OpenAPI document holding the component schemas under their Python class names."""
    schemas = json.loads(json.dumps((doc.get("components") or {}).get("schemas") or {}))
    _rewrite_refs(schemas, names)
    return {
        "openapi": doc.get("openapi", "3.0.3"),
        "info": {"title": "models", "version": "0"},
        "paths": {},
        "components": {"schemas": {names[k]: v for k, v in schemas.items()}},
    }


def _rewrite_refs(node: Any, names: dict[str, str]) -> None:
    """Point every schema reference at the renamed component, in place."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(SCHEMAS_PREFIX):
            target = ref[len(SCHEMAS_PREFIX):].replace("~1", "/").replace("~0", "~")
            node["$ref"] = SCHEMAS_PREFIX + names.get(target, target)
        for value in node.values():
            _rewrite_refs(value, names)
    elif isinstance(node, list):
        for item in node:
            _rewrite_refs(item, names)


def _check_names(source: str, api: ir.Api, diag: Collector, wire_keys: bool) -> None:
    """Every model class and object field we named must exist under that name (or wire key) in the output."""
    tree = ast.parse(source)
    own = {
        node.name: {
            stmt.target.id
            for stmt in node.body
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)
        }
        for node in tree.body
        if isinstance(node, ast.ClassDef)
    }
    bases = {
        node.name: [b.id for b in node.bases if isinstance(b, ast.Name)]
        for node in tree.body
        if isinstance(node, ast.ClassDef)
    }

    def inherited(name: str, seen: frozenset[str] = frozenset()) -> set[str]:
        """Annotated fields of a class and of its bases defined in the module."""
        found = set(own.get(name, ()))
        for base in bases.get(name, ()):
            if base in own and base not in seen:
                found |= inherited(base, seen | {name})
        return found

    classes = {name: inherited(name) for name in own}
    aliases = {
        node.target.id for node in tree.body if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
    } | {t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets if isinstance(t, ast.Name)}
    for model in api.models:
        if model.class_name in aliases and not model.fields:
            continue  # an enum or scalar emitted as a type alias (TypedDict output)
        if model.class_name not in classes:
            diag.error(f"/components/schemas/{model.schema_name}", f"datamodel-code-generator did not emit class {model.class_name}")
            continue
        for field in model.fields:
            if wire_keys and not field.wire_name.isidentifier():
                continue  # TypedDict's functional form: keys are strings, not annotations
            expected = field.wire_name if wire_keys else field.python_name
            if expected not in classes[model.class_name]:
                diag.error(
                    f"/components/schemas/{model.schema_name}/properties/{field.wire_name}",
                    f"datamodel-code-generator named field {field.wire_name!r} differently from {expected!r}",
                )
    diag.raise_if_errors()
