"""`diff`: spec-evolution fixture pairs, the three output formats, git revisions and bad input."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from acs_sdkgen.changes.diff import BREAKING, COMPATIBLE, KINDS, diff_apis
from acs_sdkgen.cli import main
from acs_sdkgen.frontend import read_spec

FIXTURES = Path(__file__).resolve().parent / "fixtures"
B, C = BREAKING, COMPATIBLE

# case → the expected (kind, severity, location) of every change, in report order.
EXPECTED: dict[str, list[tuple[str, str, str]]] = {
    "operation_removed": [("operation.removed", B, "describe_instance")],
    "operation_renamed": [("operation.renamed", B, "describe_instance")],
    "parameter_removed": [("parameter.removed", B, "create_instance(calling_number)")],
    "parameter_renamed": [
        ("parameter.added_required", B, "create_instance(instance_name)"),
        ("parameter.renamed", B, "create_instance(instance_name)"),
    ],
    "parameter_wire_renamed": [("parameter.wire_renamed", B, "create_instance(calling_number)")],
    "parameter_made_required": [("parameter.made_required", B, "create_instance(instance_description)")],
    "parameter_added_required": [("parameter.added_required", B, "create_instance(resource_group_id)")],
    "parameter_type_changed": [
        ("parameter.type_changed", B, "create_instance(calling_number)"),
        ("parameter.type_changed", B, "create_instance(max_concurrent_conversation)"),
    ],
    "parameter_type_narrowed": [("parameter.type_narrowed", B, "create_instance(instance_description)")],
    "enum_value_removed": [
        ("model.enum_value_removed", B, "NluServiceType"),
        ("parameter.enum_value_removed", B, "create_instance(nlu_service_type)"),
    ],
    "field_removed": [("field.removed", B, "Instance.creation_time")],
    "field_type_changed": [("field.type_changed", B, "Instance.creation_time")],
    "field_made_optional": [("field.made_optional", B, "Instance.instance_id")],
    "model_removed": [
        ("model.removed", B, "DescribeInstanceResponse"),
        ("operation.response_changed", B, "describe_instance"),
    ],
    "error_removed": [("error.removed", B, "create_instance[InvalidInstanceNameDuplicatedError]")],
    "exception_base_changed": [("exception.base_changed", B, "InvalidInstanceNameDuplicatedError")],
    "operation_added": [("operation.added", C, "delete_instance")],
    "parameter_added": [("parameter.added", C, "create_instance(resource_group_id)")],
    "parameter_made_optional": [("parameter.made_optional", C, "create_instance(max_concurrent_conversation)")],
    "parameter_type_widened": [("parameter.type_widened", C, "create_instance(nlu_service_type)")],
    "enum_value_added": [
        ("model.enum_value_added", C, "NluServiceType"),
        ("parameter.enum_value_added", C, "create_instance(nlu_service_type)"),
    ],
    "field_added": [("field.added", C, "Instance.owner_name")],
    "model_added": [("model.added", C, "Tag")],
    "error_added": [("error.added", C, "create_instance[LimitExceededConcurrentConversationError]")],
    "docs_changed": [
        ("model.docs_changed", C, "CreateInstanceResponse"),
        ("field.docs_changed", C, "Instance.creation_time"),
        ("exception.docs_changed", C, "InvalidInstanceNameDuplicatedError"),
        ("operation.docs_changed", C, "create_instance"),
        ("parameter.docs_changed", C, "create_instance(instance_name)"),
    ],
    "identical": [],
}

MIXED_TEXT = """\
1 breaking change, 4 compatible changes to the public API

Breaking:
  create_instance(calling_number): parameter `calling_number` of `create_instance` was removed [parameter.removed]

Compatible:
  Instance.owner_name: field `owner_name` of `Instance` was added [field.added]
  create_instance(max_concurrent_conversation): parameter `max_concurrent_conversation` of `create_instance` is now optional [parameter.made_optional]
  create_instance(resource_group_id): optional parameter `resource_group_id` of `create_instance` was added [parameter.added]
  describe_instance: documentation of operation `describe_instance` changed [operation.docs_changed]
"""

MIXED_CHANGELOG = """\
### Breaking changes

- Parameter `calling_number` of `create_instance` was removed.

### Added

- Field `owner_name` of `Instance` was added.
- Optional parameter `resource_group_id` of `create_instance` was added.

### Changed

