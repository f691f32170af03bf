"""The changelog page: a baseline without history, an entry per public-API change, stable on reruns.

`_render_docs` reads the previous generation's `docs/changelog.json` (an IR snapshot and the entries)
from the output directory, diffs it against the new IR with `acs_sdkgen.changes.diff`, and prepends an entry
when the public API changed.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from acs_sdkgen import pipeline
from acs_sdkgen.changes import changelog
from acs_sdkgen.cli import main
from acs_sdkgen.emit.docs import render_docs
from acs_sdkgen.emit.sdk import runtime_error_names
from acs_sdkgen.emit.templates import environment
from acs_sdkgen.output.files import write_output

from tests.docs.sitetools import CONFIG, ROOT, describe, load_ir, mkdocs_build

SPEC = ROOT / CONFIG.spec


def _changed_spec(tmp_path: Path) -> Path:
    """The spec without CreateInstance's CallingNumber and with a new optional parameter."""
    doc = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    params = doc["paths"]["/#Action=CreateInstance"]["post"]["parameters"]
    params[:] = [p for p in params if p["name"] != "CallingNumber"]
    params.append({"name": "Tag", "in": "query", "required": False, "description": "A tag.", "schema": {"type": "string"}, "example": "blue"})
    path = tmp_path / SPEC.name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _docs(spec: Path, out: Path | None) -> dict[str, bytes]:
    """The docs files `generate` would write for `spec`, given the previous tree in `out`."""
    api = load_ir(spec)
    flavors = CONFIG.resolve(api.package)
    context: dict[str, Any] = {
        "api": api,
        "flavors": flavors,
        "flavor": flavors[0],
        "header": pipeline.HEADER.format(generator="acs-sdkgen", spec=spec.name),
        "runtime_errors": runtime_error_names(),
    }
    return render_docs(environment(), api, context, out)


def _page(files: dict[str, bytes]) -> str:
    return files["docs/docs/changelog.md"].decode()


def test_without_history_the_page_says_so() -> None:
    """A first generation records a baseline and says there is nothing to compare with."""
    files = _docs(SPEC, None)
    page = _page(files)
    assert "## Revision 1" in page and "no earlier spec to compare with" in page
    state = json.loads(files["docs/changelog.json"])
    assert [e["number"] for e in state["entries"]] == [1] and state["entries"][0]["baseline"]


def test_the_state_file_has_one_line_per_operation_and_model() -> None:
    """Each operation, model and entry of the state file is one line, so a spec change shows as changed lines."""
    api = load_ir(SPEC)
    text = _docs(SPEC, None)["docs/changelog.json"].decode()
    state = json.loads(text)
    assert state["api"] == changelog.snapshot(api) and state == json.loads(json.dumps(state, sort_keys=True))
    lines = text.splitlines()
    for op in state["api"]["operations"]:
        assert "   " + json.dumps(op, sort_keys=True, ensure_ascii=False) + "," in lines or "   " + json.dumps(
            op, sort_keys=True, ensure_ascii=False
        ) in lines
    assert len(lines) < 100, "nothing below an operation or a model is spread over lines"


def test_a_spec_change_prepends_an_entry_and_reruns_are_stable(tmp_path: Path) -> None:
    """Changed spec → Revision 2 above Revision 1 with the diff's sections; rerunning changes nothing."""
    out = tmp_path / "out"
    write_output(out, _docs(SPEC, out))
    assert _docs(SPEC, out) == _docs(SPEC, None)  # same spec again: no entry
    changed = _changed_spec(tmp_path)
    second = _docs(changed, out)
    page = _page(second)
    assert page.index("## Revision 2") < page.index("## Revision 1")
    assert "### Breaking changes" in page and "### Added" in page
    assert "Parameter `calling_number` of `create_instance` was removed." in page
    assert "Optional parameter `tag` of `create_instance` was added." in page
    assert "2 changes, 1 of them breaking" in page
    write_output(out, second, overwrite=True)  # the docs files alone carry no manifest
    assert _docs(changed, out) == second  # what `check` sees right after `generate`
    result = mkdocs_build(out / "docs", tmp_path / "site")  # the entries build strict too
    assert result.returncode == 0, describe(result)


def test_snapshot_round_trip_and_older_snapshots() -> None:
    """The IR snapshot decodes to the same public API (internal fields are not kept); older snapshots decode."""
    api = load_ir(SPEC)
    data = json.loads(json.dumps(changelog.snapshot(api)))
    assert "schema" not in data["models"][0] and "openapi_version" not in data
    assert changelog.snapshot(changelog.api_from_snapshot(data)) == changelog.snapshot(api)
    for op in data["operations"]:
        del op["tags"]
    assert changelog.api_from_snapshot(data).operations[0].tags == ()


