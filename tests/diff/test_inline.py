"""`diff` sees what `generate` makes: every schema change kind gets the same verdict whether the schema is
a named component or written inline in a request body, a response, array items or a nested object; and
the docs changelog of `generate` records the same changes that `diff` reports."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from acs_sdkgen.cli import main

Schema = dict[str, Any]

THING: Schema = {
    "type": "object",
    "description": "A thing.",
    "required": ["id", "name"],
    "properties": {
        "id": {"type": "string", "description": "Identifier."},
        "name": {"type": "string", "description": "Display name."},
        "size": {"type": "integer", "description": "Size in units."},
        "color": {"type": "string", "enum": ["red", "green"], "description": "Colour."},
        "part": {
            "type": "object",
            "description": "A part.",
            "properties": {
                "label": {"type": "string", "description": "Label."},
                "count": {"type": "integer", "description": "How many."},
            },
        },
    },
}


def _props(schema: Schema) -> Schema:
    """The properties of the thing."""
    return schema["properties"]


# Change kind (as listed in docs/ci-recipe.md) → how to make it in the thing schema.
CHANGES: dict[str, Callable[[Schema], None]] = {
    "field.removed": lambda s: _props(s).pop("size"),
    "field.added": lambda s: _props(s).update(weight={"type": "number", "description": "Weight."}),
    "field.type_changed": lambda s: _props(s)["size"].update(type="string"),
    "field.made_optional": lambda s: s["required"].remove("name"),
    "field.made_required": lambda s: s["required"].append("size"),
    "field.wire_renamed": lambda s: _props(s).update(Size=_props(s).pop("size")),
    "field.docs_changed": lambda s: _props(s)["size"].update(description="Size in parts."),
    "model.docs_changed": lambda s: s.update(description="A thing, described anew."),
    "model.enum_value_removed": lambda s: _props(s)["color"]["enum"].remove("green"),
    "model.enum_value_added": lambda s: _props(s)["color"]["enum"].append("blue"),
    "nested field.removed": lambda s: _props(s)["part"]["properties"].pop("label"),
    "nested field.type_changed": lambda s: _props(s)["part"]["properties"]["label"].update(type="integer"),
    "nested field.added": lambda s: _props(s)["part"]["properties"].update(code={"type": "string"}),
}

RESPONSE_PLACES = ("named", "inline response", "array items", "nested inline object")
PLACES = (*RESPONSE_PLACES, "inline request body")


def spec(thing: Schema, place: str) -> dict[str, Any]:
    """A REST spec whose one operation carries `thing` at `place`."""
    schemas: dict[str, Any] = {}
    responses: dict[str, Any] = {"204": {"description": "Done."}}
    request: dict[str, Any] | None = None
    if place == "named":
        schemas["Thing"] = thing
        body: Schema = {"$ref": "#/components/schemas/Thing"}
    elif place == "array items":
        body = {"type": "array", "items": thing}
    elif place == "nested inline object":
        body = {"type": "object", "properties": {"thing": thing}}
    else:
        body = thing
    if place == "inline request body":
        request = {"required": True, "content": {"application/json": {"schema": thing}}}
    else:
        responses = {"200": {"description": "The thing.", "content": {"application/json": {"schema": body}}}}
    operation: dict[str, Any] = {"operationId": "makeThing", "responses": responses}
    if request:
        operation["requestBody"] = request
    return {
        "openapi": "3.0.3",
        "info": {"title": "Things", "version": "1.0.0"},
        "servers": [{"url": "https://things.example.invalid"}],
        "paths": {"/things": {"post": operation}},
        "components": {"schemas": schemas},
    }


def verdict(tmp_path: Path, capsys: pytest.CaptureFixture[str], place: str, change: str) -> tuple[int, list[tuple[str, str]]]:
    """The exit code of `acs-sdkgen diff` and the (kind, severity) pairs it reports for one change at one place."""
    old, new = copy.deepcopy(THING), copy.deepcopy(THING)
    CHANGES[change](new)
    paths = []
    for label, thing in (("old", old), ("new", new)):
        path = tmp_path / f"{label}.json"
        path.write_text(json.dumps(spec(thing, place)))
        paths.append(str(path))
    capsys.readouterr()
    code = main(["diff", *paths, "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    return code, sorted({(c["kind"], c["severity"]) for c in report["changes"]})


@pytest.mark.parametrize("change", sorted(CHANGES))
@pytest.mark.parametrize("place", PLACES[1:])
def test_inline_schema_change_gets_the_named_verdict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], place: str, change: str
) -> None:
    """The exit code and breaking changes of the named component; every kind it reports, too.

    Inline, a schema's description is also its parent field's, so a description change may add a
    compatible `field.docs_changed`; nothing else may differ.
    """
    named_code, named = verdict(tmp_path, capsys, "named", change)
    assert named, f"the named version of {change} reports nothing"
    assert change.split()[-1] in {kind for kind, _ in named}
    code, inline = verdict(tmp_path, capsys, place, change)
    assert code == named_code
    assert set(named) <= set(inline)
    assert set(inline) - set(named) <= {("field.docs_changed", "compatible")}


def test_removing_a_field_of_an_inline_request_body_is_breaking(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The case that once printed "no changes to the public API": a field of an inline request body removed."""
    code, kinds = verdict(tmp_path, capsys, "inline request body", "field.removed")
    assert code == 1 and ("field.removed", "breaking") in kinds


@pytest.mark.parametrize("place", PLACES)
def test_docs_changelog_records_what_diff_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str], place: str) -> None:
    """`generate` with the old spec, then the new one: the changelog's newest entry holds diff's changes."""
    old, new = copy.deepcopy(THING), copy.deepcopy(THING)
    CHANGES["field.removed"](new)
    CHANGES["model.enum_value_added"](new)
    spec_file, out = tmp_path / "api.json", tmp_path / "out"
    reported = []
    for thing in (old, new):
        spec_file.write_text(json.dumps(spec(thing, place)))
        assert main(["generate", "--spec", str(spec_file), "--out", str(out), "--flavor", "pydantic", "-q"]) == 0
    (tmp_path / "old.json").write_text(json.dumps(spec(old, place)))
    capsys.readouterr()
    main(["diff", str(tmp_path / "old.json"), str(spec_file), "--format", "json"])
    reported = [(c["kind"], c["location"]) for c in json.loads(capsys.readouterr().out)["changes"]]
    state = json.loads((out / "docs" / "changelog.json").read_text())
    newest = state["entries"][0]
    assert newest["number"] == 2
    assert [(c["kind"], c["location"]) for c in newest["changes"]] == reported
    assert ("field.removed", reported[0][1]) in reported
