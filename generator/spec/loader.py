"""Load a spec file safely: bytes → checked text → YAML/JSON nodes → plain data with a line map."""

from __future__ import annotations

import hashlib
import json
import operator
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any

import yaml

from ..diagnostics import (
    Collector,
    Diagnostic,
    Origins,
    SpecError,
    escape_pointer_token,
    kind_of,
    one_line,
)
from .json_lines import parse_json
from .pieces import Parsed, PieceRead, parse_in_pieces
from .prose import piece_wording
from .refs import Document, bundle, is_reference, read_bounded

MAX_BYTES = 64 * 1024 * 1024
# Nodes of one document (its mappings' keys counted too). The largest spec of the public corpus, Microsoft Graph's
# beta (47 MB of JSON), has 3 million; generating it takes about 3 GB.
MAX_NODES = 5_000_000
MAX_ALIAS_NODES = 2_000_000  # nodes that expanding a document's aliases may add: a few anchors reused, not a bomb
MAX_DEPTH = 256
# libyaml composes recursively in C and overflows the stack somewhere past 20,000 levels, so nesting is
# estimated from the text first (flow brackets, block indentation) and anything near that is refused.
MAX_TEXT_NESTING = 2048
_DEPTH_SHOWN = 4  # pointer tokens shown for a too-deep document

_TAG = "tag:yaml.org,2002:"
_STR, _MAP, _SEQ, _MERGE = (_TAG + t for t in ("str", "map", "seq", "merge"))
_NULL, _BOOL, _INT, _FLOAT, _TIMESTAMP = (_TAG + t for t in ("null", "bool", "int", "float", "timestamp"))
_BOOLS = {"true": True, "false": False}
_SPECIAL_FLOATS = {".inf": float("inf"), "+.inf": float("inf"), "-.inf": float("-inf"), ".nan": float("nan")}


