"""The template contract of templates/README.md: every template renders with exactly its documented
context, and an override that uses a missing name fails with the template's file and line.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from acs_sdkgen.changes.changelog import history
from acs_sdkgen.cli import main
from acs_sdkgen.config import load_config
from acs_sdkgen.emit.sdk import client_context, runtime_error_names
from acs_sdkgen.emit.templates import environment, example_value, render, rules
from acs_sdkgen.frontend import read_spec

ROOT = Path(__file__).resolve().parents[2]
SPECS = {
    "rpc": ROOT / "spec" / "outboundbot.yaml",
    "rest": ROOT / "tests" / "fixtures" / "rest_petstore" / "spec.yaml",
}


def contract() -> dict[str, list[str]]:
    """Template name → context names, read from the table in templates/README.md."""
    rows = re.findall(
        r"^\| `([^`]+\.jinja)` \| [^|]+ \| ([^|]+) \|$",
        (ROOT / "templates" / "README.md").read_text(),
        re.M,
    )
    return {name: [n.strip() for n in names.split(",")] for name, names in rows}


def test_every_template_is_in_the_contract() -> None:
    """No template file is missing from the table, and the table names no file that does not exist."""
    files = {
        p.relative_to(ROOT / "templates").as_posix()
        for p in (ROOT / "templates").rglob("*.jinja")
    }
    partials = {f for f in files if f.startswith("_") or f.startswith("sdk/models/")}
    assert set(contract()) == files - partials


def _values(kind: str) -> dict[str, Any]:
    """Every context value the contract can name, built from one spec."""
    api = read_spec(SPECS[kind]).api
    flavors = replace(load_config(ROOT / "pyproject.toml"), spec=SPECS[kind]).resolve(
        api.package
    )
    common = {"api": api, "flavor": flavors[0], "flavors": flavors, "header": "header", "runtime_errors": runtime_error_names()}
    return {
        **common,
        **client_context(environment(), api, replace(flavors[0], clients=("sync", "async")), common),
        "changelog": history(api, "0.1.0", None).entries,
        "operation": api.operations[0],
        "model": api.models[0],
        "model_modules": {m.class_name: "_" + m.class_name.lower() for m in api.models},
    }


@pytest.mark.parametrize("kind", sorted(SPECS))
@pytest.mark.parametrize("template", sorted(contract()))
def test_template_renders_with_its_documented_context(template: str, kind: str) -> None:
    """Rendering with only the documented names succeeds (StrictUndefined fails on any other)."""
    values = _values(kind)
    context = {name: values[name] for name in contract()[template]}
    if template == "sdk/_wire.py.jinja":
        context["flavor"] = next(
            f for f in values["flavors"] if f.models == "dataclasses"
        )
    assert render(environment(), template, **context).strip()


def test_override_with_a_missing_name_names_template_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A user override that uses an undefined name: exit 2, file and line in the message, nothing written."""
    override = tmp_path / "overrides" / "sdk"
    override.mkdir(parents=True)
    (override / "README.md.jinja").write_text(
        "# {{ flavor.distribution }}\n\n{{ api.no_such_field }}\n"
    )
    out = tmp_path / "out"
    code = main(
        [
            "generate",
            "--spec",
            str(SPECS["rpc"]),
            "--out",
            str(out),
            "--templates",
            str(tmp_path / "overrides"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert re.search(
        r"acs-sdkgen: error: .*overrides/sdk/README\.md\.jinja:3: UndefinedError: .*no_such_field",
        err,
    ), err
    assert "nothing was written" in err and not out.exists()


def test_override_replaces_a_template_by_name(tmp_path: Path) -> None:
    """An override file wins over the built-in template of the same name; the rest stay built-in."""
    override = tmp_path / "overrides" / "sdk"
    override.mkdir(parents=True)
    (override / "README.md.jinja").write_text(
        "# {{ flavor.distribution }} (house style)\n"
    )
    out = tmp_path / "out"
    assert (
        main(
            [
                "generate",
                "--spec",
                str(SPECS["rpc"]),
                "--out",
                str(out),
                "--templates",
                str(tmp_path / "overrides"),
                "-q",
            ]
        )
        == 0
    )
    assert (
        out / "pydantic" / "README.md"
    ).read_text() == "# outboundbot (house style)\n"
    assert (
        "class Client(SyncAPIClient)"
        in (out / "pydantic" / "outboundbot" / "_client.py").read_text()
    )


def _param(kind: str, example: object = None, fmt: str | None = None, pattern: str | None = None, **rules: Any) -> Any:
    """A parameter as the example snippets see it."""
    return SimpleNamespace(
        kind=kind, wire_name="subscriptionId", format=fmt,
        constraints=json.dumps({**({"pattern": pattern} if pattern else {}), **rules}),
        example=None if example is None else json.dumps(example),
    )  # fmt: skip


def test_example_values_fit_the_format_and_pattern_of_the_parameter() -> None:
    """A spec example that does not fit (a date-time for a date) is replaced; a pattern gets a matching string."""
    assert example_value(_param("string", "2024-05-06")) == '"2024-05-06"'
    assert example_value(_param("integer", 3)) == "3" and example_value(_param("string")) is None
    date = example_value(_param("string", "2024-05-06T07:08:09Z", fmt="date"))
    assert date is not None and re.fullmatch(r'"\d{4}-\d{2}-\d{2}"', date)
    uuid_pattern = "^[0-9A-Fa-f]{8}-([0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}$"
    made = example_value(_param("string", pattern=uuid_pattern))
    assert made is not None and re.fullmatch(uuid_pattern, json.loads(made))
    assert made == example_value(_param("string", pattern=uuid_pattern))  # the same every run


def test_an_example_of_another_type_or_format_is_not_used() -> None:
    """A YAML 1.1 time read as a number (`18:20:00` is 66000) is not sent for a string: a value of the format is; an
    example without the offset RFC 3339 requires of a time is replaced too; a boolean is no integer."""
    made = example_value(_param("string", 66000, fmt="time"))
    assert made is not None and re.fullmatch(r'"\d{2}:\d{2}:\d{2}Z"', made)
    assert example_value(_param("string", "13:22:00Z", fmt="time")) == '"13:22:00Z"'
    assert example_value(_param("string", "13:22:00", fmt="time")) != '"13:22:00"'
    assert example_value(_param("string", 7)) is None  # no format: the placeholder will do
    assert example_value(_param("integer", True)) is None and example_value(_param("number", 2)) == "2"


def test_example_values_keep_the_lengths_and_range_of_the_parameter() -> None:
    """A four-character flight number does not get the placeholder `"flightNumber"`; a count of at least 10 does not
    get 1; an example inside the rules is kept."""
    number = example_value(_param("string", maxLength=4))
    assert number is not None and 1 <= len(json.loads(number)) <= 4
    count = example_value(_param("integer", minimum=10, maximum=20))
    assert count is not None and 10 <= int(count) <= 20
    assert example_value(_param("integer", 15, minimum=10)) == "15" and example_value(_param("integer", 5, minimum=10)) != "5"


ALIAS_FIELDS_SPEC = """
openapi: 3.0.3
info: {title: Plans, version: "1", x-acs-package: plans}
servers: [{url: "https://example.com"}]
paths:
  /plans:
    post:
      operationId: createPlan
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Plan"}}}
      responses: {"200": {description: ok}}
components:
  schemas:
    Steps: {type: array, items: {type: string}}
    Count: {type: integer}
    Plan:
      type: object
      required: [steps, count]
      properties: {steps: {$ref: "#/components/schemas/Steps"}, count: {$ref: "#/components/schemas/Count"}}
"""


def _readme(tmp_path: Path, spec_text: str) -> str:
    """The README of the pydantic SDK generated from `spec_text` into `tmp_path/out`."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text)
    assert main(["generate", "--spec", str(spec), "--out", str(tmp_path / "out"), "-q", "--flavor", "pydantic"]) == 0
    return (tmp_path / "out" / "pydantic" / "README.md").read_text()


@contextlib.contextmanager
def _imported(root: Path, package: str) -> Iterator[Any]:
    """A generated package under `root`, imported, and forgotten afterwards."""
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(package)
    finally:
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
            del sys.modules[name]


def test_example_bodies_give_a_field_of_an_alias_a_value_of_the_alias_type(tmp_path: Path) -> None:
    """A required field whose type is an array or integer alias gets `[]` or `1` in the README's example body, not
    its own name as a string (which the models refuse)."""
    readme = _readme(tmp_path, ALIAS_FIELDS_SPEC)
    assert "body=Plan(steps=[], count=1)" in readme, readme


RULED_FIELDS_SPEC = """
openapi: 3.0.3
info: {title: Deeds, version: "1", x-acs-package: deeds}
servers: [{url: "https://example.com"}]
paths:
  /deeds:
    post:
      operationId: createDeed
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Deed"}}}
      responses: {"200": {description: ok}}
components:
  schemas:
    Name: {type: object, required: [forename], properties: {forename: {type: string}}}
    Date: {type: string, format: date-time}
    Borrowers: {type: array, minItems: 1, items: {$ref: "#/components/schemas/Name"}}
    Deed:
      type: object
      required: [checked, ref, borrowers, lenders, count, signed]
      properties:
        checked: {type: string, pattern: "^[Y]$"}
        ref: {type: string, example: 42, pattern: "^e-MD[0-9]{5}$"}
        borrowers: {$ref: "#/components/schemas/Borrowers"}
        lenders: {type: array, minItems: 1, items: {$ref: "#/components/schemas/Name"}}
        count: {type: integer, minimum: 5, maximum: 9}
        signed: {$ref: "#/components/schemas/Date"}
"""


def test_example_bodies_keep_the_fields_rules(tmp_path: Path) -> None:
    """A patterned string gets a matching value (a mistyped example is passed over), a range a number inside it, an
    array that needs an item (directly or through an alias) gets one, and a field of a date-time alias a date-time:
    land registry's and AWS personalize-events' README examples were refused."""
    readme = _readme(tmp_path, RULED_FIELDS_SPEC)
    found = re.search(r"body=Deed\((.*)\),\n", readme)
    assert found, readme
    body = found.group(1)
    assert 'checked="Y"' in body and re.search(r'ref="e-MD\d{5}"', body), body
    assert 'borrowers=[{"forename": "forename"}]' in body and 'lenders=[{"forename": "forename"}]' in body, body
    count = re.search(r"count=(\d+)", body)
    assert count and 5 <= int(count.group(1)) <= 9, body
    assert re.search(r'signed="\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"', body), body  # a date-time alias (AWS)


DISCRIMINATED_BASE_SPEC = """
openapi: 3.0.3
info: {title: Zoo, version: "1", x-acs-package: zoo}
servers: [{url: "https://example.com"}]
paths:
  /pens:
    post:
      operationId: createPen
      requestBody:
        required: true
        content:
          application/vnd.zoo+json:
            schema: {type: object, required: [resident], properties: {resident: {$ref: "#/components/schemas/Animal"}}}
      responses: {"200": {description: ok}}
components:
  schemas:
    Animal:
      type: object
      required: [kind]
      properties: {kind: {type: string}}
      discriminator: {propertyName: kind}
    Cat:
      allOf: [{$ref: "#/components/schemas/Animal"}, {type: object, required: [lives], properties: {lives: {type: integer}}}]
    Dog:
      allOf: [{$ref: "#/components/schemas/Animal"}, {type: object, properties: {good: {type: boolean}}}]
"""


def test_example_bodies_give_a_discriminated_base_a_subclass_with_its_tag(tmp_path: Path) -> None:
    """A field typed by a base that subclasses extend (its discriminator inherited through `allOf`) takes only a
    subclass in the models: the example is the first subclass's, tagged (Azure's and Deutsche Bahn's READMEs were
    refused with `union_tag_not_found`). A vendor `+json` body gets its model, as an `application/json` one does."""
    readme = _readme(tmp_path, DISCRIMINATED_BASE_SPEC)
    found = re.search(r"body=(CreatePenRequest\(.*\)),\n", readme)
    assert found and 'resident={"kind": "Cat", "lives": 1}' in found.group(1), readme
    with _imported(tmp_path / "out" / "pydantic", "zoo") as zoo:
        body = eval(found.group(1), {"CreatePenRequest": zoo.CreatePenRequest})  # noqa: S307 (the README's expression)
        assert type(body.resident).__name__ == "Cat" and body.resident.lives == 1


ITEM_ENUM_SPEC = """
openapi: 3.0.3
info: {title: Hotels, version: "1", x-acs-package: hotels}
servers: [{url: "http://127.0.0.1:9"}]
paths:
  /hotels:
    get:
      operationId: listHotels
      parameters:
        - {name: subType, in: query, required: true, explode: true, schema: {type: array, items: {type: string, enum: [HOTEL_LEISURE, HOTEL_GDS]}}}
      responses: {"200": {description: ok}}
"""


def test_an_array_parameter_takes_its_items_enum(tmp_path: Path) -> None:
    """An array parameter whose items are an enum is typed `list[Literal[...]]`, each item is checked before
    anything is sent, and the README's example sends an allowed value (Amadeus' hotel-name-autocomplete sent its
    parameter's own name and was refused)."""
    readme = _readme(tmp_path, ITEM_ENUM_SPEC)
    assert 'sub_type=["HOTEL_LEISURE"],' in readme, readme
    client_source = next((tmp_path / "out" / "pydantic").rglob("_client.py")).read_text()
    assert 'sub_type: list[Literal["HOTEL_LEISURE", "HOTEL_GDS"]],' in client_source
    with _imported(tmp_path / "out" / "pydantic", "hotels") as hotels, hotels.Client(max_retries=0) as client:
        with pytest.raises(hotels.ParameterError, match=r"sub_type\[1\]"):
            client.list_hotels(sub_type=["HOTEL_GDS", "MOTEL"])


def test_the_docs_state_the_rules_of_parameters_and_fields(tmp_path: Path) -> None:
    """Lengths, ranges, multiples, patterns and least items are in the docs' tables beside the description; a
    pattern with a table's pipe or a backtick stays one code span in one cell."""
    assert rules("{}") == "" and rules('{"type": "string", "format": "date"}') == ""
    assert rules('{"maxLength": 64}') == "Rules: at most 64 characters."
    assert rules('{"minLength": 3, "maxLength": 3}') == "Rules: exactly 3 characters."
    assert rules('{"minimum": 0, "maximum": 1.5, "multipleOf": 0.5}') == "Rules: 0 to 1.5; a multiple of 0.5."
    assert rules('{"type": "array", "minItems": 1}') == "Rules: at least 1 item."
    assert rules('{"pattern": "a`b"}') == "Rules: matches ``a`b``."
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        RULED_FIELDS_SPEC.replace(
            "      operationId: createDeed\n",
            "      operationId: createDeed\n"
            "      parameters: [{name: code, in: query, schema: {type: string, minLength: 2, maxLength: 8, pattern: '^(a|b)+$'}}]\n",
        )
    )
    assert main(["generate", "--spec", str(spec), "--out", str(tmp_path / "out"), "-q", "--flavor", "pydantic"]) == 0
    docs = tmp_path / "out" / "docs" / "docs"
    operation = (docs / "operations" / "create_deed.md").read_text()
    assert "| `str` | no |  Rules: 2 to 8 characters; matches `^(a\\|b)+$`. |" in operation, operation  # no description
    deed = (docs / "models" / "Deed.md").read_text()
    assert "| **yes** |  Rules: 5 to 9. |" in deed and "| **yes** |  Rules: at least 1 item. |" in deed, deed


def test_generate_says_nothing_of_an_example_it_could_not_fit_to_a_pattern(tmp_path: Path) -> None:
    """A pattern whose strings the example generator cannot fit to the lengths gives a generated example that does
    not follow it; the mock server logs that, `generate -q` prints nothing (api.github.com printed a warning)."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        RULED_FIELDS_SPEC.replace(
            "      operationId: createDeed\n",
            "      operationId: createDeed\n"
            "      parameters: [{name: sha, in: query, required: true, schema: {type: string, minLength: 40, maxLength: 40,"
            " pattern: '^[0-9a-f]+$'}}]\n",
        )
    )
    command = [sys.executable, "-m", "acs_sdkgen", "generate", "--spec", str(spec), "--out", str(tmp_path / "out"), "-q"]
    environment = {**os.environ, "ACS_SDKGEN_CACHE_DIR": "off"}  # the examples are made, not taken from the cache
    done = subprocess.run([*command, "--flavor", "pydantic"], capture_output=True, text=True, cwd=tmp_path, env=environment)
    assert done.returncode == 0 and done.stderr == "" and done.stdout == "", done.stderr
