"""Parsing in cached pieces: the same data, lines and $ref holders as a whole parse, or a whole parse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from acs_sdkgen.diagnostics import Collector, SpecError, line_in
from acs_sdkgen.spec import loader, pieces
from acs_sdkgen.spec.loader import load_spec


@pytest.fixture(autouse=True)
def _small_pieces(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Cut every document, down to small entries, into a cache of this test's own."""
    monkeypatch.setenv("ACS_SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(pieces, "MIN_BYTES", 0)
    monkeypatch.setattr(pieces, "SPLIT_BYTES", 8)


NESTED = """\
# a comment before everything
openapi: 3.0.3
info:
  title: T
  description: |+
    kept trailing lines

paths:
  /a/{id}:
    get:
      parameters:
      - name: id
        in: path
        schema: {$ref: '#/components/schemas/Id'}
      responses:
        '200':
          description: "quoted
            and folded"
  "/b~c":
    $ref: '#/components/pathItems/B'
    summary: a path item that refers
components:
  schemas:
    Id:
      type: integer
      enum:
      - 1
      - 2
    Text:
      description: >-
        folded

        text
      type: string
# a comment at the end
"""


def _whole(text: str) -> pieces.Parsed:
    """The text parsed at once."""
    return loader._parse_whole(text, False, Collector("spec.yaml"))


def _same(cut: pieces.Parsed, whole: pieces.Parsed) -> None:
    """Equal data (key order included), lines, key counts and $ref holders (the objects inside the data)."""
    assert json.dumps(cut.data) == json.dumps(whole.data)
    assert cut.lines == whole.lines and len(cut.lines) == len(whole.lines)
    assert all(cut.lines[pointer] == line for pointer, line in whole.lines.items())  # each looked up on its own
    assert cut.keys == whole.keys
    assert [pointer for pointer, _ in cut.refs] == [pointer for pointer, _ in whole.refs]
    assert all(pieces.at_pointer(cut.data, pointer) is holder for pointer, holder in cut.refs)


@pytest.mark.parametrize(
    "text",
    [
        NESTED,
        NESTED.replace("\n", "\r\n"),
        NESTED.rstrip("\n"),
        "openapi: 3.1.0\npaths:\n    /x:\n        get:\n            summary: s\n            responses: {}\n",
        "info:\n  a: 1\n  b:\n    c: [1, 2]\n  d: |\n    last line, no break at the end",
        "paths:\n  ? /a very long key\n  : get: {}\n  -dash-key: 1\n  b:\n  - x\n",
    ],
    ids=["nested", "crlf", "no-final-break", "four-spaces", "block-scalar-at-end", "complex-and-dash-keys"],
)
def test_pieces_match_a_whole_parse(text: str) -> None:
    """Cut into pieces (first parsed, then from the cache) the document reads exactly as when parsed whole."""
    whole = _whole(text.replace("\r\n", "\n"))
    for _ in range(2):
        cut = pieces.parse_in_pieces(text, loader._parse_piece)
        assert cut is not None
        _same(cut, whole)


@pytest.mark.parametrize(
    "text",
    [
        'a:\n  b: "open quote\ncontinued at column 0"\n',  # a quoted scalar broken below its key's indentation
        "{a: {b: 1}}\n",  # flow style
        "%YAML 1.2\n---\na:\n  b: 1\n",  # a directive
        "a:\n  b: *undefined\n",  # an alias without its anchor
        "a:\n  b: 1\na:\n  c: 2\n",  # a duplicate key where the document is cut
        "a:\n  b: !custom 1\n",  # a tag
        "- a\n- b\n",  # not a mapping
        "a:\n  b: 1\n c: 2\n",  # broken indentation
    ],
    ids=["quoted-at-column-0", "flow", "directive", "alias", "duplicate", "tag", "sequence", "indentation"],
)
def test_what_cutting_cannot_be_sure_of_is_parsed_whole(text: str) -> None:
    """The cutter gives up (the caller parses the whole document, with its own messages)."""
    assert pieces.parse_in_pieces(text, loader._parse_piece) is None


def test_an_edit_reparses_only_its_piece(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After one load, changing one description parses one piece again; the result is a whole parse's."""
    parsed: list[str] = []
    original = loader._parse_piece

    def counting(text: str, depth: int) -> str | None:
        parsed.append(text)
        return original(text, depth)

    monkeypatch.setattr(loader, "_parse_piece", counting)
    path = tmp_path / "spec.yaml"
    path.write_text(NESTED)
    load_spec(path)
    first = len(parsed)
    edited = NESTED.replace("folded\n\n        text", "edited\n\n        text")
    path.write_text(edited)
    spec = load_spec(path)
    assert first > 10 and parsed[first:] == ["      description: >-\n        edited\n\n        text\n"]
    whole = _whole(edited)
    assert json.dumps(spec.data) == json.dumps(whole.data) and spec.lines == whole.lines


def test_a_broken_edit_gets_the_whole_parse_message(tmp_path: Path) -> None:
    """A piece that no longer parses sends the loader to a whole parse, which locates the problem."""
    path = tmp_path / "spec.yaml"
    path.write_text(NESTED)
    load_spec(path)
    path.write_text(NESTED.replace("      type: integer\n", "      type: integer\n      type: string\n"))
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert [d.format() for d in info.value.diagnostics] == [
        "ERROR spec.yaml:26#/components/schemas/Id/type: duplicate key 'type' (first defined on line 25)"
    ]


def test_without_a_cache_pieces_are_parsed_all_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the cache off the cut still applies (it is cheaper than a whole parse) and gives the same result."""
    monkeypatch.setenv("ACS_SDKGEN_CACHE_DIR", "off")
    cut = pieces.parse_in_pieces(NESTED, loader._parse_piece)
    assert cut is not None
    _same(cut, _whole(NESTED))


def test_a_pointer_outside_every_piece_has_no_line() -> None:
    """The map of lines, decoded piece by piece when looked up, answers as a dict would: a pointer no node has is
    missing, and `line_in` gives the line of the nearest node above it."""
    parsed = pieces.parse_in_pieces(NESTED, loader._parse_piece)
    whole = _whole(NESTED)
    assert parsed is not None and isinstance(parsed.lines, pieces.PieceLines)
    for pointer in ("/paths/~1a~1{id}/get/nothing", "/nothing", "/paths/~1nowhere", "/components/schemas/Id/enum/9"):
        assert pointer not in parsed.lines and pointer not in whole.lines
    assert line_in(parsed.lines, "/paths/~1a~1{id}/get/nothing") == whole.lines["/paths/~1a~1{id}/get"] == 10
    assert line_in(parsed.lines, "/paths/~1b~0c/x") == whole.lines["/paths/~1b~0c"]
