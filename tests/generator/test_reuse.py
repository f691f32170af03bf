"""The IR reused across edits of wording: what a regeneration reads is what reading the spec afresh gives."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml
from acs_sdkgen import frontend, reuse
from acs_sdkgen.frontend import read_spec
from acs_sdkgen.spec import pieces
from acs_sdkgen.spec.loader import load_spec
from acs_sdkgen.spec.prose import Skeleton, wording_of_pieces

from tests.support.reading import counted_calls, outcome

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted(
    [ROOT / "spec" / "outboundbot.yaml", *(ROOT / "tests" / "fixtures").glob("*/spec.yaml")]
    + [p for p in (ROOT / "tests" / "generator").iterdir() if p.suffix == ".yaml"]
    + [p for p in (ROOT / "tests" / "broken").iterdir() if p.suffix in (".yaml", ".json")]
)


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_reading_through_the_skeleton_gives_what_reading_the_spec_gives(spec: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Read while the skeleton's entry is built and cached, then from that entry: the same IR and diagnostics as
    reading the spec directly."""
    direct = outcome(spec, reused=False)
    assert outcome(spec, reused=True) == direct
    monkeypatch.setattr(frontend, "build_api", _no_build)  # the entry is there: read from it, or refused by validation
    assert _read_from_the_entry(spec, monkeypatch) == direct


def _read_from_the_entry(spec: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, list[str], object]:
    """`outcome` of a read that finds the spec's entry: a spec that validates is not validated again (its notes come
    from the entry)."""
    validated = counted_calls(monkeypatch, frontend, "_validation_notes")
    read = outcome(spec, reused=True)
    assert read[0] == "refused" or not validated
    return read


