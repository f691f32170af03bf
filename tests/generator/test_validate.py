"""Validation diagnostics: version detection, references, schema errors, all reported in one run."""

from __future__ import annotations

from pathlib import Path

import pytest
from acs_sdkgen.diagnostics import SpecError
from acs_sdkgen.spec import validate
from acs_sdkgen.spec.loader import LoadedSpec, load_spec
from acs_sdkgen.spec.validate import validate_spec


def _spec(tmp_path: Path, text: str) -> LoadedSpec:
    """`text` written to spec.yaml and loaded."""
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    return load_spec(path)


def _errors(tmp_path: Path, text: str) -> list[str]:
    """Formatted diagnostics of validating `text`."""
    with pytest.raises(SpecError) as info:
        validate_spec(_spec(tmp_path, text))
    return [d.format() for d in info.value.diagnostics]


def _notices(tmp_path: Path, text: str) -> list[str]:
    """Formatted warnings and notices of validating `text`, which must pass."""
    return [d.format() for d in validate_spec(_spec(tmp_path, text)).items]


MINIMAL = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n"


def test_swagger_2_is_named_with_a_hint(tmp_path: Path) -> None:
    """Swagger 2.0 is recognised and a conversion is suggested."""
    [error] = _errors(
        tmp_path, "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n"
    )
    assert "Swagger 2.0 document" in error and "hint: convert it first" in error


def test_not_openapi_says_what_it_looks_like(tmp_path: Path) -> None:
    """A JSON Schema passed by mistake is described."""
    [error] = _errors(
        tmp_path,
        "$schema: https://json-schema.org/draft/2020-12/schema\ntype: object\nproperties: {}\n",
    )
    assert "not an OpenAPI document" in error and "looks like a JSON Schema" in error


def test_unsupported_version(tmp_path: Path) -> None:
    """Only 3.0.x and 3.1.x are accepted."""
    [error] = _errors(
        tmp_path, "openapi: 4.0.0\ninfo: {title: t, version: '1'}\npaths: {}\n"
    )
    assert "ERROR spec.yaml:1#/openapi: unsupported OpenAPI version '4.0.0'" in error


def test_reference_problems_are_all_reported(tmp_path: Path) -> None:
    """Dangling and cyclic references, each located, in one run."""
    errors = _errors(
        tmp_path,
        MINIMAL
        + "paths: {}\ncomponents:\n  schemas:\n"
        + "    A: {$ref: '#/components/schemas/Missing'}\n"
        + "    C: {$ref: '#/components/schemas/D'}\n"
        + "    D: {$ref: '#/components/schemas/C'}\n",
    )
    assert any(
        "spec.yaml:6#/components/schemas/A/$ref" in e and "points to nothing" in e
        for e in errors
    )
    assert any("$ref cycle that never resolves" in e for e in errors)


def test_unbundled_external_reference(tmp_path: Path) -> None:
    """A document that did not come through the loader's bundling keeps its external refs: they are refused."""
    spec = _spec(
        tmp_path,
        MINIMAL + "paths: {}\ncomponents:\n  schemas:\n    B: {type: string}\n",
    )
    spec.data["components"]["schemas"]["B"] = {"$ref": "other.yaml#/B"}
    with pytest.raises(SpecError) as info:
        validate_spec(spec)
    [error] = [d.format() for d in info.value.diagnostics]
    assert "external reference 'other.yaml#/B' is not supported" in error


def test_schema_error_is_located(tmp_path: Path) -> None:
    """An invalid parameter is reported at its pointer and line."""
    errors = _errors(
        tmp_path,
        MINIMAL
        + "paths:\n  /x:\n    get:\n      parameters:\n        - {name: a, in: nowhere, schema: {type: string}}\n"
        "      responses: {'200': {description: ok}}\n",
    )
    assert any(
        "#/paths/~1x/get/parameters/0" in e and "not valid OpenAPI" in e for e in errors
    ), errors


def test_undeclared_path_parameter(tmp_path: Path) -> None:
    """A path template variable must be declared."""
    errors = _errors(
        tmp_path,
        MINIMAL
        + "paths:\n  /items/{id}:\n    get:\n      responses: {'200': {description: ok}}\n",
    )
    assert any("{id} is not declared" in e for e in errors), errors


MINIMAL_31 = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n"
OK = "{'200': {description: ok}}"


