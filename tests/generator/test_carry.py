"""The front end's entry carried over an edit of operations' own parameters: what it reads is what reading the spec
afresh gives, and edits that may reach further are built whole."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from acs_sdkgen import frontend
from acs_sdkgen.cli import main
from acs_sdkgen.spec import pieces

from tests.support.reading import counted_calls, outcome

SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Carry test", "version": "1"},
    "servers": [{"url": "https://example.com"}],
    "paths": {
        "/items": {
            "parameters": [{"$ref": "#/components/parameters/Region"}],
            "get": {
                "operationId": "ListItems",
                "summary": "List the items.",
                "parameters": [
                    {"name": "Prefix", "in": "query", "description": "Only items whose name starts with this.", "schema": {"type": "string"}},
                    {"name": "Limit", "in": "query", "description": "At most this many.", "schema": {"type": "integer"}},
                ],
                "responses": {
                    "200": {
                        "description": "The items.",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"Items": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}},
                                }
                            }
                        },
                    }
                },
            },
        },
        "/items/{id}": {
            "get": {
                "operationId": "GetItem",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "description": "The item's id.", "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": {
                        "description": "The item.",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}},
                    }
                },
            }
        },
    },
    "components": {
        "parameters": {
            "Region": {"name": "Region", "in": "query", "description": "The region.", "schema": {"type": "string"}}
        },
        "schemas": {
            "Item": {
                "type": "object",
                "description": "An item.",
                "properties": {"Name": {"type": "string", "description": "Its name."}, "Size": {"type": "integer"}},
            },
            "Kind": {"type": "string", "enum": ["a", "b"]},
        },
    },
}


def _params(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The first operation's own parameters."""
    return spec["paths"]["/items"]["get"]["parameters"]


def _rule(spec: dict[str, Any]) -> None:
    """A rule on a parameter (the edit of the benchmark)."""
    _params(spec)[0]["schema"]["maxLength"] = 64


def _type_and_requiredness(spec: dict[str, Any]) -> None:
    """A parameter's type and enum, another made required, one more without words."""
    _params(spec)[1].update(required=True, schema={"type": "string", "enum": ["a", "b"]})
    _params(spec).append({"name": "Marker", "in": "query", "schema": {"type": "string"}})


def _described(spec: dict[str, Any]) -> None:
    """A parameter with words of its own: the placeholders after it would be renumbered."""
    _params(spec).append({"name": "Marker", "in": "query", "description": "Where to start.", "schema": {"type": "string"}})


def _renamed(spec: dict[str, Any]) -> None:
    """A parameter whose Python name is not its wire name's (reported)."""
    _params(spec).append({"name": "class", "in": "query", "schema": {"type": "string"}})


def _paging(spec: dict[str, Any]) -> None:
    """A parameter that makes the operation look paginated (reported)."""
    _params(spec).append({"name": "NextToken", "in": "query", "schema": {"type": "string"}})


def _enum_reference(spec: dict[str, Any]) -> None:
    """A parameter typed by a component schema."""
    _params(spec)[0]["schema"] = {"$ref": "#/components/schemas/Kind"}


def _response(spec: dict[str, Any]) -> None:
    """A rule outside the parameters."""
    spec["components"]["schemas"]["Item"]["properties"]["Name"]["maxLength"] = 64


def _typed_enum(spec: dict[str, Any]) -> None:
    """A parameter whose enum values normalising reads as integers (reported)."""
    _params(spec)[1]["schema"]["enum"] = ["1", "2"]


def _reordered(spec: dict[str, Any]) -> None:
    """A rule on a parameter, and a model's properties in another order (equal as mappings, not as the spec)."""
    _rule(spec)
    item = spec["components"]["schemas"]["Item"]
    item["properties"] = dict(reversed(item["properties"].items()))


def _invalid(spec: dict[str, Any]) -> None:
    """A rule the validation refuses."""
    _params(spec)[0]["schema"]["maxLength"] = -3


CARRIED = [_rule, _type_and_requiredness]
BUILT_WHOLE = [_described, _renamed, _paging, _enum_reference, _response, _typed_enum, _reordered]