@pytest.fixture
def small_pieces(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every YAML document read in pieces down to small entries, into a cache of this test's own."""
    monkeypatch.setenv("ACS_SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(pieces, "MIN_BYTES", 0)
    monkeypatch.setattr(pieces, "SPLIT_BYTES", 64)


@pytest.mark.parametrize("spec", [p for p in SPECS if p.suffix == ".yaml"], ids=lambda p: f"{p.parent.name}/{p.name}")
@pytest.mark.usefixtures("small_pieces")
def test_a_spec_read_in_pieces_is_reused_by_its_pieces_skeletons(spec: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Read in pieces, the spec's skeleton is joined from the pieces' own (cached with them), and the entry built
    beside the first read serves the next: the same IR and diagnostics as reading the spec directly."""
    direct = outcome(spec, reused=False)
    assert outcome(spec, reused=True) == direct
    monkeypatch.setattr(frontend, "build_api", _no_build)
    assert _read_from_the_entry(spec, monkeypatch) == direct


IN_PIECES = """\
openapi: 3.0.3
info:
  title: Pieces
  version: '1'
  description: The API, described.
x-internal:
  notes:
    description: data of an extension, not prose
components:
  examples:
    One:
      value:
        description: data of an example, not prose
  schemas:
    Thing:
      description: A thing.
      type: object
      properties:
        name: {type: string, description: Its name.}
paths: {}
"""


@pytest.mark.usefixtures("small_pieces")
def test_the_pieces_skeletons_hold_the_documents_runs(tmp_path: Path) -> None:
    """The runs joined from the pieces are the whole document's, in its order (descriptions inside examples and
    extensions are data, also in pieces cut out of them); new words keep the joined skeleton, a new line changes it."""
    path = tmp_path / "spec.yaml"
    path.write_text(IN_PIECES)
    spec = load_spec(path)
    wording = wording_of_pieces(spec.pieces)
    assert len(spec.pieces) > 10 and wording is not None
    assert wording.runs == Skeleton(spec.data).runs == ["The API, described.", "A thing.", "Its name."]
    path.write_text(IN_PIECES.replace("A thing.", "One thing, reworded."))
    reworded = wording_of_pieces(load_spec(path).pieces)
    assert reworded is not None and reworded.skeleton == wording.skeleton and reworded.runs[1] == "One thing, reworded."
    path.write_text(IN_PIECES.replace("A thing.", "A thing.\n\n        Two lines."))
    parted = wording_of_pieces(load_spec(path).pieces)
    assert parted is not None and parted.skeleton != wording.skeleton


def _no_build(*args: object) -> None:
    """Stands for a build that must not run."""
    raise AssertionError("the IR was built again")


def test_a_reworded_spec_takes_the_ir_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """New words in a description and a summary (the same line breaks): no normalising or building, and the IR
    holds the new words where reading the spec afresh puts them."""
    spec = tmp_path / "outboundbot.yaml"
    text = (ROOT / "spec" / "outboundbot.yaml").read_text(encoding="utf-8")
    spec.write_text(text, encoding="utf-8")
    outcome(spec, reused=True)
    spec.write_text(text.replace("Instance ID.\n", "The ID of the instance to describe, edited.\n", 1), encoding="utf-8")
    direct = outcome(spec, reused=False)
    monkeypatch.setattr(frontend, "build_api", _no_build)
    again = outcome(spec, reused=True)
    assert again == direct
    assert "The ID of the instance to describe, edited." in repr(again[2])


SPLIT_PROPERTY = {
    "openapi": "3.0.3",
    "info": {"title": "Split", "version": "1"},
    "paths": {},
    "components": {
        "schemas": {
            "Base": {"type": "object", "properties": {"name": {"type": "string", "description": "The name."}}},
            "Sub": {
                "allOf": [
                    {"$ref": "#/components/schemas/Base"},
                    {"type": "object", "properties": {"name": {"type": "string", "description": "The name."}}},
                ]
            },
        }
    },
}


def test_an_entry_is_not_reused_where_the_words_it_compared_now_differ(tmp_path: Path) -> None:
    """A property written twice alike lets Sub extend Base; worded otherwise in Sub (the same skeleton), it makes
    Sub hold every property itself. The entry built from the first wording is not taken for the second."""
    spec = tmp_path / "split.json"
    spec.write_text(json.dumps(SPLIT_PROPERTY), encoding="utf-8")
    first = outcome(spec, reused=True)
    assert first == outcome(spec, reused=False)
    reworded: dict[str, Any] = json.loads(json.dumps(SPLIT_PROPERTY))
    reworded["components"]["schemas"]["Sub"]["allOf"][1]["properties"]["name"]["description"] = "Its own name."
    spec.write_text(json.dumps(reworded), encoding="utf-8")
    second = outcome(spec, reused=True)
    assert second == outcome(spec, reused=False)
    assert any("instead of extending" in line for line in second[1])
    assert not any("instead of extending" in line for line in first[1])


def test_a_reused_note_is_at_its_new_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folded description rewrapped onto more lines (the same words' skeleton) moves what follows; the warning
    the cached build reported is located at its place in the new text."""
    def spec_text(description: str) -> str:
        return (
            "openapi: 3.0.3\ninfo: {title: Moved, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    Thing:\n"
            f"      type: object\n      description: >\n{description}      properties:\n"
            "        code: {type: string, pattern: '^(?=a)a+$'}\n"
        )

    spec = tmp_path / "moved.yaml"
    spec.write_text(spec_text("        One thing.\n"), encoding="utf-8")
    outcome(spec, reused=True)
    spec.write_text(spec_text("        One\n        thing,\n        rewrapped.\n"), encoding="utf-8")
    assert yaml.safe_load(spec.read_text(encoding="utf-8"))["components"]["schemas"]["Thing"]["description"] == "One thing, rewrapped.\n"
    monkeypatch.setattr(frontend, "build_api", _no_build)
    read = read_spec(spec, reuse=True)
    (note,) = [d for d in read.diagnostics.items if "look-around" in d.message]
    assert note.line == 13 == spec.read_text(encoding="utf-8").splitlines().index("        code: {type: string, pattern: '^(?=a)a+$'}") + 1
    assert any("One thing, rewrapped." in model.description for model in read.api.models)


def test_a_spec_holding_the_placeholders_mark_is_read_afresh(tmp_path: Path) -> None:
    """A JSON spec may write the control character the placeholders use; it is then read without its skeleton."""
    data: dict[str, Any] = json.loads(json.dumps(SPLIT_PROPERTY))
    data["components"]["schemas"]["Base"]["description"] = "Odd \u0001 text."
    spec = tmp_path / "odd.json"
    spec.write_text(json.dumps(data), encoding="utf-8")
    outcome(spec, reused=True)
    read = read_spec(spec, reuse=True)
    assert read.api.models_by_name["Base"].description == "Odd \u0001 text."


def test_a_spec_over_the_bound_is_read_afresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """A spec with more located nodes than the bound is built from the spec alone: no child doubles its memory."""
    monkeypatch.setattr(reuse, "MAX_NODES", 10)
    monkeypatch.setattr(reuse, "Skeleton", _no_build)
    assert outcome(ROOT / "spec" / "outboundbot.yaml", reused=True) == outcome(ROOT / "spec" / "outboundbot.yaml", reused=False)


@pytest.mark.parametrize("damage", [b"\x80\x05not a pickle", "text where the pickle's bytes belong"])
def test_a_damaged_entry_is_no_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: bytes | str) -> None:
    """An entry that does not unpickle, or is not bytes, is read past: the spec is read directly, as if there were none."""
    monkeypatch.setenv("ACS_SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    spec = ROOT / "spec" / "outboundbot.yaml"
    direct = outcome(spec, reused=False)
    assert outcome(spec, reused=True) == direct  # the entry is built and stored
    with sqlite3.connect(tmp_path / "cache" / reuse.cache.DATABASE) as database:
        damaged = database.execute("UPDATE results SET value = ? WHERE key LIKE ?", (damage, f"{reuse.KIND}/%")).rowcount
    assert damaged == 1
    assert outcome(spec, reused=True) == direct