- Parameter `max_concurrent_conversation` of `create_instance` is now optional.
- Documentation of operation `describe_instance` changed.
"""


def _pair(case: str) -> list[str]:
    """The old and new spec paths of a fixture case."""
    return [str(FIXTURES / case / "old.yaml"), str(FIXTURES / case / "new.yaml")]


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the CLI in-process: exit code, stdout, stderr."""
    code = main(["diff", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_every_fixture_case_has_an_expectation() -> None:
    """No fixture directory goes unchecked (the three special cases are tested below)."""
    assert {p.name for p in FIXTURES.iterdir()} == set(EXPECTED) | {"mixed", "broken"}


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_fixture_case(case: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Each spec evolution yields exactly the expected changes; exit 1 iff one is breaking."""
    code, out, err = _run(capsys, *_pair(case), "--format", "json")
    report = json.loads(out)
    assert [(c["kind"], c["severity"], c["location"]) for c in report["changes"]] == EXPECTED[case]
    breaking = any(severity == B for _, severity, _ in EXPECTED[case])
    assert code == (1 if breaking else 0)
    assert report["breaking"] is breaking
    assert err == ""


def test_messages_name_the_python_api(capsys: pytest.CaptureFixture[str]) -> None:
    """Messages use Python names and show old and new types and names."""
    messages = {
        case: [c["message"] for c in json.loads(_run(capsys, *_pair(case), "--format", "json")[1])["changes"]]
        for case in ("parameter_removed", "operation_renamed", "parameter_type_changed", "parameter_wire_renamed")
    }
    assert messages["parameter_removed"] == ["parameter `calling_number` of `create_instance` was removed"]
    assert messages["operation_renamed"] == ["operation `describe_instance` was renamed to `get_instance`"]
    assert messages["parameter_type_changed"][0] == (
        "type of parameter `calling_number` of `create_instance` changed from `list[str]` to `str`"
    )
    assert messages["parameter_wire_renamed"] == [
        "parameter `calling_number` of `create_instance` is now sent as `callingNumber` instead of `CallingNumber`"
    ]


def test_text_report(capsys: pytest.CaptureFixture[str]) -> None:
    """The default report: summary line, breaking changes first."""
    assert _run(capsys, *_pair("mixed")) == (1, MIXED_TEXT, "")


def test_changelog(capsys: pytest.CaptureFixture[str]) -> None:
    """`--changelog` prints a ready-to-paste Markdown entry."""
    assert _run(capsys, *_pair("mixed"), "--changelog") == (1, MIXED_CHANGELOG, "")


def test_json_document(capsys: pytest.CaptureFixture[str]) -> None:
    """`--format json` is a stable document: sorted keys, summary counts, changes in report order."""
    code, out, _ = _run(capsys, *_pair("mixed"), "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert out == json.dumps(report, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert set(report) == {"breaking", "summary", "changes"}
    assert report["breaking"] is True
    assert report["summary"] == {"breaking": 1, "compatible": 4}
    assert all(set(c) == {"kind", "severity", "location", "message"} for c in report["changes"])
    assert [c["severity"] for c in report["changes"]] == [B, C, C, C, C]


def test_identical_specs(capsys: pytest.CaptureFixture[str]) -> None:
    """No change: exit 0 in every format."""
    assert _run(capsys, *_pair("identical")) == (0, "no changes to the public API\n", "")
    assert _run(capsys, *_pair("identical"), "--changelog") == (0, "No changes to the public API.\n", "")
    code, out, _ = _run(capsys, *_pair("identical"), "--format", "json")
    assert (code, json.loads(out)) == (0, {"breaking": False, "summary": {"breaking": 0, "compatible": 0}, "changes": []})


def test_diff_apis_is_pure_and_symmetric() -> None:
    """Swapping the sides turns an addition into a removal; equal APIs give nothing."""
    old, new = (read_spec(path).api for path in _pair("operation_added"))
    assert diff_apis(old, old) == []
    assert [c.kind for c in diff_apis(old, new)] == ["operation.added"]
    assert [(c.kind, c.severity) for c in diff_apis(new, old)] == [("operation.removed", B)]


def test_broken_new_spec(capsys: pytest.CaptureFixture[str]) -> None:
    """A spec error on either side: its diagnostic on stderr, nothing compared, exit 2."""
    code, out, err = _run(capsys, *_pair("broken"))
    assert (code, out) == (2, "")
    assert "new.yaml:" in err and "RPC-style spec: operation has no x-acs-action naming its action" in err
    assert err.rstrip().endswith("1 error(s); nothing was compared")


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A path that is neither a file nor REV:PATH is a bad input."""
    code, _, err = _run(capsys, str(tmp_path / "nope.yaml"), _pair("identical")[1])
    assert code == 2 and "spec file not found" in err


@pytest.fixture
def git_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A throwaway repository whose spec.yaml has two commits (mixed/old, then mixed/new); cwd is inside it."""
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    ident = ["-c", "user.name=test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false"]

    def git(*args: str) -> None:
        subprocess.run(["git", *ident, *args], check=True, capture_output=True, env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1"})

    git("init", "-q")
    for side in ("old", "new"):
        (tmp_path / "spec.yaml").write_bytes((FIXTURES / "mixed" / f"{side}.yaml").read_bytes())
        git("add", "spec.yaml")
        git("commit", "-q", "--no-verify", "-m", side)
    return tmp_path


def test_git_revisions(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`REV:PATH` sides are read with git show in the current repository."""
    assert _run(capsys, "HEAD~1:spec.yaml", "HEAD:spec.yaml") == (1, MIXED_TEXT, "")
    assert _run(capsys, "HEAD~1:spec.yaml", "spec.yaml", "--changelog") == (1, MIXED_CHANGELOG, "")
    assert _run(capsys, "HEAD:spec.yaml", "spec.yaml") == (0, "no changes to the public API\n", "")


def test_bad_git_revision(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown revision or path is a clear error, exit 2."""
    code, out, err = _run(capsys, "no-such-rev:spec.yaml", "spec.yaml")
    assert (code, out) == (2, "")
    assert err.startswith("ERROR no-such-rev:spec.yaml: cannot read the spec from git: fatal:")
    code, _, err = _run(capsys, "HEAD:missing.yaml", "spec.yaml")
    assert code == 2 and "missing.yaml" in err and "cannot read the spec from git" in err


def test_format_and_changelog_exclude_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    """Only one output format at a time."""
    with pytest.raises(SystemExit) as exc:
        main(["diff", *_pair("identical"), "--format", "json", "--changelog"])
    assert exc.value.code == 2


def test_ci_recipe_documents_every_kind_and_shows_real_output() -> None:
    """docs/ci-recipe.md lists each change kind under its severity and quotes the actual reports."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "ci-recipe.md").read_text(encoding="utf-8")
    breaking, compatible = doc.split("- **breaking**", 1)[1].split("- **compatible**", 1)
    compatible = compatible.split("\n\n", 1)[0]
    for kind, (severity, _) in KINDS.items():
        assert f"`{kind}`" in (breaking if severity == B else compatible), kind
    assert MIXED_TEXT in doc and MIXED_CHANGELOG in doc
