"""Validation diagnostics: version detection, references, schema errors, all reported in one run."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.diagnostics import SpecError
from generator.loader import load_spec
from generator.validate import validate_spec


def _errors(tmp_path: Path, text: str) -> list[str]:
    """Formatted diagnostics of validating `text`."""
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as info:
        validate_spec(load_spec(path))
    return [d.format() for d in info.value.diagnostics]


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
    """Dangling, external and cyclic references, each located, in one run."""
    errors = _errors(
        tmp_path,
        MINIMAL
        + "paths: {}\ncomponents:\n  schemas:\n"
        + "    A: {$ref: '#/components/schemas/Missing'}\n"
        + "    B: {$ref: 'other.yaml#/B'}\n"
        + "    C: {$ref: '#/components/schemas/D'}\n"
        + "    D: {$ref: '#/components/schemas/C'}\n",
    )
    assert any(
        "spec.yaml:6#/components/schemas/A/$ref" in e and "points to nothing" in e
        for e in errors
    )
    assert any(
        "external reference 'other.yaml#/B' is not supported" in e for e in errors
    )
    assert any("$ref cycle that never resolves" in e for e in errors)


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