def _write(path: Path, spec: dict[str, Any], edit: Callable[[dict[str, Any]], None] | None = None) -> None:
    """The spec, edited, as YAML at `path`."""
    data = copy.deepcopy(spec)
    if edit:
        edit(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


@pytest.fixture(params=["whole", "pieces"])
def spec_file(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The spec's file, read whole or in small pieces, with a cache of the test's own holding its entry."""
    monkeypatch.setenv("ACS_SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    if request.param == "pieces":
        monkeypatch.setattr(pieces, "MIN_BYTES", 0)
        monkeypatch.setattr(pieces, "SPLIT_BYTES", 64)
    path = tmp_path / "spec.yaml"
    _write(path, SPEC)
    assert outcome(path, reused=True)[0] == "read"  # the entry is built beside this read
    return path


def _builds(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """The whole builds of the IR from now on, counted."""
    return counted_calls(monkeypatch, frontend, "build_api")


@pytest.mark.parametrize("edit", CARRIED, ids=lambda e: e.__name__)
def test_an_edit_of_parameters_carries_the_entry_over(spec_file: Path, monkeypatch: pytest.MonkeyPatch, edit: Callable[[dict[str, Any]], None]) -> None:
    """The edited spec is read from the previous entry without building the IR, as reading it afresh reads it; the
    entry carried over serves the next edit of its wording."""

    def reworded(spec: dict[str, Any]) -> None:
        edit(spec)
        _params(spec)[0]["description"] = "Only items whose names start with these letters."

    _write(spec_file, SPEC, reworded)
    direct_reworded = outcome(spec_file, reused=False)
    _write(spec_file, SPEC, edit)
    direct = outcome(spec_file, reused=False)
    built = _builds(monkeypatch)
    assert outcome(spec_file, reused=True) == direct
    _write(spec_file, SPEC, reworded)
    assert outcome(spec_file, reused=True) == direct_reworded
    assert not built


def test_an_invalid_edit_is_refused_with_the_specs_own_messages(spec_file: Path) -> None:
    """A rule the validation refuses, in a parameter whose entry could be carried over: refused as reading afresh
    refuses it."""
    _write(spec_file, SPEC, _invalid)
    read = outcome(spec_file, reused=True)
    assert read[0] == "refused"
    assert read == outcome(spec_file, reused=False)


@pytest.mark.parametrize("edit", BUILT_WHOLE, ids=lambda e: e.__name__)
def test_an_edit_that_may_reach_further_is_built_whole(spec_file: Path, monkeypatch: pytest.MonkeyPatch, edit: Callable[[dict[str, Any]], None]) -> None:
    """An edit the previous entry cannot be carried over is read by building the IR, as reading it afresh reads it."""
    _write(spec_file, SPEC, edit)
    direct = outcome(spec_file, reused=False)
    built = _builds(monkeypatch)
    assert outcome(spec_file, reused=True) == direct
    assert built


def test_a_regeneration_after_an_edit_of_a_parameter_writes_what_generating_afresh_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`generate` over its own output after a parameter's rule was edited in the spec file: the entry last built for
    that output is carried over (no IR is built), and the output is what generating the edited spec afresh writes."""
    monkeypatch.setenv("ACS_SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    spec, out, fresh = tmp_path / "spec.yaml", tmp_path / "out", tmp_path / "fresh"
    _write(spec, SPEC)
    assert main(["generate", "--spec", str(spec), "--out", str(out), "-q"]) == 0
    assert main(["generate", "--spec", str(spec), "--out", str(out), "--force", "-q"]) == 0  # builds the entry
    _write(spec, SPEC, _rule)
    built = _builds(monkeypatch)
    assert main(["generate", "--spec", str(spec), "--out", str(out), "-q"]) == 0
    assert not built
    monkeypatch.setenv("ACS_SDKGEN_CACHE_DIR", "off")
    assert main(["generate", "--spec", str(spec), "--out", str(fresh), "-q"]) == 0
    assert _files(out) == _files(fresh)
    assert "Rules: at most 64 characters." in _files(out)["docs/docs/operations/list_items.md"]


def _files(root: Path) -> dict[str, str]:
    """Every file under `root` by its relative path."""
    return {str(p.relative_to(root)): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*")) if p.is_file()}
