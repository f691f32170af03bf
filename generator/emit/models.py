"""Models through datamodel-code-generator's public API, with class names checked against ours, cached."""

from __future__ import annotations

import ast
import json
import keyword
import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from .. import cache
from ..diagnostics import Collector, SpecError, escape_pointer_token
from ..ir import tree as ir
from .model_modules import ModelModules, split_models

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
    "keep_model_order": False,  # dependency order: enum defaults and base classes come first
    "set_default_enum_member": True,
    # `email` would need the email-validator package at run time: keep such strings plain.
    # `password` would become SecretStr, which serialises as "**********": requests must send the value.
    # `ulid` would import the third-party `ulid` package, which the SDK does not depend on.
    "type_mappings": ["string+email=iri", "string+idn-email=iri", "string+password=iri", "string+ulid=iri"],
}


OUTPUT_TYPES = {
    "pydantic": ("pydantic_v2.BaseModel", {"extra_fields": "allow", "allow_population_by_field_name": True}),
    "dataclasses": ("dataclasses.dataclass", {}),
    "typeddict": (
        "typing.TypedDict",
        {"snake_case_field": False, "target_python_version": "3.11", "use_closed_typed_dict": False},
    ),
}


class ModelsPass:
    """The models package of each kind a run needs: cache hits at once, the rest in worker processes.

    The workers (forked, where the platform can fork and has more than one core) run while the caller
    renders templates and docs; `get` waits for one kind and raises its SpecError, if any.
    """

    def __init__(self, api: ir.Api, diag: Collector, header: str, kinds: Iterable[str]) -> None:
        self._ready: dict[str, ModelModules] = {}
        self._pending: dict[str, Future[ModelModules]] = {}
        self._pool: ProcessPoolExecutor | None = None
        document = _models_document(api)  # the same for every kind
        parts = {kind: _cache_parts(api, header, kind, document) for kind in kinds}
        misses = []
        for kind in parts:
            hit = cache.load("models", *parts[kind])
            if hit is None:
                misses.append(kind)
            else:
                data = json.loads(hit)
                self._ready[kind] = ModelModules(data["sources"], data["owners"])
        if misses and (os.cpu_count() or 1) > 1 and "fork" in multiprocessing.get_all_start_methods():
            self._pool = ProcessPoolExecutor(min(len(misses), os.cpu_count() or 1), mp_context=multiprocessing.get_context("fork"))
            self._pending = {kind: self._pool.submit(_model_modules, api, diag, parts[kind]) for kind in misses}
        else:
            self._ready.update({kind: _model_modules(api, diag, parts[kind]) for kind in misses})

    def __enter__(self) -> ModelsPass:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def get(self, kind: str) -> ModelModules:
        """The models package of `kind` (datamodel-code-generator's output type)."""
        if kind not in self._ready:
            self._ready[kind] = self._pending.pop(kind).result()
        return self._ready[kind]


def _cache_parts(api: ir.Api, header: str, kind: str, document: str) -> tuple[str, str, str, str]:
    """Everything the models package of `kind` depends on (besides the generator's code): kind, header,
    forced field names and the models document."""
    return (kind, header, json.dumps(_aliases(api, wire_keys=kind == "typeddict"), sort_keys=True), document)


def _model_modules(api: ir.Api, diag: Collector, parts: tuple[str, str, str, str]) -> ModelModules:
    """The models package that `parts` (see `_cache_parts`) describe, computed and cached."""
    kind, header, _, document = parts
    modules = split_models(render_models(api, diag, header, kind, document), header)
    cache.store("models", parts, json.dumps({"sources": modules.sources, "owners": modules.owners}))
    return modules


