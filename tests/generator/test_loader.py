"""The safe loader: located parse errors, duplicate keys, tags that are never executed, bounds."""

from __future__ import annotations

from pathlib import Path

import pytest
from acs_sdkgen.diagnostics import SpecError
from acs_sdkgen.spec import loader
from acs_sdkgen.spec.loader import load_spec


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
    assert errors == ["ERROR spec.yaml: the document's aliases expand it by over 2000000 nodes (an alias bomb?)"]


@pytest.mark.parametrize("aliased", [False, True])
def test_the_node_bound_counts_the_document_and_what_its_aliases_add(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, aliased: bool
) -> None:
    """A large document passes up to the node bound and is refused past it; aliases may add nodes up to their own,
    smaller bound, whatever the document's size."""
    monkeypatch.setattr(loader, "MAX_NODES", 40)
    monkeypatch.setattr(loader, "MAX_ALIAS_NODES", 10)

    def document(entries: int, uses: int) -> bytes:
        """`entries` keys holding three items each (5 nodes apiece, its key counted), then `uses` aliases of the
        first (each adds those 5 nodes, 4 of them new)."""
        body = [f"k{i}: {'&a ' if aliased and i == 0 else ''}[x, y, z]" for i in range(entries)]
        body += [f"u{i}: *a" for i in range(uses)]
        return ("openapi: 3.0.3\n" + "\n".join(body) + "\n").encode()

    path = tmp_path / "spec.yaml"
    path.write_bytes(document(5, 2) if aliased else document(7, 0))  # 38 nodes, the aliases adding 8
    assert load_spec(path).data["openapi"] == "3.0.3"
    over = document(6, 2) if aliased else document(8, 0)  # 43 nodes, the aliases adding 8
    where = "spec.yaml" if aliased else "spec.yaml:1"  # counted before building, or once built (at the document)
    assert _errors(tmp_path, over) == [f"ERROR {where}: the document is too large: over the limit of 40 nodes"]
    if aliased:  # 33 nodes, the aliases adding 20
        bomb = _errors(tmp_path, document(1, 5))
        assert bomb == ["ERROR spec.yaml: the document's aliases expand it by over 10 nodes (an alias bomb?)"]


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


def test_a_member_s_line_is_its_key_s_line(tmp_path: Path) -> None:
    """A block mapping or list is located at its key, not at its first child."""
    path = tmp_path / "ok.yaml"
    path.write_text(
        "openapi: 3.0.3\npaths:\n  /x:\n    get:\n      responses:\n        '200': {description: ok}\n"
    )
    lines = load_spec(path).lines
    assert (
        lines["/paths"],
        lines["/paths/~1x"],
        lines["/paths/~1x/get/responses/200"],
    ) == (2, 3, 6)


def test_size_bound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file over the byte bound is refused without reading it all."""
    monkeypatch.setattr(loader, "MAX_BYTES", 100)
    assert _errors(tmp_path, b"openapi: 3.0.3\n" + b"# padding\n" * 20) == [
        "ERROR spec.yaml: the file is too large: over the limit of 100 bytes"
    ]


@pytest.mark.parametrize(
    "content",
    [
        b"[" * 30_000 + b"]" * 30_000,
        b"- " * 30_000 + b"x\n",
        b"a: " + b"{b: " * 30_000 + b"c" + b"}" * 30_000,
    ],
    ids=["flow-lists", "block-lists", "flow-maps"],
)
def test_nesting_that_would_crash_the_parser_is_refused_first(
    tmp_path: Path, content: bytes
) -> None:
    """libyaml composes recursively in C: such nesting is refused from the text, before it can overflow."""
    assert _errors(tmp_path, content) == [
        "ERROR spec.yaml: the document is nested deeper than 256 levels"
    ]


def test_aliases_within_bounds_are_expanded(tmp_path: Path) -> None:
    """Anchors and aliases are ordinary YAML: shared content is copied, the line map follows the alias."""
    path = tmp_path / "ok.yaml"
    path.write_text(
        "openapi: 3.0.3\nx-a: &shared {type: string}\nx-b: *shared\ninfo: {description: 'Q&A *bold*'}\n"
    )
    spec = load_spec(path)
    assert (
        spec.data["x-b"] == {"type": "string"}
        and spec.data["info"]["description"] == "Q&A *bold*"
    )


def test_merge_keys_are_refused(tmp_path: Path) -> None:
    """`<<` would silently merge content: it is reported instead."""
    errors = _errors(tmp_path, b"x-a: &a {k: v}\nx-b:\n  <<: *a\n")
    assert errors == [
        "ERROR spec.yaml:3#/x-b: YAML merge keys (<<) are not supported in specs"
    ]


def test_an_unexpected_failure_is_a_diagnostic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A library failing in an unforeseen way gives an error naming the exception, not a traceback."""

    def boom(*args: object) -> None:
        raise ValueError("boom")

    monkeypatch.setattr(loader._Builder, "build", boom)
    assert _errors(tmp_path, b"openapi: 3.0.3\n") == [
        "ERROR spec.yaml: cannot load the spec: ValueError: boom"
    ]