def test_status_codes(tmp_path: Path) -> None:
    """Only default, 1XX-5XX and 100-599 are status codes; x- members are extensions; no validator echo."""
    for head in (MINIMAL, MINIMAL_31):
        errors = _errors(
            tmp_path,
            head
            + "paths:\n  /x:\n    get:\n      responses:\n        '200': {description: ok}\n"
            "        '5XX': {description: ok}\n        default: {description: ok}\n        x-note: 1\n"
            "        '600': {description: no}\n        '20': {description: no}\n",
        )
        assert [e.split(": ", 1)[1] for e in errors] == [
            "invalid status code '600': use a code from 100 to 599, a range 1XX to 5XX, or default",
            "invalid status code '20': use a code from 100 to 599, a range 1XX to 5XX, or default",
        ], errors


def test_parameters_need_a_schema_or_a_content(tmp_path: Path) -> None:
    """Inline, path-level and component parameters alike; a parameter with content is fine."""
    errors = _errors(
        tmp_path,
        MINIMAL
        + "paths:\n  /x:\n    parameters:\n      - {name: a, in: query}\n    get:\n      parameters:\n"
        "        - {name: b, in: query, content: {application/json: {schema: {type: object}}}}\n"
        f"        - {{$ref: '#/components/parameters/C'}}\n      responses: {OK}\n"
        "components:\n  parameters:\n    C: {name: c, in: header}\n",
    )
    assert [e.split(" has ", 1)[0] for e in errors] == [
        "ERROR spec.yaml:6#/paths/~1x/parameters/0: parameter 'a'",
        "ERROR spec.yaml:14#/components/parameters/C: parameter 'c'",
    ]


ARRAYS = (
    "paths:\n  /x:\n    post:\n      requestBody:\n        content:\n          application/json:\n"
    "            schema: {type: array}\n      responses:\n        '200':\n          description: ok\nHEADERS"
    "components:\n  schemas:\n    A:\n      allOf:\n        - properties:\n            b: {type: array}\n"
    "    D: {type: array, items: {type: string}}\nMORE"
)


def test_arrays_need_items_in_30_wherever_they_are(tmp_path: Path) -> None:
    """OpenAPI 3.0 requires items: component, nested and body schemas are walked."""
    errors = _errors(tmp_path, MINIMAL + ARRAYS.replace("HEADERS", "").replace("MORE", ""))
    assert [e.split(": ", 1)[0] for e in errors] == [
        "ERROR spec.yaml:9#/paths/~1x/post/requestBody/content/application~1json/schema",
        "ERROR spec.yaml:18#/components/schemas/A/allOf/0/properties/b",
    ]
    assert "OpenAPI 3.0 requires items" in errors[0]


def test_arrays_without_items_hold_anything_in_31(tmp_path: Path) -> None:
    """In 3.1 (JSON Schema) missing items allow any element: a warning at each place, type lists included."""
    headers = "          headers:\n            X-Ids: {schema: {type: [array, 'null']}}\n"
    more = "    C: {type: array, prefixItems: [{type: string}]}\n"
    notices = _notices(tmp_path, MINIMAL_31 + ARRAYS.replace("HEADERS", headers).replace("MORE", more))
    assert sorted(n.split(": ", 1)[0] for n in notices if "array without items" in n) == [
        "WARNING spec.yaml:14#/paths/~1x/post/responses/200/headers/X-Ids/schema",
        "WARNING spec.yaml:20#/components/schemas/A/allOf/0/properties/b",
        "WARNING spec.yaml:9#/paths/~1x/post/requestBody/content/application~1json/schema",
    ]


def test_webhooks_only_31_passes_with_a_warning(tmp_path: Path) -> None:
    """Webhooks get no client method: each is named as left out."""
    notices = _notices(
        tmp_path,
        MINIMAL_31
        + f"webhooks:\n  newPet:\n    post:\n      responses: {OK}\n  goneePet:\n    post: {{}}\n",
    )
    assert notices[0].startswith(
        "WARNING spec.yaml:4#/webhooks/newPet: webhook 'newPet' is left out: webhooks are"
    )
    assert notices[1].startswith(
        "WARNING spec.yaml:7#/webhooks/goneePet: webhook 'goneePet' is left out"
    )


