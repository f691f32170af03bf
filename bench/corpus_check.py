"""Import and coverage check of one generated SDK package, run by corpus.py in a fresh interpreter.

Usage: python -P corpus_check.py PACKAGE DOCS_DIR (with PYTHONPATH set to the flavor directory).
Prints one JSON object: the names loaded, the errors met, and the operations each client covers.
"""

from __future__ import annotations

import importlib
import json
import re
import sys
import traceback
import typing
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any

MAX_ERRORS = 20
DOC_OPERATION = re.compile(r"^`([A-Z]+) ([^`]*)` \(operation", re.M)
DOC_METHOD = re.compile(r"Client\.(\w+)\(")


def error(stage: str, name: str, exc: BaseException) -> dict[str, str]:
    """One failure as data: the stage, the name and the exception with its innermost frame."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    return {"stage": stage, "name": name, "error": f"{type(exc).__name__}: {exc}"[:500], "where": where}


def load_names(module: ModuleType, errors: list[dict[str, str]]) -> dict[str, Any]:
    """getattr every name of `__all__`; the objects that loaded, by name."""
    loaded = {}
    for name in getattr(module, "__all__", []):
        try:
            loaded[name] = getattr(module, name)
        except Exception as exc:  # noqa: BLE001 - every failure is a finding
            errors.append(error("getattr", f"{module.__name__}.{name}", exc))
    return loaded


def check_models(models: dict[str, Any], errors: list[dict[str, str]]) -> None:
    """Resolve the annotations of every model class (pydantic: model_rebuild), as first use would."""
    for name, obj in models.items():
        if not isinstance(obj, type):
            continue
        try:
            if hasattr(obj, "model_rebuild"):
                obj.model_rebuild()
            else:
                typing.get_type_hints(obj)
        except Exception as exc:  # noqa: BLE001
            stage = "model_rebuild" if hasattr(obj, "model_rebuild") else "type-hints"
            errors.append(error(stage, name, exc))


def code_names(code: CodeType) -> set[str]:
    """Global and attribute names used by a function, its nested functions included."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, CodeType):
            names |= code_names(const)
    return names


def operation_table(package: str) -> dict[str, str]:
    """`_operations` constants that carry an HTTP method and path: constant name -> "METHOD /path"."""
    try:
        module = importlib.import_module(f"{package}._operations")
    except ImportError:
        return {}
    return {
        name: f"{str(obj.method).upper()} {obj.path}"
        for name, obj in vars(module).items()
        if hasattr(obj, "method") and hasattr(obj, "path")
    }


def covered_by_code(client: type, table: dict[str, str]) -> list[tuple[str, str]]:
    """("METHOD /path", method) for each operation constant that a public method of the client refers to."""
    covered = {}
    for attr, value in vars(client).items():
        code = getattr(value, "__code__", None)
        if attr.startswith("_") or code is None:
            continue
        for name in code_names(code) & table.keys():
            covered[name] = attr
    return sorted((table[name], attr) for name, attr in covered.items())


def covered_by_docs(client: type, docs: Path) -> list[tuple[str, str]]:
    """Fallback: the operation pages name "METHOD /path" and `Client.method(`; the method must exist."""
    covered = []
    for page in sorted(docs.glob("*.md")):
        text = page.read_text(encoding="utf-8")
        operation, method = DOC_OPERATION.search(text), DOC_METHOD.search(text)
        if operation and method and callable(getattr(client, method.group(1), None)):
            covered.append((f"{operation.group(1)} {operation.group(2)}", method.group(1)))
    return covered


def main(package: str, docs: str) -> dict[str, Any]:
    """Import the package, load its names and its models', and map each client to its operations."""
    errors: list[dict[str, str]] = []
    result: dict[str, Any] = {"package": package, "errors": errors, "clients": {}}
    try:
        module = importlib.import_module(package)
    except Exception as exc:  # noqa: BLE001
        errors.append(error("import", package, exc))
        return result
    names = load_names(module, errors)
    try:
        models = load_names(importlib.import_module(f"{package}.models"), errors)
    except Exception as exc:  # noqa: BLE001
        errors.append(error("import", f"{package}.models", exc))
        models = {}
    check_models(models, errors)
    result["names"], result["models"] = len(names), len(models)
    table = operation_table(package)
    for client_name in ("Client", "AsyncClient"):
        client = names.get(client_name)
        if isinstance(client, type):
            covered = covered_by_code(client, table) if table else covered_by_docs(client, Path(docs))
            result["clients"][client_name] = {"via": "_operations" if table else "docs", "covered": covered}
    del errors[MAX_ERRORS:]
    return result


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