# OpenAPI specifies YAML 1.2: by its core schema `yes`, `no`, `on`, `off`, `0777` and dates are strings.
class _NodeLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe (C) node loader, resolving plain scalars by the YAML 1.2 core schema."""

    yaml_implicit_resolvers: dict[str, list[tuple[str, re.Pattern[str]]]] = {}


_FLOAT_12 = r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
for _tag, _pattern, _first in (
    (_NULL, r"^(?:~|null|Null|NULL|)$", "~nN"),
    (_BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    (_INT, r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (_FLOAT, _FLOAT_12, "-+.0123456789"),
    (_MERGE, r"^<<$", "<"),
):
    _NodeLoader.add_implicit_resolver(_tag, re.compile(_pattern), [*_first, ""] if _tag == _NULL else list(_first))
# An alias needs an anchor; both start a token, so they follow whitespace, a flow indicator or the start, and
# their name follows at once (a Markdown bullet `* item` or a lone `&` in prose is neither).
# Searched for as the mark and its name's first character, the text before checked where one is found: a pattern
# that starts with the character before would be tried at every position of the text (40 ms in a 2 MB spec).
_TOKEN_MARKS = {mark: re.compile(re.escape(mark) + r"[^\s,\[\]{}]") for mark in "&*"}
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
# Characters a JSON string may hold as they are but YAML refuses (DEL and C1 controls but NEL, two non-characters):
# in a JSON document they are rewritten as the `\u` escapes that mean the same in both.
_YAML_REFUSED = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff]")
_DEEP_BLOCK = re.compile(r"\n[ \t?:-]{%d}" % MAX_TEXT_NESTING)
_BRACKET_STEPS = {ord("["): "\x02", ord("{"): "\x02", ord("]"): "\x00", ord("}"): "\x00"}


@dataclass(frozen=True)
class LoadedSpec:
    """A parsed spec: its (bundled) data, where each JSON pointer sits, and its identity."""

    path: Path
    display_name: str
    data: dict[str, Any]
    lines: Mapping[str, int]  # pointer → line, in the main file
    sha256: str  # of the main file's bytes, then each of `sources` (name and bytes, in name order)
    origins: Origins | None = None  # where content bundled from other files came from
    notes: tuple[Diagnostic, ...] = ()  # the loader's notices, e.g. a bundled component renamed
    sources: tuple[str, ...] = ()  # other files read: paths relative to the main file's directory, or URLs
    pieces: list[PieceRead] = field(default_factory=list)  # see `Parsed.pieces`


def load_spec(
    path: Path,
    display_name: str | None = None,
    *,
    allow_external_refs: bool = False,
    allow_remote_refs: bool = False,
) -> LoadedSpec:
    """Read, parse and bundle a spec (refs to files beside it; outside or remote ones when allowed), or raise SpecError."""
    name = display_name or path.name
    diag = Collector(name)
    try:
        raw = read_bounded(path, MAX_BYTES)
    except FileNotFoundError:
        diag.error("", f"spec file not found: {path}")
        raise SpecError(diag.items) from None
    except IsADirectoryError:
        diag.error("", f"expected a spec file, got a directory: {path}")
        raise SpecError(diag.items) from None
    except OSError as exc:
        diag.error("", f"cannot read spec file: {exc.strerror or exc}")
        raise SpecError(diag.items) from None
    try:
        parsed = parse_tree(raw, diag)
        main = Document.local(name, path, parsed.data, parsed.lines, parsed.refs)
        if not _wants_bundling(main):
            return LoadedSpec(path, name, main.data, main.lines, hashlib.sha256(raw).hexdigest(), pieces=parsed.pieces)
        bundled = bundle(
            main,
            raw,
            lambda file, data: _tree(parse_tree(data, Collector(file))),
            max_bytes=MAX_BYTES,
            max_nodes=MAX_NODES,
            allow_external_refs=allow_external_refs,
            allow_remote_refs=allow_remote_refs,
        )
    except SpecError:
        raise
    except Exception as exc:  # a library failing on strange input is a spec problem, never a traceback
        diag.error("", f"cannot load the spec: {type(exc).__name__}: {one_line(str(exc))}")
        raise SpecError(diag.items) from None
    return LoadedSpec(
        path, name, main.data, main.lines, bundled.sha256, bundled.origins, tuple(bundled.notes), bundled.sources
    )


def _wants_bundling(main: Document) -> bool:
    """Whether an OpenAPI 3 document refers to anything outside itself."""
    if not str(main.data.get("openapi", "")).startswith("3."):
        return False  # validation explains what the document is instead
    return any(
        isinstance(ref := owner.get("$ref"), str) and not ref.startswith("#") and is_reference(pointer)
        for pointer, owner in main.refs
    )


def parse_document(raw: bytes, diag: Collector) -> tuple[dict[str, Any], Mapping[str, int]]:
    """Parse YAML or JSON bytes into a mapping plus a pointer → line map."""
    parsed = parse_tree(raw, diag)
    return parsed.data, parsed.lines


def _tree(parsed: Parsed) -> tuple[dict[str, Any], Mapping[str, int], list[tuple[str, dict[str, Any]]]]:
    """A parsed document as bundling takes it: its mapping, its line map and every (pointer, object holding a $ref)."""
    return parsed.data, parsed.lines, parsed.refs


def parse_tree(raw: bytes, diag: Collector) -> Parsed:
    """Parse YAML or JSON bytes into a mapping, its line map, every (pointer, object holding a $ref) and the pieces
    it was read in, if it was."""
    text = _decode(raw, diag)
    json_text = text.lstrip().startswith(("{", "["))
    if json_text:  # JSON: characters YAML refuses can only sit in strings
        text = _YAML_REFUSED.sub(lambda found: f"\\u{ord(found[0]):04x}", text)
    if _text_nesting(text) > MAX_TEXT_NESTING:
        diag.error("", f"the document is nested deeper than {MAX_DEPTH} levels")
        raise SpecError(diag.items)
    parsed = parse_json(text, MAX_DEPTH) if json_text else None
    if parsed is None:
        aliased = _starts_a_token(text, "&") and _starts_a_token(text, "*")
        parsed = None if aliased else parse_in_pieces(text, _parse_piece)
        if parsed is None:
            parsed = _parse_whole(text, aliased, diag)
    diag.lines = parsed.lines
    _check_size(len(parsed.lines) + parsed.keys, diag)
    return parsed


def _starts_a_token(text: str, mark: str) -> bool:
    """Whether `mark` (an anchor's `&`, an alias's `*`) starts a token somewhere in `text`."""
    for found in _TOKEN_MARKS[mark].finditer(text):
        before = text[found.start() - 1] if found.start() else " "
        if before.isspace() or before in "[{,":
            return True
    return False


def _parse_whole(text: str, aliased: bool, diag: Collector) -> Parsed:
    """Parse the whole text at once, reporting every problem located."""
    try:
        root = yaml.compose(text, Loader=_NodeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else None
        diag.add_located(line, f"not valid YAML/JSON: {exc.problem or exc.context}")
        raise SpecError(diag.items) from None
    except yaml.YAMLError as exc:
        diag.error("", f"not valid YAML/JSON: {exc}")
        raise SpecError(diag.items) from None
    except RecursionError:
        diag.error("", f"the document is nested deeper than {MAX_DEPTH} levels")
        raise SpecError(diag.items) from None
    if root is None:
        diag.error("", "the file is empty (or holds only comments)")
        raise SpecError(diag.items)
    if aliased:
        _check_aliases(root, diag)  # before building: aliases may expand exponentially
    builder = _Builder(diag)
    data = builder.build(root, "", 0)
    diag.lines = builder.lines
    diag.raise_if_errors()
    if not isinstance(data, dict):
        _check_size(len(builder.lines) + builder.keys, diag)
        diag.error("", f"the document is a {kind_of(data)}, expected a mapping (an OpenAPI object)")
        raise SpecError(diag.items)
    return Parsed(data, builder.lines, builder.refs, builder.keys)


def _parse_piece(text: str, depth: int) -> str | None:
    """One mapping entry parsed on its own at mapping depth `depth`, as `pieces` caches it; None unless one clean entry."""
    try:
        root = yaml.compose(text, Loader=_NodeLoader)
    except (yaml.YAMLError, RecursionError):
        return None
    if not isinstance(root, yaml.MappingNode) or len(root.value) != 1:
        return None
    builder = _Builder(Collector(""))
    try:
        data = builder.build(root, "", depth)
    except SpecError:
        return None
    if builder.diag.items or not isinstance(data, dict) or len(data) != 1:
        return None
    head = [data, [pointer for pointer, _ in builder.refs], builder.keys, len(builder.lines) - ("" in builder.lines)]
    return "\n".join([json.dumps(head, ensure_ascii=False), json.dumps(builder.lines, ensure_ascii=False), piece_wording(data)])


def _check_size(nodes: int, diag: Collector) -> None:
    """Refuse a document over the node bound."""
    if nodes > MAX_NODES:
        diag.error("", f"the document is too large: over the limit of {MAX_NODES} nodes")
        raise SpecError(diag.items)


def _check_aliases(root: yaml.Node, diag: Collector) -> None:
    """Refuse a document whose aliases, expanded, would add over MAX_ALIAS_NODES nodes (an alias bomb) or make it
    larger than the node bound; counted without expanding them."""
    distinct: dict[int, int] = {}
    expanded = _expanded_size(root, distinct)
    if expanded - len(distinct) > MAX_ALIAS_NODES:
        diag.error("", f"the document's aliases expand it by over {MAX_ALIAS_NODES} nodes (an alias bomb?)")
        raise SpecError(diag.items)
    _check_size(expanded, diag)


def _decode(raw: bytes, diag: Collector) -> str:
    """Check size and encoding, return the text."""
    if len(raw) > MAX_BYTES:
        diag.error("", f"the file is too large: over the limit of {MAX_BYTES} bytes")
        raise SpecError(diag.items)
    if b"\x00" in raw[:8192]:
        diag.error("", "the file is binary (it contains NUL bytes), not YAML or JSON text")
        raise SpecError(diag.items)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        message = f"not UTF-8 text: invalid byte 0x{raw[exc.start]:02x} at offset {exc.start}"
        diag.add_located(line, message, hint="save the file as UTF-8")
        raise SpecError(diag.items) from None
    if not text.strip():
        diag.error("", "the file is empty")
        raise SpecError(diag.items)
    return text


def _text_nesting(text: str) -> int:
    """An upper estimate of the nesting of flow brackets, or more than the bound for a deep block prefix."""
    if _DEEP_BLOCK.search(text) or _DEEP_BLOCK.match("\n" + text[:MAX_TEXT_NESTING]):
        return MAX_TEXT_NESTING + 1
    if text.count("[") + text.count("{") <= MAX_TEXT_NESTING:
        return 0
    steps = _NOT_BRACKET.sub("", text).translate(_BRACKET_STEPS).encode()
    # depth after the i-th bracket = 2 * opened - i: each opening step is 2, each closing 0
    return max(map(operator.sub, accumulate(steps), range(1, len(steps) + 1)), default=0)


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """Node count after alias expansion, computed without expanding (aliases share node objects)."""
    known = memo.get(id(node))
    if known is not None:
        return known
    memo[id(node)] = 1  # a recursive alias counts once instead of looping
    if isinstance(node, yaml.MappingNode):
        size = 1 + sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(item, memo) for item in node.value)
    else:
        size = 1
    memo[id(node)] = min(size, MAX_NODES + 1)
    return memo[id(node)]


class _Builder:
    """Turns composed YAML nodes into plain data, bounded in depth; notes lines, key count and $ref holders."""

    def __init__(self, diag: Collector) -> None:
        self.diag = diag
        self.lines: dict[str, int] = {}
        self.keys = 0
        self.refs: list[tuple[str, dict[str, Any]]] = []

    def build(self, node: yaml.Node, pointer: str, depth: int) -> Any:
        """Convert one node (recursively), recording its line."""
        if depth > MAX_DEPTH:
            outer = "/".join(pointer.split("/")[: _DEPTH_SHOWN + 1])
            self.diag.add_located(
                self.lines.get(outer), f"the document is nested deeper than {MAX_DEPTH} levels below this point", outer
            )
            raise SpecError(self.diag.items)
        self.lines.setdefault(pointer, node.start_mark.line + 1)
        kind = type(node)
        if kind is yaml.ScalarNode:
            return node.value if node.tag == _STR else self._scalar(node, pointer)
        if kind is yaml.MappingNode:
            return self._mapping(node, pointer, depth)
        if node.tag != _SEQ:
            self._bad_tag(node, pointer)
        return [self.build(item, f"{pointer}/{i}", depth + 1) for i, item in enumerate(node.value)]

    def _mapping(self, node: yaml.MappingNode, pointer: str, depth: int) -> dict[str, Any]:
        """Convert a mapping, reporting duplicate and non-string keys; a key's line is its member's line."""
        if node.tag != _MAP:
            self._bad_tag(node, pointer)
        result: dict[str, Any] = {}
        lines = self.lines
        self.keys += len(node.value)
        for key_node, value_node in node.value:
            if key_node.tag == _STR and type(key_node) is yaml.ScalarNode:
                key = key_node.value
            elif key_node.tag == _MERGE:
                self.diag.add_located(
                    key_node.start_mark.line + 1, "YAML merge keys (<<) are not supported in specs", pointer
                )
                continue
            else:
                key = self._scalar(key_node, pointer) if isinstance(key_node, yaml.ScalarNode) else None
                if not isinstance(key, (str, int)) or isinstance(key, bool):
                    self.diag.add_located(key_node.start_mark.line + 1, "mapping keys must be strings", pointer)
                    continue
                key = str(key)
            child = f"{pointer}/{escape_pointer_token(key)}" if "~" in key or "/" in key else f"{pointer}/{key}"
            line = key_node.start_mark.line + 1
            if key in result:
                self.diag.add_located(line, f"duplicate key {key!r} (first defined on line {lines.get(child)})", child)
                continue
            lines.setdefault(child, line)
            result[key] = self.build(value_node, child, depth + 1)
        if "$ref" in result:
            self.refs.append((pointer, result))
        return result

    def _scalar(self, node: yaml.Node, pointer: str) -> Any:
        """Convert a non-string scalar (YAML 1.2 core schema; an explicit !!timestamp stays a string)."""
        tag, value = node.tag, node.value
        try:
            if tag == _NULL:
                return None
            if tag == _BOOL:
                return _BOOLS[value.lower()]
            if tag == _INT:
                return int(value, 0) if value.lstrip("+-")[:2].lower() in ("0o", "0x") else int(value, 10)
            if tag == _FLOAT:
                return _SPECIAL_FLOATS[value.lower()] if value.lower() in _SPECIAL_FLOATS else float(value)
            if tag in (_STR, _TIMESTAMP):
                return value
        except (KeyError, ValueError):
            self.diag.add_located(
                node.start_mark.line + 1, f"{value!r} is not a valid {tag.rsplit(':', 1)[-1]}", pointer
            )
            return None
        self._bad_tag(node, pointer)
        return None

    def _bad_tag(self, node: yaml.Node, pointer: str) -> None:
        """Report a tag that would construct an object (never executed)."""
        self.diag.add_located(
            node.start_mark.line + 1, f"YAML tag {node.tag!r} is not allowed in a spec (it is never executed)", pointer
        )
