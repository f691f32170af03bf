"""A spec's skeleton: its prose out as numbered runs of words and back in, through what the front end does to prose."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from acs_sdkgen.ir.build import _summary
from acs_sdkgen.spec.prose import ProseLost, Skeleton, holders, restore, restore_text

TEXTS = [
    "Lists the instances.",
    "  Padded,  with   runs of spaces  ",
    "First paragraph\nwrapped over lines.\n\nSecond paragraph.\n",
    "Tabs\tand\u00a0no-break\u2003spaces, a\x1cseparator",
    'Quotes " and \' and a backslash \\ and `code`',
    "Ünïcödé, emoji 🎉, and CJK 文字",
    "",
    "   \n  ",
    "x",
]


def _skeleton_of(text: str) -> tuple[str, list[str]]:
    """The skeleton of one description, and its runs."""
    skeleton = Skeleton({"description": text})
    return skeleton.doc["description"], skeleton.runs


@pytest.mark.parametrize("text", TEXTS)
def test_prose_comes_back_through_what_the_front_end_does_to_it(text: str) -> None:
    """Put back after stripping, taking the summary, or writing as JSON (inside a larger JSON text too), the runs
    give what the same step gives on the text itself."""
    placed, runs = _skeleton_of(text)
    assert restore_text(placed, runs) == text
    assert restore_text(placed.strip(), runs) == text.strip()
    assert restore_text(_summary(placed), runs) == _summary(text)
    encoder = json.JSONEncoder(ensure_ascii=False)
    assert restore_text(encoder.encode({"d": placed, "n": [placed]}), runs) == encoder.encode({"d": text, "n": [text]})
    assert bool(placed) == bool(text) and bool(placed.strip()) == bool(text.strip())


def test_a_wording_edit_keeps_the_skeleton_and_a_new_line_changes_it() -> None:
    """Words changed inside a line give the same skeleton; a line break or a blank line added does not."""
    base = _skeleton_of("Returns the list.\nSorted by name.")[0]
    assert _skeleton_of("Returns the whole list (edited).\nSorted by its name.")[0] == base
    assert _skeleton_of("Returns the list.\n\nSorted by name.")[0] != base
    assert _skeleton_of("Returns the list. Sorted by name.")[0] != base


def test_only_the_specs_own_descriptions_and_summaries_are_prose() -> None:
    """Examples, defaults, enums, a discriminator's mapping and extensions are the user's data, kept as written;
    a property named `description` is a schema, walked into."""
    doc = {
        "info": {"title": "T", "description": "About."},
        "components": {
            "schemas": {
                "Pet": {
                    "description": "A pet.",
                    "properties": {"description": {"type": "string", "description": "Its description."}},
                    "example": {"description": "kept"},
                    "default": {"summary": "kept"},
                    "enum": ["kept"],
                    "discriminator": {"propertyName": "kind", "mapping": {"description": "#/components/schemas/Pet"}},
                    "x-notes": {"description": "kept"},
                }
            }
        },
    }
    skeleton = Skeleton(doc)
    pet = skeleton.doc["components"]["schemas"]["Pet"]
    assert skeleton.runs == ["About.", "A pet.", "Its description."]
    assert pet["example"] == {"description": "kept"} and pet["default"] == {"summary": "kept"}
    assert pet["discriminator"]["mapping"] == {"description": "#/components/schemas/Pet"}
    assert pet["x-notes"] == {"description": "kept"} and pet["enum"] == ["kept"]
    assert doc["info"]["description"] == "About."  # the document itself is not changed
    assert skeleton.dumped() is not None


@pytest.mark.parametrize("where", [{"description": "a\x01b"}, {"enum": ["a\x01"]}, {"x\x01": 1}, {"pattern": "\\u0001"}])
def test_a_document_holding_the_mark_is_not_clean(where: dict[str, object]) -> None:
    """A spec that holds the placeholders' mark anywhere (a JSON spec can) is never read through its skeleton."""
    assert Skeleton({"paths": {}, "components": where}).dumped() is None


@pytest.mark.parametrize("form", ["'\\x010\\x02'", "\x010", "prefix \\u00010"])
def test_a_placeholder_in_a_form_without_its_run_is_an_error(form: str) -> None:
    """A placeholder quoted as Python, or cut, cannot take its run back: restoring fails instead of guessing."""
    with pytest.raises(ProseLost):
        restore_text(form, ["run"])


def test_prose_compares_alike_only_where_its_runs_do() -> None:
    """Two equal runs give one canonical text; an entry built from one wording holds for another only if the runs
    it compared still compare the same way."""
    first = Skeleton({"a": {"description": "Same."}, "b": {"description": "Same."}, "c": {"description": "Other."}})
    texts = [json.dumps(first.doc[key]) for key in "abc"]
    assert first.canonical(texts[0]) == first.canonical(texts[1]) != first.canonical(texts[2])
    compared = first.compared
    reworded = Skeleton({"a": {"description": "Both."}, "b": {"description": "Both."}, "c": {"description": "Else."}})
    assert reworded.doc == first.doc and reworded.wording().alike(compared)
    parted = Skeleton({"a": {"description": "Same."}, "b": {"description": "Now other."}, "c": {"description": "Other."}})
    assert parted.doc == first.doc and not parted.wording().alike(compared)


@dataclass(frozen=True)
class Leaf:
    """A stand-in for an IR node."""

    text: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class Root:
    """A stand-in for the IR's root."""

    leaves: tuple[Leaf, ...]
    schema: str
    plain: str


def test_the_places_holding_placeholders_are_found_and_restored_in_place() -> None:
    """Only the attributes that hold a placeholder are visited again; nested dataclasses are found through tuples."""
    placed, runs = _skeleton_of("Two words.\n\nMore.")
    tree = Root((Leaf(placed, ("n", _summary(placed))), Leaf("none", ())), json.dumps({"d": placed}), "plain")
    places = holders(tree)
    assert sorted(name for _, name in places) == ["names", "schema", "text"]
    restore(places, runs)
    assert tree.leaves[0] == Leaf("Two words.\n\nMore.", ("n", "Two words."))
    assert json.loads(tree.schema) == {"d": "Two words.\n\nMore."} and tree.plain == "plain"
