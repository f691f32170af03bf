"""The symbol table lists every name generated modules import or define, and the name authority's
reserved words come from it: checked against every committed generated tree (generated/ and the
fixture goldens), so a template or library change that brings in a new name fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from acs_sdkgen.ir import symbols
from acs_sdkgen.ir.names import NameAuthority
from acs_sdkgen.runtime import __all__ as runtime_all

ROOT = Path(__file__).resolve().parents[2]
TREES = [ROOT / "generated", *sorted((ROOT / "tests" / "fixtures").glob("*/golden"))]
KINDS = {"pydantic": "pydantic", "dataclasses": "dataclasses", "typeddict": "typeddict"}


def packages() -> list[tuple[str, Path]]:
    """(model kind, package directory) of every committed generated package."""
    found = []
    for tree in TREES:
        for flavor, kind in KINDS.items():
            found += [(kind, init.parent) for init in sorted((tree / flavor).glob("*/__init__.py"))]
    return found


def imported_names(module: ast.Module) -> tuple[set[str], set[str]]:
    """Names a module imports from outside its package, and those it imports relatively."""
    absolute, relative = set(), set()
    for node in ast.walk(module):
        if isinstance(node, ast.ImportFrom):
            names = {alias.asname or alias.name for alias in node.names}
            (relative if node.level else absolute).update(names)
        elif isinstance(node, ast.Import):
            absolute.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return absolute, relative


def defined_names(module: ast.Module) -> set[str]:
    """Names a module defines at its top level."""
    names = set()
    for node in module.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


@pytest.mark.parametrize(("kind", "package"), packages(), ids=lambda v: v if isinstance(v, str) else v.name)
def test_every_name_generated_code_brings_in_is_listed(kind: str, package: Path) -> None:
    """Template modules import only listed names; model modules only their kind's library names."""
    model_modules = sorted(p for p in (package / "models").glob("_*.py") if p.name != "__init__.py")
    own_classes = set()
    for path in [*model_modules, package / "errors.py"]:
        own_classes |= defined_names(ast.parse(path.read_text()))
    listed = symbols.TEMPLATE_IMPORTS | symbols.TEMPLATE_DEFINES | set(runtime_all)
    for path in sorted(package.glob("*.py")) + [package / "models" / "__init__.py"]:
        absolute, relative = imported_names(ast.parse(path.read_text()))
        unlisted = (absolute | relative) - listed - own_classes - {"models", "__future__"}
        assert not unlisted, f"{path.relative_to(ROOT)} brings in names the symbol table does not list: {sorted(unlisted)}"
    for path in model_modules:
        absolute, _ = imported_names(ast.parse(path.read_text()))
        unlisted = absolute - symbols.MODEL_LIBRARY_IMPORTS[kind] - {"annotations"}
        assert not unlisted, f"{path.relative_to(ROOT)} imports {sorted(unlisted)}: add them to MODEL_LIBRARY_IMPORTS"


def test_template_names_imported_from_the_runtime_are_its_exports() -> None:
    """What templates take from `._runtime` is in `runtime.__all__` or listed as a submodule import."""
    runtime_submodule_imports = {"Registry", "RestOperation", "SyncRestAPIClient", "AsyncRestAPIClient", "decode", "encode"}
    assert runtime_submodule_imports <= symbols.TEMPLATE_DEFINES
    for template in sorted((ROOT / "templates").rglob("*.jinja")):
        for line in template.read_text().splitlines():
            stripped = line.strip()
            if stripped.startswith("from ._runtime import"):
                names = {n.strip() for n in stripped.split("import", 1)[1].replace("{{", "").split(",")}
                literal = {n for n in names if n.isidentifier()}
                assert literal <= set(runtime_all), f"{template.name}: {sorted(literal - set(runtime_all))}"


def test_reserved_words_derive_from_the_table() -> None:
    """The authority renames a class, field or parameter that would take a listed name."""
    names = NameAuthority()
    for taken in ("Mapping", "cast", "Any", "SyncAPIClient", "Registry", "BaseModel", "TypedDict", "Decimal", "Path"):
        assert names.class_name(taken, f"/components/schemas/{taken}") != taken
    assert names.fields([("model_dump", "/a"), ("dict", "/b"), ("items", "/c"), ("keys", "/d")]) == [
        "model_dump_",
        "dict_",
        "items",
        "keys",
    ]
    assert names.parameters([("timeout", "/p"), ("body", "/q"), ("cast", "/r"), ("limit", "/s")]) == [
        "timeout_",
        "body_",
        "cast_",
        "limit",
    ]


def test_field_reservations_are_per_model_kind() -> None:
    """Only pydantic reserves its BaseModel attributes; builtin type names are reserved for every kind."""
    assert "model_dump" in symbols.field_names(("pydantic",))
    assert "model_dump" not in symbols.field_names(("dataclasses",))
    assert "str" in symbols.field_names(("dataclasses",))
    assert symbols.field_names() == symbols.field_names(("pydantic", "dataclasses", "typeddict"))
