"""One installable SDK per flavor: package modules, models, the runtime copy and packaging files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from ..config import Flavor
from ..ir.tree import Api
from .model_modules import ModelModules
from .pages import render_calls
from .templates import model_names, render

RUNTIME_DIR = Path(__file__).resolve().parents[1] / "runtime"

# Package modules rendered for every flavor: template → module path inside the package.
PACKAGE_TEMPLATES = {
    "sdk/__init__.py.jinja": "__init__.py",
    "sdk/_operations.py.jinja": "_operations.py",
    "sdk/errors.py.jinja": "errors.py",
}
# The models package's lazy `__init__` (its modules come from `models.ModelsPass`).
MODELS_INIT = "sdk/models_init.py.jinja"
# Client modules, by the flavor's `clients` option; each takes its methods, rendered one by one, from METHOD_TEMPLATE.
CLIENT_TEMPLATES = {"sync": ("sdk/_client.py.jinja", "_client.py"), "async": ("sdk/_async_client.py.jinja", "_async_client.py")}
METHOD_TEMPLATE = "_client_method.py.jinja"
# Modules only some model kinds need.
MODEL_GLUE = {"dataclasses": {"sdk/_wire.py.jinja": "_wire.py"}}
# The SDK's own tests against the mock server (beside the package, not in its wheel): template → path in the project.
TEST_TEMPLATES = {
    "sdk/tests/conftest.py.jinja": "tests/conftest.py",
    "sdk/tests/test_operations.py.jinja": "tests/test_operations.py",
    "sdk/tests/test_readme.py.jinja": "tests/test_readme.py",
}


def runtime_error_names() -> list[str]:
    """Exception classes the runtime defines, re-exported by every generated package."""
    from ..runtime import errors

    return sorted(
        name for name, value in vars(errors).items() if isinstance(value, type) and issubclass(value, errors.SDKError)
    )


def render_flavor(
    env: jinja2.Environment, api: Api, flavor: Flavor, context: dict[str, Any]
) -> tuple[dict[str, str], dict[str, bytes]]:
    """One installable SDK but its models: Python modules still to be formatted, runtime and packaging files."""
    root = f"{flavor.name}/{flavor.package}"
    templates = {**PACKAGE_TEMPLATES, **dict(CLIENT_TEMPLATES[c] for c in flavor.clients), **MODEL_GLUE.get(flavor.models, {})}
    context = {**context, **client_context(env, api, flavor, context)}
    python = {f"{root}/{module}": render(env, name, **context) for name, module in templates.items()}
    python.update({f"{flavor.name}/{path}": render(env, name, **context) for name, path in TEST_TEMPLATES.items()})
    files: dict[str, bytes] = {}
    for module in sorted(RUNTIME_DIR.glob("*.py")):  # hand-written and black-clean (a test checks): copied as is
        files[f"{root}/_runtime/{module.name}"] = module.read_bytes()
    files[f"{root}/py.typed"] = b""
    files[f"{flavor.name}/pyproject.toml"] = render(env, "sdk/pyproject.toml.jinja", **context).encode()
    files[f"{flavor.name}/README.md"] = render(env, "sdk/README.md.jinja", **context).encode()
    return python, files


def client_context(env: jinja2.Environment, api: Api, flavor: Flavor, context: dict[str, Any]) -> dict[str, Any]:
    """What the package templates are given besides `context`: the class names of the object models, of the enum
    models and of both, and `methods`: each client method by `is_async` and method name (METHOD_TEMPLATE's
    `method(op)`, reused from the cache where what it reads is unchanged)."""
    names = {
        "object_models": model_names(api, "object"),
        "enum_models": model_names(api, "enum"),
        "decoded_models": model_names(api, "object", "enum"),
    }
    methods = {}
    for is_async in sorted({client == "async" for client in flavor.clients}):
        given = {**context, **names, "is_async": is_async}
        texts = render_calls(env, api, given, METHOD_TEMPLATE, "method", api.operations)
        methods[is_async] = {op.method_name: text for op, text in zip(api.operations, texts)}
    return {**names, "methods": methods}


def render_models_package(
    env: jinja2.Environment, flavor: Flavor, models: ModelModules, context: dict[str, Any]
) -> tuple[dict[str, bytes], dict[str, str]]:
    """A flavor's `models` package: one module per group of models (formatted already by the models pass), and
    the lazy `__init__`, to be formatted."""
    root = f"{flavor.name}/{flavor.package}/models"
    modules = {f"{root}/{stem}.py": text.encode() for stem, text in models.sources.items()}
    return modules, {f"{root}/__init__.py": render(env, MODELS_INIT, model_modules=models.owners, **context)}
