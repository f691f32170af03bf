"""IDE help and the site agree: the spec's descriptions appear in the generated docstrings and pages.

For every flavor's `Client` and `AsyncClient`, each operation's summary and description, each
parameter's description and the first success response's description are in the method docstring and
on the operation page; each model's
description is in its class docstring and on its page, and each field's in the field's docstring (or,
for a field typed by another model, in that model's class docstring) and on the model page; each
documented error code's description is in its exception class and on the errors page. Text is
compared with whitespace runs collapsed (tables put a description on one line, docstrings wrap it).
"""

from __future__ import annotations

import ast

import pytest

from tests.docs.sitetools import CONFIG, OUT, PAGES, ROOT, load_ir, normalized

API = load_ir(ROOT / CONFIG.spec)
FLAVORS = CONFIG.resolve(API.package)


def _page(relative: str) -> str:
    """A page's Markdown, whitespace-normalized, table escapes undone."""
    return normalized((PAGES / relative).read_text(encoding="utf-8").replace("\\|", "|"))


def _module(flavor_name: str, package: str, module: str) -> ast.Module:
    """A generated module's syntax tree."""
    return ast.parse((OUT / flavor_name / package / module).read_text(encoding="utf-8"))


def _classes(tree: ast.Module) -> dict[str, ast.ClassDef]:
    """Top-level classes by name."""
    return {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}


def _field_docstrings(cls: ast.ClassDef) -> dict[str, str]:
    """Attribute docstrings: the string statement right after an annotated assignment."""
    found = {}
    for before, after in zip(cls.body, cls.body[1:]):
        if (
            isinstance(before, ast.AnnAssign)
            and isinstance(before.target, ast.Name)
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            found[before.target.id] = normalized(after.value.value)
    return found


@pytest.mark.parametrize("flavor", FLAVORS, ids=[f.name for f in FLAVORS])
def test_operation_and_parameter_descriptions(flavor) -> None:  # type: ignore[no-untyped-def]
    """Method docstrings of every client class carry what the operation page says."""
    modules = {"sync": "_client.py", "async": "_async_client.py"}
    classes = {name: node for kind in flavor.clients for name, node in _classes(_module(flavor.name, flavor.package, modules[kind])).items()}
    clients = [name for name in ("Client", "AsyncClient") if name in classes]
    assert len(clients) == len(flavor.clients)
    checked = 0
    for op in API.operations:
        page = _page(f"operations/{op.method_name}.md")
        texts = [op.summary, op.description] + [p.description for p in op.params]
        texts += [r.description for r in op.responses[:1]]  # the first success response, as `Returns:` says
        for name in clients:
            method = next(
                n for n in classes[name].body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == op.method_name
            )
            doc = normalized(ast.get_docstring(method) or "")
            for text in filter(None, texts):
                assert normalized(text) in doc, f"{flavor.name} {name}.{op.method_name}: docstring lacks {text!r}"
                checked += 1
        for text in filter(None, texts):
            assert normalized(text) in page, f"operations/{op.method_name}.md lacks {text!r}"
    assert checked


@pytest.mark.parametrize("flavor", FLAVORS, ids=[f.name for f in FLAVORS])
def test_model_and_field_descriptions(flavor) -> None:  # type: ignore[no-untyped-def]
    """Model class and field docstrings carry what the model pages say."""
    models = sorted((OUT / flavor.name / flavor.package / "models").glob("_*.py"))
    assert models, "the models package has no modules"
    classes = {name: node for path in models for name, node in _classes(ast.parse(path.read_text(encoding="utf-8"))).items()}
    for model in API.models:
        page = _page(f"models/{model.class_name}.md")
        if model.description:
            assert normalized(model.description) in page
            if model.class_name in classes:  # TypedDict flavors write enums as Literal aliases
                doc = normalized(ast.get_docstring(classes[model.class_name]) or "")
                assert normalized(model.description) in doc, f"{flavor.name} {model.class_name}"
        if model.class_name not in classes:
            continue
        fields = _field_docstrings(classes[model.class_name])
        key = "wire_name" if flavor.models == "typeddict" else "python_name"
        for field in model.fields:
            if not field.description:
                continue
            text = normalized(field.description)
            assert text in page, f"models/{model.class_name}.md lacks {text!r}"
            name = getattr(field, key)
            if name in fields:
                assert text in fields[name], f"{flavor.name} {model.class_name}.{name}"
            else:  # a field typed by another model: IDE help shows that class's docstring
                assert field.ref and field.ref in classes, f"{flavor.name} {model.class_name}.{name} has no docstring"
                assert text in normalized(ast.get_docstring(classes[field.ref]) or "")


@pytest.mark.parametrize("flavor", FLAVORS, ids=[f.name for f in FLAVORS])
def test_error_code_descriptions(flavor) -> None:  # type: ignore[no-untyped-def]
    """Each documented error's exception docstring and the errors page give the same advice."""
    classes = _classes(_module(flavor.name, flavor.package, "errors.py"))
    page = _page("errors.md")
    for code in API.error_codes:
        text = normalized(code.description)
        assert text in page, code.code
        assert text in normalized(ast.get_docstring(classes[code.class_name]) or ""), code.class_name
