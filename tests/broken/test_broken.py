"""Broken specs through the real CLI: exit 2, the exact located diagnostics, no traceback, output untouched.

Each case is a fixture here: `<case>.yaml` / `<case>.json`, or `<case>/openapi.yaml` for multi-file specs.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from acs_sdkgen.cli import main
from acs_sdkgen.spec import loader

HERE = Path(__file__).resolve().parent
EXTERNAL_HINT = "(hint: files outside the spec's directory are refused by default; allow them with --allow-external-refs (allow_external_refs=True))"
ARRAY_HINT = "(hint: add items, e.g. items: {type: string})"
SCHEMA_HINT = "(hint: add a schema, e.g. schema: {type: string})"
STATUS = "use a code from 100 to 599, a range 1XX to 5XX, or default"
TAG = "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed in a spec (it is never executed)"


class Part(str):
    """An expected line given only in part: a library's own wording follows."""


# case → the diagnostic lines on stderr, in order (the summary line aside).
EXPECTED: dict[str, list[str]] = {
    "unparsable_yaml.yaml": [
        Part("ERROR unparsable_yaml.yaml:8: not valid YAML/JSON: ")
    ],
    "unparsable_json.json": [
        Part("ERROR unparsable_json.json:7: not valid YAML/JSON: ")
    ],
    "duplicate_keys.yaml": [
        "ERROR duplicate_keys.yaml:11#/paths/~1pets/get: duplicate key 'get' (first defined on line 7)"
    ],
    "empty.yaml": ["ERROR empty.yaml: the file is empty"],
    "comments_only.yaml": [
        "ERROR comments_only.yaml: the file is empty (or holds only comments)"
    ],
    "binary.yaml": [
        "ERROR binary.yaml: the file is binary (it contains NUL bytes), not YAML or JSON text"
    ],
    "latin1.yaml": [
        "ERROR latin1.yaml:3: not UTF-8 text: invalid byte 0xe9 at offset 33 (hint: save the file as UTF-8)"
    ],
    "not_openapi.yaml": [
        "ERROR not_openapi.yaml:1: not an OpenAPI document: no 'openapi' field (it looks like a JSON Schema)"
    ],
    "not_a_mapping.yaml": [
        "ERROR not_a_mapping.yaml:1: the document is a list, expected a mapping (an OpenAPI object)"
    ],
    "swagger2.yaml": [
        "ERROR swagger2.yaml:1#/swagger: this is a Swagger 2.0 document; only OpenAPI 3.0 and 3.1 are supported"
        " (hint: convert it first, e.g. with swagger2openapi or the Swagger Editor's 'Convert to OpenAPI 3')"
    ],
    "unsupported_version.yaml": [
        "ERROR unsupported_version.yaml:1#/openapi: unsupported OpenAPI version '4.0.0'; supported: 3.0.x and 3.1.x"
    ],
    "version_not_a_string.yaml": [
        "ERROR version_not_a_string.yaml:1#/openapi: unsupported OpenAPI version 3.0; supported: 3.0.x and 3.1.x"
        " (hint: quote the version: YAML reads 3.0 as a number)"
    ],
    "dangling_ref.yaml": [
        "ERROR dangling_ref.yaml:14#/paths/~1pets/get/responses/200/content/application~1json/schema/$ref:"
        " $ref '#/components/schemas/Pets' points to nothing (#/components/schemas/Pets does not exist)"
    ],
    "ref_cycle.yaml": [
        "ERROR ref_cycle.yaml:9#/components/schemas/A/$ref: $ref cycle that never resolves:"
        " #/components/schemas/B → #/components/schemas/A → #/components/schemas/B",
        "ERROR ref_cycle.yaml:11#/components/schemas/B/$ref: $ref cycle that never resolves:"
        " #/components/schemas/A → #/components/schemas/B → #/components/schemas/A",
    ],
    "python_tag.yaml": [f"ERROR python_tag.yaml:6#/x-setup: {TAG}"],
    # A dangling $ref no longer hides the other problems: all of them in one run.
    "unknown_type_and_dangling_ref_30.yaml": [
        "ERROR unknown_type_and_dangling_ref_30.yaml:8#/paths/~1a/get/responses/200/content/application~1json/schema/type:"
        " unknown schema type 'integr' (hint: did you mean 'integer'?)",
        "ERROR unknown_type_and_dangling_ref_30.yaml:12#/paths/~1a/post/responses/200/content/application~1json/schema/$ref:"
        " $ref '#/components/schemas/Nope' points to nothing (#/components/schemas/Nope does not exist)",
        "ERROR unknown_type_and_dangling_ref_30.yaml:15#/components/schemas/S/properties/a/type:"
        " unknown schema type 'strin' (hint: did you mean 'string'?)",
    ],
    # OpenAPI 3.1's meta-schema does not look into schemas: our own rules do (an unsatisfiable schema is a warning).
    "unknown_type_unsatisfiable_31.yaml": [
        "ERROR unknown_type_unsatisfiable_31.yaml:8#/paths/~1a/get/responses/200/content/application~1json/schema/type:"
        " unknown schema type 'integr' (hint: did you mean 'integer'?)",
        "WARNING unknown_type_unsatisfiable_31.yaml:14#/components/schemas/S/required/0: required property 'missing' is not"
        " among the properties and additionalProperties is false, so no value can ever satisfy this schema;"
        " the models do not require it (hint: add the property, or drop it from required)",
    ],
    # An unquoted status code is the number 200 in YAML: the explanation still finds it.
    "numeric_status_key.yaml": [
        "ERROR numeric_status_key.yaml:8#/paths/~1a/get/responses/200/content/application~1json/schema/properties/a/type:"
        " unknown schema type 'strin' (hint: did you mean 'string'?)",
    ],
    "alias_bomb.yaml": [
        "ERROR alias_bomb.yaml: the document's aliases expand it by over 2000000 nodes (an alias bomb?)"
    ],
    "huge.yaml": [
        "ERROR huge.yaml: the file is too large: over the limit of 512 bytes"
    ],
    "deep_document.json": [
        "ERROR deep_document.json:1#/x-deep/0/0/0: the document is nested deeper than 256 levels below this point"
    ],
    "deep_text.json": [
        "ERROR deep_text.json: the document is nested deeper than 256 levels"
    ],
    "deep_schema.yaml": [
        "ERROR deep_schema.yaml:8#/components/schemas/Deep: the schema is nested deeper than 64 levels"
        " (hint: name inner schemas in components/schemas and $ref them)"
    ],
    "duplicate_operation_id.yaml": [
        "ERROR duplicate_operation_id.yaml:13#/paths/~1cats/get/operationId: duplicate operationId 'ListPets' (also at /paths/~1pets/get)"
    ],
    "no_responses.yaml": [
        "ERROR no_responses.yaml:7#/paths/~1pets/get: operation has no responses (hint: add at least one, e.g. '200': {description: OK})"
    ],
    "invalid_status_code.yaml": [
        f"ERROR invalid_status_code.yaml:11#/paths/~1pets/get/responses/600: invalid status code '600': {STATUS}",
        f"ERROR invalid_status_code.yaml:12#/paths/~1pets/get/responses/2xx: invalid status code '2xx': {STATUS}",
    ],
    "parameter_without_schema.yaml": [
        "ERROR parameter_without_schema.yaml:10#/paths/~1pets/get/parameters/0: parameter 'limit' has neither a schema"
        f" nor a content, so its type is unknown {SCHEMA_HINT}"
    ],
    "undeclared_path_parameter.yaml": [
        "ERROR undeclared_path_parameter.yaml:7#/paths/~1pets~1{petId}/get: path template parameter {petId} is not"
        " declared as an 'in: path' parameter"
    ],
    "array_without_items.yaml": [
        "ERROR array_without_items.yaml:12#/paths/~1pets/get/parameters/0/schema: schema of type array has no items,"
        f" so its element type is unknown (OpenAPI 3.0 requires items) {ARRAY_HINT}",
        "ERROR array_without_items.yaml:24#/components/schemas/Pets/properties/tags: schema of type array has no items,"
        f" so its element type is unknown (OpenAPI 3.0 requires items) {ARRAY_HINT}",
    ],
    "several_problems.yaml": [
        "ERROR several_problems.yaml:8#/paths/~1pets~1{petId}/get: path template parameter {petId} is not declared as an 'in: path' parameter",
        "ERROR several_problems.yaml:11#/paths/~1pets~1{petId}/get/parameters/0: parameter 'verbose' has neither a schema"
        f" nor a content, so its type is unknown {SCHEMA_HINT}",
        "ERROR several_problems.yaml:18#/paths/~1pets~1{petId}/get/responses/200/content/application~1json/schema:"
        f" schema of type array has no items, so its element type is unknown (OpenAPI 3.0 requires items) {ARRAY_HINT}",
        f"ERROR several_problems.yaml:20#/paths/~1pets~1{{petId}}/get/responses/99: invalid status code '99': {STATUS}",
        "ERROR several_problems.yaml:23#/paths/~1cats/get/operationId: duplicate operationId 'GetPet' (also at /paths/~1pets~1{petId}/get)",
    ],
    "remote_ref.yaml": [
        "ERROR remote_ref.yaml:14#/paths/~1pets/get/responses/200/content/application~1json/schema/$ref:"
        " $ref 'https://schemas.example.com/pet.yaml' points to a URL"
        " (hint: remote references are refused by default; fetch them with --allow-remote-refs (allow_remote_refs=True))"
    ],
    "unsupported_ref_scheme.yaml": [
        "ERROR unsupported_ref_scheme.yaml:9#/components/schemas/Pet/$ref: $ref 'ftp://schemas.example.com/pet.yaml'"
        " uses an unsupported scheme: only relative file paths and http(s) URLs are followed"
    ],
    "ref_missing_file": [
        "ERROR openapi.yaml:11#/paths/~1pets/get/responses/default/$ref: $ref 'common.yaml#/components/responses/Error'"
        " points to a file that does not exist: common.yaml"
    ],
    "ref_escapes_dir": [
        "ERROR openapi.yaml:15#/paths/~1pets/get/responses/200/content/application~1json/schema/$ref:"
        f" $ref '../shared/pet.yaml' points outside the spec's directory {EXTERNAL_HINT}"
    ],
    "ref_absolute_path": [
        f"ERROR openapi.yaml:9#/components/schemas/Pet/$ref: $ref '/schemas/pet.yaml' points outside the spec's directory {EXTERNAL_HINT}"
    ],
    "ref_broken_file": [
        "ERROR responses.yaml:4#/PetList/description: duplicate key 'description' (first defined on line 3)",
        f"ERROR responses.yaml:5#/PetList/x-build: {TAG}",
    ],
    "ref_dangling_in_other_file": [
        "ERROR schemas/pet.yaml:4#/properties/owner/$ref: $ref '../common.yaml#/components/schemas/Owner' points to"
        " nothing (#/components/schemas/Owner does not exist in common.yaml)",
        "ERROR schemas/pet.yaml:6#/properties/tag/$ref: $ref '#/definitions/Tag' points to nothing (#/definitions/Tag does not exist)",
    ],
    "ref_cycle_across_files": [
        "ERROR a.yaml:2#/$ref: $ref cycle that never resolves: b.yaml → a.yaml → b.yaml",
        "ERROR b.yaml:1#/$ref: $ref cycle that never resolves: a.yaml → b.yaml → a.yaml",
    ],
    "ref_problem_in_other_file": [
        f"ERROR schemas/pet.yaml:5#/properties/tags: schema of type array has no items, so its element type is unknown (OpenAPI 3.0 requires items) {ARRAY_HINT}"
    ],
}
# Bounds lowered for a case, so its fixture can stay small.
LIMITS = {"huge.yaml": {"MAX_BYTES": 512}}


