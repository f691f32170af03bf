"""Docs pages and client methods reused from the cache: an edit renders again only the pages and methods that read what it
changed, and the output is byte for byte what an uncached run makes."""

from __future__ import annotations

from pathlib import Path

import pytest
from acs_sdkgen import pipeline
from acs_sdkgen.cli import main
from acs_sdkgen.emit import pages
from acs_sdkgen.forked import Later
from acs_sdkgen.frontend import RefOptions, read_spec

PETSTORE = Path(__file__).resolve().parents[1] / "fixtures" / "rest_petstore" / "spec.yaml"


def _docs(root: Path) -> dict[str, bytes]:
    """Every file of the docs site under `root` by relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "docs").rglob("*")) if p.is_file()}


def _rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The operation and model pages rendered from now on (not taken from the cache), by item name; the docs are
    rendered in this process, so that the names reach the list."""
    names: list[str] = []
    original = pages.render
    monkeypatch.setattr(pipeline, "Later", lambda work, fork: Later(work, fork=False))

    def spy(env, template, **context):  # type: ignore[no-untyped-def]
        item = context.get("operation") or context.get("model")
        names.append(getattr(item, "method_name", None) or item.class_name)
        return original(env, template, **context)

    monkeypatch.setattr(pages, "render", spy)
    return names


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("summary: Create a pet.", "summary: Create one pet.", {"create_pet"}),
        # NewPet's fields are Pet's too; the create page builds its example body from NewPet, the list and
        # get pages show Pet's fields
        (
            "properties:\n        name: {type: string}",
            "properties:\n        name: {type: string, description: The pet's name.}",
            {"NewPet", "Pet", "create_pet", "list_pets", "get_pet"},
        ),
        ("enum: [available, pending, sold]", "enum: [available, pending, sold, lost]", {"Status"}),
    ],
)
def test_an_edit_renders_only_the_pages_that_read_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str, expected: set[str]
) -> None:
    """After the edit, the pages rendered again are those whose item or lookups it changed; the site equals an
    uncached run's."""
    monkeypatch.setenv("ACS_SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    spec, out = tmp_path / "spec.yaml", tmp_path / "out"
    text = PETSTORE.read_text(encoding="utf-8")
    assert text.count(old) == 1
    spec.write_text(text, encoding="utf-8")
    assert main(["generate", "--spec", str(spec), "--out", str(out), "-q"]) == 0
    rendered = _rendered(monkeypatch)
    spec.write_text(text.replace(old, new), encoding="utf-8")
    assert main(["generate", "--spec", str(spec), "--out", str(out), "-q"]) == 0
    assert sorted(rendered) == sorted(expected)

    monkeypatch.setenv("ACS_SDKGEN_CACHE_DIR", "off")
    fresh = tmp_path / "fresh"
    for step in (text, text.replace(old, new)):  # the same two generations, so the changelogs match too
        spec.write_text(step, encoding="utf-8")
        assert main(["generate", "--spec", str(spec), "--out", str(fresh), "-q"]) == 0
    assert _docs(out) == _docs(fresh)


def test_a_page_sees_lookups_not_the_whole_api() -> None:
    """A page that went through every operation or model could not be reused on its own lookups: it is refused."""
    api = read_spec(PETSTORE, RefOptions(), None).api
    reads: set[tuple[str, str]] = set()
    view = pages.PageApi(api, reads)
    assert view.style == "rest" and view.models_by_name.get("Pet") is api.models_by_name["Pet"]
    assert "Nothing" not in view.models_by_name and reads == {("models_by_name", "Pet"), ("models_by_name", "Nothing")}
    with pytest.raises(AttributeError, match="api.operations"):
        view.operations  # noqa: B018
    with pytest.raises(TypeError, match="not go through all of it"):
        list(view.models_by_name)


def _called(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The client methods rendered from now on (not taken from the cache), by operation."""
    calls: list[str] = []
    original = pages.call_macro

    def spy(module, macro, op):  # type: ignore[no-untyped-def]
        calls.append(op.method_name)
        return original(module, macro, op)

    monkeypatch.setattr(pages, "call_macro", spy)
    return calls


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("summary: Create a pet.", "summary: Create one pet.", {"create_pet"}),
        # a model's fields are not read by the methods that return it: they parse it by its class name
        ("properties:\n        name: {type: string}", "properties:\n        name: {type: string, description: Its name.}", set()),
    ],
)
def test_an_edit_renders_only_the_client_methods_that_read_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str, expected: set[str]
) -> None:
    """After the edit, only the methods of the operations it changed are rendered again, sync and async; the client
    modules equal an uncached run's."""
    monkeypatch.setenv("ACS_SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    spec, out = tmp_path / "spec.yaml", tmp_path / "out"
    text = PETSTORE.read_text(encoding="utf-8")
    spec.write_text(text, encoding="utf-8")
    flavor = ["--flavor", "pydantic", "--option", "pydantic.clients=sync,async"]
    assert main(["generate", "--spec", str(spec), "--out", str(out), *flavor, "-q"]) == 0
    called = _called(monkeypatch)
    spec.write_text(text.replace(old, new), encoding="utf-8")
    assert main(["generate", "--spec", str(spec), "--out", str(out), *flavor, "-q"]) == 0
    assert sorted(called) == sorted(name for name in expected for _ in ("sync", "async"))

    monkeypatch.setenv("ACS_SDKGEN_CACHE_DIR", "off")
    fresh = tmp_path / "fresh"
    assert main(["generate", "--spec", str(spec), "--out", str(fresh), *flavor, "-q"]) == 0
    clients = sorted(p.relative_to(out) for p in out.rglob("_*client.py"))
    assert len(clients) == 2
    assert all((out / p).read_bytes() == (fresh / p).read_bytes() for p in clients)