def test_reading_back_takes_unchanged_items_from_the_new_api(tmp_path: Path) -> None:
    """Items whose snapshot is unchanged are the new IR's own objects; the changed one is decoded, and differs."""
    api = load_ir(SPEC)
    data = json.loads(json.dumps(changelog.snapshot(api)))
    data["operations"][0]["summary"] = "An older summary."
    known = changelog._known_items(api)
    previous = changelog.api_from_snapshot(data, known)
    assert previous.operations[0] is not api.operations[0] and previous.operations[0].summary == "An older summary."
    assert all(old is new for old, new in zip(previous.operations[1:], api.operations[1:]))
    assert all(old is new for old, new in zip(previous.models, api.models))
    assert changelog.snapshot(previous) == data == json.loads(json.dumps(changelog.snapshot(changelog.api_from_snapshot(data))))
    shifted = {**data, "operations": [data["operations"][1], *data["operations"]]}  # items no longer at their places
    assert changelog.snapshot(changelog.api_from_snapshot(shifted, known)) == shifted


def _decoded(value: Any) -> Any:
    """State data with every item text decoded."""
    if isinstance(value, changelog.ItemText):
        return json.loads(value)
    if isinstance(value, dict):
        return {key: _decoded(item) for key, item in value.items()}
    return [_decoded(item) for item in value] if isinstance(value, list) else value


def test_the_state_file_is_read_back_item_by_item_and_only_changed_items_are_decoded(tmp_path: Path) -> None:
    """Each item of the written state's lists is read as its text; the data is the whole file's. Read back against
    the current API, only the item whose text differs is decoded; a file laid out otherwise is decoded whole."""
    api = load_ir(SPEC)
    text = changelog.history(api, "1.0.0", None).state.decode()
    whole = json.loads(text)
    data = changelog._state_data(text)
    assert _decoded(data) == whole
    listed = [item for value in data["api"].values() if isinstance(value, list) for item in value]
    assert len(listed) > 5 and all(isinstance(item, changelog.ItemText) for item in listed)
    assert data["entries"] == whole["entries"]
    start, end = text.index(' "entries": ['), text.index('\n "format"')
    entries_per_line = text[:start] + ' "entries": [\n' + ",\n".join("   " + json.dumps(e) for e in whole["entries"]) + "\n ]," + text[end:]
    others = (json.dumps(whole, indent=3), text.replace("\n", "\r\n"), text.replace(changelog.ITEM_LINE, "\t{"), entries_per_line)
    for other in others:
        assert _decoded(changelog._state_data(other)) == whole
    path = tmp_path / changelog.STATE_FILE
    summary = api.operations[0].summary
    path.write_text(text.replace(json.dumps(summary, ensure_ascii=False), json.dumps("An older summary."), 1), encoding="utf-8")
    previous, entries, version = changelog.read_state(path, changelog._known_items(api))
    assert previous is not None and (len(entries), version) == (1, changelog.STATE_FORMAT)
    assert previous.operations[0] is not api.operations[0] and previous.operations[0].summary == "An older summary."
    assert all(old is new for old, new in zip(previous.operations[1:], api.operations[1:]))
    assert all(old is new for old, new in zip(previous.models, api.models)) and previous.models


def test_an_unreadable_state_file_starts_afresh(tmp_path: Path) -> None:
    """A corrupt changelog.json is treated as no history (a baseline), not as an error."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / changelog.STATE_FILE).write_text("{not json")
    assert "## Revision 1" in _page(_docs(SPEC, tmp_path))


def test_generate_twice_through_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`generate` with a changed spec adds the entry; `check` right after finds the tree current."""
    out = tmp_path / "out"
    args = ["--out", str(out), "-q", "--flavor", "pydantic"]
    assert main(["generate", "--spec", str(SPEC), *args]) == 0
    changed = _changed_spec(tmp_path)
    assert main(["generate", "--spec", str(changed), *args]) == 0
    page = (out / "docs" / "docs" / "changelog.md").read_text(encoding="utf-8")
    assert "## Revision 2" in page and "`calling_number`" in page
    assert main(["check", "--spec", str(changed), *args]) == 0


def test_item_texts_come_from_the_cache_for_unchanged_items_and_write_the_same_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The state is the same with the cache off, cold or warm; warm, only a changed item is snapshotted again."""
    api = load_ir(SPEC)
    monkeypatch.setenv("ACS_SDKGEN_CACHE_DIR", "off")
    uncached = changelog.history(api, "1.0.0", None).state
    monkeypatch.setenv("ACS_SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    snapshotted: list[Any] = []
    real = changelog.snapshot
    monkeypatch.setattr(changelog, "snapshot", lambda value: snapshotted.append(value) or real(value))
    assert changelog.history(api, "1.0.0", None).state == uncached
    assert {id(item) for item in snapshotted} >= {id(op) for op in api.operations}
    snapshotted.clear()
    assert changelog.history(api, "1.0.0", None).state == uncached
    assert not any(item in api.operations or item in api.models for item in snapshotted)
    edited = dataclasses.replace(api, operations=(dataclasses.replace(api.operations[0], summary="Edited."), *api.operations[1:]))
    snapshotted.clear()
    assert b'"summary": "Edited."' in changelog.history(edited, "1.0.0", None).state
    assert [item for item in snapshotted if isinstance(item, type(api.operations[0]))] == [edited.operations[0]]