def spec_of(case: str) -> Path:
    """The spec file of a case: the file itself, or a folder's openapi.yaml."""
    path = HERE / case
    return path / "openapi.yaml" if path.is_dir() else path


def snapshot(root: Path) -> dict[str, tuple[bytes, int] | None]:
    """Content and mtime of every file (None for directories) under root."""
    return {
        p.relative_to(root).as_posix(): (
            (p.read_bytes(), p.stat().st_mtime_ns) if p.is_file() else None
        )
        for p in sorted(root.rglob("*"))
    }


def old_output(tmp_path: Path) -> Path:
    """An output directory from an earlier run, with a file in it."""
    out = tmp_path / "out"
    (out / "docs").mkdir(parents=True)
    (out / "keep.txt").write_text("from an earlier run\n")
    (out / "docs" / "index.md").write_text("# old docs\n")
    return out


def run_cli(
    spec: Path, out: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, list[str], str]:
    """Exit code, diagnostic lines and the whole stderr of `generate`."""
    code = main(
        ["generate", "--spec", str(spec), "--out", str(out), "--flavor", "pydantic"]
    )
    err = capsys.readouterr().err
    return (
        code,
        [line for line in err.splitlines() if not line.endswith("nothing was written")],
        err,
    )


def assert_lines(lines: list[str], expected: list[str]) -> None:
    """Each line equals (or, for a Part, starts with) its expectation, in order."""
    assert len(lines) == len(expected), "\n".join(lines)
    for line, want in zip(lines, expected):
        assert (
            line.startswith(want) if isinstance(want, Part) else line == want
        ), f"{line}\n!=\n{want}"