def test_scalars_follow_yaml_1_2(tmp_path: Path) -> None:
    """OpenAPI specifies YAML 1.2: yes/no/on/off, leading-zero numbers and dates are strings; `on:` is a key."""
    path = tmp_path / "ok.yaml"
    path.write_text(
        "enum: [yes, no, on, off, True, false, null, ~, 12, 0o17, 0x1F, 0777, 1.5, -.inf, 2019-12-26]\non: 1\n"
    )
    data = load_spec(path).data
    assert data["enum"][:8] == ["yes", "no", "on", "off", True, False, None, None]
    assert data["enum"][8:] == [12, 15, 31, 777, 1.5, float("-inf"), "2019-12-26"]
    assert data["on"] == 1


def test_explicit_tags_must_fit_their_value(tmp_path: Path) -> None:
    """`!!int abc` is reported, not a crash."""
    assert _errors(tmp_path, b"a: !!int abc\n") == [
        "ERROR spec.yaml:1#/a: 'abc' is not a valid int"
    ]


def test_json_strings_may_hold_characters_yaml_refuses(tmp_path: Path) -> None:
    """C1 controls and DEL are valid inside a JSON string (docusign's spec has them) and keep their lines."""
    spec = tmp_path / "s.json"
    spec.write_text('{\n "openapi": "3.0.3",\n "info": {"title": "a\x80b\x7f", "version": "1"}\n}\n', encoding="utf-8")
    loaded = load_spec(spec)
    assert loaded.data["info"]["title"] == "a\x80b\x7f"
    assert loaded.lines["/info"] == 3
    yaml_spec = tmp_path / "s.yaml"
    yaml_spec.write_text("openapi: 3.0.3\ninfo: {title: a\x80b, version: '1'}\n", encoding="utf-8")
    with pytest.raises(SpecError) as refused:
        load_spec(yaml_spec)
    assert "not valid YAML/JSON" in refused.value.diagnostics[0].message, "in YAML they stay refused"


@pytest.mark.parametrize(
    ("text", "mark", "starts"),
    [
        ("&a", "&", True),  # at the start of the text
        ("x: &a 1", "&", True),
        ("x: [&a 1]", "&", True),
        ("x: {k: &a 1}", "&", True),
        ("x: [1,&a 2]", "&", True),
        ("x:\t*a", "*", True),
        ("x:\u3000*a", "*", True),  # any white space, as YAML's reader takes it
        ("Q&A, a && b", "&", True),  # after a space, `&&` is an anchor named `&`
        ("Q&A and R&D", "&", False),
        ("a & b", "&", False),
        ("ends with &", "&", False),
        ("& ,&] &}", "&", False),
        ("- * item\n  2*3 a*b", "*", False),
        ("text **bold**", "*", True),  # an alias named `*bold**`, as YAML reads it
    ],
)
def test_anchor_and_alias_marks_start_a_token_only_after_space_a_flow_indicator_or_the_start(
    text: str, mark: str, starts: bool
) -> None:
    assert loader._starts_a_token(text, mark) is starts
