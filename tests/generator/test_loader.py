"""The safe loader: located parse errors, duplicate keys, tags that are never executed, bounds."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.diagnostics import SpecError
from generator.loader import load_spec


def _errors(tmp_path: Path, content: bytes, name: str = "spec.yaml") -> list[str]:
    """Formatted diagnostics of loading `content`."""
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SpecError) as info:
        load_spec(path)
    return [d.format() for d in info.value.diagnostics]


def test_line_map_and_hash(tmp_path: Path) -> None:
    """Pointers map to 1-based lines; the sha256 is of the raw bytes."""
    path = tmp_path / "ok.yaml"
    path.write_text("openapi: 3.0.3\ninfo:\n  title: t\n  version: '1'\npaths: {}\n")
    spec = load_spec(path)
    assert spec.lines["/info/title"] == 3
    assert spec.data["info"]["version"] == "1"
    assert len(spec.sha256) == 64


def test_duplicate_keys(tmp_path: Path) -> None:
    """Both occurrences' lines are named."""
    errors = _errors(tmp_path, b"openapi: 3.0.3\ninfo:\n  title: a\n  title: b\n")
    assert errors == [
        "ERROR spec.yaml:4#/info/title: duplicate key 'title' (first defined on line 3)"
    ]


def test_python_tags_are_refused_not_executed(tmp_path: Path) -> None:
    """A tag that would construct an object is reported; nothing runs."""
    errors = _errors(
        tmp_path, b"openapi: !!python/object/apply:os.system ['echo pwned']\n"
    )
    assert (
        len(errors) == 1
        and "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed"
        in errors[0]
    )


def test_alias_bomb_is_bounded(tmp_path: Path) -> None:
    """A billion-laughs document stops at the node bound with a clear message."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i-1}'] * 10)}]" for i in range(1, 9)]
    errors = _errors(tmp_path, "\n".join(lines).encode())
    assert "over the limit of 2000000 (alias bomb or huge spec)" in errors[0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"# only a comment\n", "the file is empty (or holds only comments)"),
        (b"\x00\x01binary", "the file is binary"),
        (b"openapi: \xff\xfe\n", "not UTF-8 text"),
        (b"- a\n- b\n", "the document is a list, expected a mapping"),
        (b'{"openapi": "3.0.3", "info": {', "not valid YAML/JSON"),
    ],
)
def test_bad_files(tmp_path: Path, content: bytes, message: str) -> None:
    """Each malformed input gives its own clear message."""
    errors = _errors(tmp_path, content)
    assert any(message in e for e in errors), errors


def test_deep_nesting_is_bounded(tmp_path: Path) -> None:
    """Nesting beyond the bound is refused, not a RecursionError."""
    errors = _errors(tmp_path, ("[" * 300 + "]" * 300).encode(), "deep.json")
    assert "nested deeper than" in errors[0]