def render_models(api: ir.Api, diag: Collector, header: str, kind: str, document: str) -> str:
    """Python source of the models module (pydantic, dataclasses or TypedDict) for every model of the IR."""
    from datamodel_code_generator import DataModelType, InputFileType, generate

    output_type, extra = OUTPUT_TYPES[kind]
    if not api.models:
        return f'"""{header}"""\n'
    try:
        source = generate(
            document,
            input_file_type=InputFileType.OpenAPI,
            output_model_type=DataModelType(output_type),
            custom_file_header=f'"""{header}"""',
            **{**MODEL_OPTIONS, **extra, "aliases": _aliases(api, wire_keys=kind == "typeddict")},
        )
    except Exception as exc:  # the library's own errors are spec problems from the user's view
        diag.error("/components/schemas", f"datamodel-code-generator failed: {type(exc).__name__}: {exc}")
        raise SpecError(diag.items) from None
    assert isinstance(source, str)
    source = _functional_typeddicts(source, api) if kind == "typeddict" else source
    _check_names(source, api, diag, kind)
    return _open_enums(source) if kind == "pydantic" else _track_fields(source) if kind == "dataclasses" else source


OPEN_ENUM = '''
    @classmethod
    def _missing_(cls, value: {object}) -> {name} | None:
        """Accept a value the spec does not list yet: newer services may send it."""
        if not isinstance(value, {value_type}):
            return None
        member = {new}
        object.__setattr__(member, "_name_", "UNKNOWN")
        object.__setattr__(member, "_value_", value)
        return member
'''
# Enum base → (accepted value type, how to make a pseudo-member).
ENUM_BASES = {
    "Enum": ("(str, int, float)", "object.__new__(cls)"),
    "IntEnum": ("int", "int.__new__(cls, value)"),
    "StrEnum": ("str", "str.__new__(cls, value)"),
}


def _open_enums(source: str) -> str:
    """Give every Enum a `_missing_` hook so responses with new values still validate."""
    lines = source.splitlines(keepends=True)
    tree = ast.parse(source)
    enums = [
        node
        for node in tree.body
        if isinstance(node, ast.ClassDef) and any(isinstance(b, ast.Name) and b.id in ENUM_BASES for b in node.bases)
    ]
    shadowing = {node.name for node in enums if "object" in _member_names(node)}
    for node in sorted(enums, key=lambda n: -(n.end_lineno or 0)):
        base = next(b.id for b in node.bases if isinstance(b, ast.Name) and b.id in ENUM_BASES)
        value_type, new = ENUM_BASES[base]
        builtin = "builtins.object" if node.name in shadowing else "object"
        hook = OPEN_ENUM.format(name=node.name, value_type=value_type, new=new, object=builtin)
        lines.insert(node.end_lineno or len(lines), hook)
    if shadowing:  # a member named `object` hides the builtin in the hook's annotation (mypy reads it in the class)
        imports = (n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom)))
        first = next(n for n in imports if getattr(n, "module", None) != "__future__")
        lines.insert(first.lineno - 1, "import builtins\n")
    return "".join(lines)


def _member_names(node: ast.ClassDef) -> set[str]:
    """Names assigned in a class body (an enum's members)."""
    return {t.id for stmt in node.body if isinstance(stmt, ast.Assign) for t in stmt.targets if isinstance(t, ast.Name)}


def _functional_typeddicts(source: str, api: ir.Api) -> str:
    """Rewrite as `Name = TypedDict("Name", {...})` each TypedDict with a `__`-prefixed key: the library renames
    such a key (`field__type`), and in a class body Python would mangle it; the functional form keeps it."""
    mangled = {
        m.class_name: {f.wire_name for f in m.fields} for m in api.models if any(f.wire_name.startswith("__") for f in m.fields)
    }
    lines = source.splitlines(keepends=True)
    tree = ast.parse(source)
    for node in sorted(tree.body, key=lambda n: -n.lineno):
        keys = mangled.get(getattr(node, "name", ""))
        if not isinstance(node, ast.ClassDef) or keys is None or [ast.unparse(b) for b in node.bases] != ["TypedDict"]:
            continue
        fields = [stmt for stmt in node.body if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)]
        wire = [_wire_key(stmt.target.id, keys) for stmt in fields if isinstance(stmt.target, ast.Name)]
        if None in wire:
            continue  # left to the name check, which reports it
        items = ", ".join(f"{json.dumps(key)}: {ast.unparse(stmt.annotation)}" for key, stmt in zip(wire, fields))
        options = "".join(f", {ast.unparse(k)}" for k in node.keywords)
        text = f"{node.name} = TypedDict({json.dumps(node.name)}, {{{items}}}{options})\n"
        lines[node.lineno - 1 : node.end_lineno] = [text]
    return "".join(lines)