def test_responses_are_optional_in_31_only(tmp_path: Path) -> None:
    """3.0 requires responses (one clear error, no validator echo); 3.1 notes their absence."""
    body = "paths:\n  /x:\n    get: {operationId: x}\n"
    assert _errors(tmp_path, MINIMAL + body) == [
        "ERROR spec.yaml:5#/paths/~1x/get: operation has no responses (hint: add at least one, e.g. '200': {description: OK})"
    ]
    assert _notices(tmp_path, MINIMAL_31 + body) == [
        "INFO spec.yaml:5#/paths/~1x/get: operation has no responses (allowed in OpenAPI 3.1)"
    ]


def test_unknown_extensions_are_silent(tmp_path: Path) -> None:
    """x- members anywhere, even a scalar one among the paths, pass without a word."""
    text = (
        MINIMAL
        + "x-top: 1\npaths:\n  x-note: not a path\n  /x:\n    x-item: {a: 1}\n    get:\n      x-op: [1]\n"
        "      responses:\n        '200': {description: ok, x-r: 1}\n        x-more: 1\n"
        "components:\n  x-c: 1\n  schemas:\n    A: {type: object, x-s: {$ref: 'not-a-ref.yaml'}}\n"
    )
    assert _notices(tmp_path, text) == []


def test_dollar_ref_as_data_is_not_a_reference(tmp_path: Path) -> None:
    """A property named $ref, and $ref keys inside examples and extensions, are data (neither bundled nor followed)."""
    text = (
        MINIMAL + "paths: {}\ncomponents:\n  schemas:\n    Link:\n      type: object\n"
        "      properties:\n        $ref: {type: string}\n      example: {$ref: 'other.json#/x'}\n"
        "      x-data: {$ref: 'nowhere.yaml'}\n"
    )
    assert _notices(tmp_path, text) == []


def test_acs_extensions_have_the_shape_the_generator_reads(tmp_path: Path) -> None:
    """Misshapen x-acs- extensions are errors here rather than crashes later."""
    errors = _errors(
        tmp_path,
        MINIMAL
        + "x-acs-endpoint-rule: {public: {a: 1}}\npaths:\n  /x:\n    get:\n      x-acs-action: 5\n"
        "      responses:\n        '400':\n          description: nope\n          x-acs-error-codes: [{message: m}]\n",
    )
    assert [e.split(" ", 1)[1] for e in errors] == [
        "spec.yaml:3#/x-acs-endpoint-rule/public: an endpoint rule must be a string",
        "spec.yaml:7#/paths/~1x/get/x-acs-action: x-acs-action must be a string, not a number",
        "spec.yaml:11#/paths/~1x/get/responses/400/x-acs-error-codes/0: an x-acs-error-codes entry needs a string 'code'",
    ]


def test_a_failing_check_is_a_diagnostic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unexpected exception inside a check is reported with its type; the other checks still run."""

    def boom(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(validate, "_check_schemas", boom)
    errors = _errors(tmp_path, MINIMAL + "paths:\n  /x:\n    get: {}\n")
    assert errors == [
        "ERROR spec.yaml:1: cannot check the schemas: RuntimeError: boom",
        "ERROR spec.yaml:5#/paths/~1x/get: operation has no responses (hint: add at least one, e.g. '200': {description: OK})",
    ]


def test_declared_path_parameters_must_be_in_the_path(tmp_path: Path) -> None:
    """The reverse of an undeclared template variable: once per parameter, not once per operation."""
    errors = _errors(
        tmp_path,
        MINIMAL
        + "paths:\n  /x:\n    parameters:\n      - {name: id, in: path, required: true, schema: {type: string}}\n"
        f"    get: {{responses: {OK}}}\n    put: {{responses: {OK}}}\n",
    )
    assert errors == [
        "ERROR spec.yaml:6#/paths/~1x/parameters/0: path parameter 'id' does not appear in the path '/x'"
    ]


def test_a_type_that_is_an_object_is_located(tmp_path: Path) -> None:
    """`type: {type: string}` (codat) is refused where it is written, not left to the model library to trip on."""
    errors = _errors(
        tmp_path,
        MINIMAL_31
        + "paths: {}\ncomponents:\n  schemas:\n    Item:\n      type: object\n      properties:\n"
        "        kind:\n          type: {type: string, enum: [a, b]}\n",
    )
    assert errors == [
        "ERROR spec.yaml:10#/components/schemas/Item/properties/kind/type: "
        "type must be a type name or a list of them, not a dict"
    ]
