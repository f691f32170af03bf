"""JSON read by the json module with a scan for lines: the same data, lines, key count and `$ref` holders as the
YAML parser gives, or no result where it cannot be sure of that."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from acs_sdkgen.diagnostics import Collector
from acs_sdkgen.spec import loader
from acs_sdkgen.spec.json_lines import parse_json

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "spec" / "outboundbot.yaml"

TEXTS = {
    "pretty": json.dumps(yaml.safe_load(SPEC.read_text(encoding="utf-8")), indent=2, ensure_ascii=False, default=str),
    "compact": '{"openapi":"3.0.3","paths":{"/a/{id}":{"get":{"responses":{"200":{"$ref":"#/components/responses/R"}}}}}}',
    "keys": '{\n "a/b": {"~c": 1, "d\\"e": [1, {"$ref": "#/x"}]},\n "\\u00e9t\\u00e9": "\\u00e9",\n "": {}\n}',
    "values on their own line": '{\n  "a":\n    {\n      "b":\n        [\n          1,\n          "x"\n        ]\n    }\n}',
    "brackets in strings": '{"a": "[{,:}]", "b": ["]", "}"], "c": "\\\\", "d": "\\"{"}',
    "numbers and literals": '{"n": [0, -1, 2.5, -0.0, 1e5, 1E-7, 12345678901234567890], "t": true, "f": false, "z": null}',
    "empty containers": '{"a": {}, "b": [], "c": [[], [{}]], "d": [{"e": []}]}',
    "crlf": '{\r\n  "a": 1,\r\n  "b": {\r\n    "$ref": "#/c"\r\n  }\r\n}\r\n',
    "leading blank lines": '\n\n  {"a": [1,\n 2]}',
}


def _yaml_parse(text: str) -> Any:
    """What the YAML parser makes of the text."""
    return loader._parse_whole(text, False, Collector("t"))


def _same(a: Any, b: Any) -> bool:
    """Equal, types included (1 is not 1.0 here), NaN equal to itself."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return bool(a == b)


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_json_reads_as_the_yaml_parser_reads_it(name: str) -> None:
    """Data, every pointer's line, the key count and the `$ref` holders (pointers and objects) are the YAML parser's."""
    text = TEXTS[name]
    fast, slow = parse_json(text, loader.MAX_DEPTH), _yaml_parse(text.replace("\r\n", "\n"))
    assert fast is not None
    assert _same(fast.data, slow.data)
    assert dict(fast.lines) == dict(slow.lines)
    assert fast.keys == slow.keys
    assert [p for p, _ in fast.refs] == [p for p, _ in slow.refs]
    assert all(_same(a, b) for (_, a), (_, b) in zip(fast.refs, slow.refs))


def test_a_surrogate_pair_escape_is_one_character(tmp_path: Path) -> None:
    """JSON writes a character beyond the Basic Multilingual Plane as two escapes: they read as that one character
    (the YAML parser refused the spec); a lone surrogate, which no file can hold, is still refused."""
    spec = tmp_path / "s.json"
    spec.write_text('{"openapi": "3.0.3", "info": {"title": "\\ud83d\\ude00", "version": "1"}, "paths": {}}', encoding="utf-8")
    assert loader.load_spec(spec).data["info"]["title"] == "\U0001f600"
    assert parse_json('{"a": "\\ud83d x"}', loader.MAX_DEPTH) is None
    assert parse_json('{"a": "\\\\ud83d x"}', loader.MAX_DEPTH) is not None  # an escaped backslash, then text


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "a": 2}',  # a duplicate key: the YAML parser reports it at its line
        '{"a": NaN}',  # not JSON; a string to YAML
        '{"a": "x\ty"}',  # a raw control character in a string
        '{"a":\r 1}',  # a lone carriage return: a line break to YAML
        '{"a": "x\u2028y"}',  # a line separator: a line break to YAML
        "[1, 2]",  # not an object
        '{"a": ' + "[" * 300 + "]" * 300 + "}",  # deeper than the bound
        '{"a": 1',  # not JSON at all
    ],
)
def test_what_might_read_otherwise_is_left_to_the_yaml_parser(text: str) -> None:
    """No result: the loader parses the text as YAML, which reads or reports it."""
    assert parse_json(text, loader.MAX_DEPTH) is None


def test_a_json_spec_loads_with_its_lines(tmp_path: Path) -> None:
    """Through the loader: a member's line is its key's, an item's its own, located diagnostics keep them."""
    spec = tmp_path / "s.json"
    spec.write_text(
        '{\n "openapi": "3.0.3",\n "info": {"title": "t", "version": "1"},\n "paths": {\n  "/x": {\n   "get": {\n'
        '    "parameters": [\n     {"name": "a", "in": "query"},\n     {"name": "b", "in": "query"}\n    ]\n   }\n  }\n }\n}\n',
        encoding="utf-8",
    )
    loaded = loader.load_spec(spec)
    assert (loaded.lines["/info"], loaded.lines["/paths/~1x/get"], loaded.lines["/paths/~1x/get/parameters/1"]) == (3, 6, 9)
    assert loaded.lines["/paths/~1x/get/parameters/1/name"] == 9