def _wire_key(name: str, keys: set[str]) -> str | None:
    """The wire key a TypedDict field stands for: itself, or a key the library prefixed with `field`."""
    return name if name in keys else name[len("field") :] if name.startswith("field") and name[len("field") :] in keys else None


TRACK_FIELDS = "from .._runtime.wire import track_fields\n"


def _track_fields(source: str) -> str:
    """Decorate every dataclass with the runtime's `track_fields`: an explicit None is then sent as null."""
    lines = source.splitlines(keepends=True)
    tree = ast.parse(source)
    classes = [node for node in tree.body if isinstance(node, ast.ClassDef) and node.decorator_list]
    for node in sorted(classes, key=lambda n: -n.lineno):
        lines.insert(min(d.lineno for d in node.decorator_list) - 1, "@track_fields\n")
    if classes:
        body = next(n for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom, ast.Expr)))
        lines.insert(min([body.lineno, *(d.lineno for d in getattr(body, "decorator_list", []))]) - 1, TRACK_FIELDS)
    return "".join(lines)


def _aliases(api: ir.Api, wire_keys: bool) -> dict[str, str]:
    """Field names forced onto datamodel-code-generator (`Class.wire` → name): the name authority's, or for
    TypedDicts the wire key itself wherever it is an identifier (the library would turn `_links` into
    `field_links`, a key the service never sends); other keys make it use the functional syntax."""
    if wire_keys:
        return {
            f"{m.class_name}.{f.wire_name}": f.wire_name
            for m in api.models
            for f in m.fields
            if f.wire_name.isidentifier() and not keyword.iskeyword(f.wire_name) and not f.wire_name.startswith("__")
        }
    return {f"{m.class_name}.{f.wire_name}": f.python_name for m in api.models for f in m.fields}


def _models_document(api: ir.Api) -> str:
    """A minimal OpenAPI document (JSON text) holding every model's schema under its class name."""
    models = api.models_by_name
    schemas = ", ".join(f"{json.dumps(name)}: {models[name].schema}" for name in api.model_order)
    info = '"info": {"title": "models", "version": "0"}, "paths": {}'
    return f'{{"openapi": {json.dumps(api.openapi_version)}, {info}, "components": {{"schemas": {{{schemas}}}}}}}'


def _declared_fields(tree: ast.Module) -> dict[str, set[str]]:
    """Fields each class of the module declares itself: annotated names, or a functional TypedDict's keys."""
    own: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            own[node.name] = {
                stmt.target.id for stmt in node.body if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)
            }
        elif (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name)
            and node.value.func.id == "TypedDict"
            and len(node.value.args) == 2
            and isinstance(node.value.args[1], ast.Dict)
        ):
            keys = node.value.args[1].keys
            own[node.targets[0].id] = {k.value for k in keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
    return own


def _check_names(source: str, api: ir.Api, diag: Collector, kind: str) -> None:
    """Every model class and object field we named must exist under that name (or wire key) in the output."""
    tree = ast.parse(source)
    own = _declared_fields(tree)
    bases = {
        node.name: [b.id for b in node.bases if isinstance(b, ast.Name)]
        for node in tree.body
        if isinstance(node, ast.ClassDef)
    }

    def inherited(name: str, seen: frozenset[str] = frozenset()) -> set[str]:
        """Declared fields of a class and of its bases defined in the module."""
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
        origin = model.origin
        if model.class_name not in classes:
            if model.class_name not in aliases:
                diag.error(origin, f"datamodel-code-generator did not emit class {model.class_name} ({kind} models)")
            continue  # a type alias: no fields to compare
        for field in model.fields:
            expected = field.wire_name if kind == "typeddict" else field.python_name
            if expected not in classes[model.class_name]:
                diag.error(
                    f"{origin}/properties/{escape_pointer_token(field.wire_name)}",
                    f"datamodel-code-generator named field {field.wire_name!r} of {model.class_name} "
                    f"differently from {expected!r} ({kind} models)",
                )
    diag.raise_if_errors()