def test_every_fixture_has_an_expectation() -> None:
    """No fixture without its expected diagnostics (the positive `ok_*` fixtures aside)."""
    fixtures = {
        p.name
        for p in HERE.iterdir()
        if p.suffix in (".yaml", ".json") or (p.is_dir() and p.name.startswith("ref_"))
    }
    assert fixtures - {"ref_symlink_escape"} - {
        f for f in fixtures if f.startswith("ok_")
    } == set(EXPECTED)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_broken_spec(
    case: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Exit 2 with exactly the expected located diagnostics; no traceback; the old output is untouched."""
    for name, value in LIMITS.get(case, {}).items():
        monkeypatch.setattr(loader, name, value)
    out = old_output(tmp_path)
    before = snapshot(out)
    code, lines, err = run_cli(spec_of(case), out, capsys)
    assert code == 2, err
    assert "Traceback" not in err
    assert err.rstrip().endswith("nothing was written")
    assert_lines(lines, EXPECTED[case])
    assert snapshot(out) == before


def test_symlink_out_of_the_spec_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file inside the directory that is a symlink to one outside is refused like `../`."""
    case = tmp_path / "case"
    shutil.copytree(HERE / "ref_symlink_escape", case)
    (tmp_path / "secret.yaml").write_text("type: string\n")
    os.symlink(os.path.join("..", "secret.yaml"), case / "pet.yaml")
    out = old_output(tmp_path)
    before = snapshot(out)
    code, lines, err = run_cli(case / "openapi.yaml", out, capsys)
    assert code == 2 and "Traceback" not in err
    assert lines == [
        "ERROR openapi.yaml:9#/components/schemas/Pet/$ref: $ref 'pet.yaml' points outside the spec's directory"
        f" (through a symlink) {EXTERNAL_HINT}"
    ]
    assert snapshot(out) == before


def test_a_missing_spec_leaves_no_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A spec path that is a directory: exit 2, one line, nothing created."""
    code, lines, err = run_cli(HERE / "ref_missing_file", tmp_path / "out", capsys)
    assert code == 2 and "Traceback" not in err
    assert lines == [
        "ERROR ref_missing_file: expected a spec file, got a directory: "
        + str(HERE / "ref_missing_file")
    ]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("case", "notices"),
    [
        ("ok_multifile", []),
        (
            "ok_webhooks_only_31.yaml",
            [
                "WARNING ok_webhooks_only_31.yaml:8#/webhooks/petAdopted: webhook 'petAdopted' is left out: webhooks are"
                " requests the API sends to you, so the client has no method for them"
            ],
        ),
        (
            "ok_extensions_31.yaml",
            [
                "INFO ok_extensions_31.yaml:34#/paths/~1pets/post: operation has no responses (allowed in OpenAPI 3.1)"
            ],
        ),
    ],
)
def test_valid_specs_generate(
    case: str, notices: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Multi-file specs, 3.1 webhooks-only documents and unknown extensions come through."""
    out = tmp_path / "out"
    code, lines, err = run_cli(spec_of(case), out, capsys)
    assert code == 0, err
    assert lines == notices
    assert (out / "manifest.json").is_file() and any(out.glob("pydantic/*/models/_*.py"))
