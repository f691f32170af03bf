"""Load a spec file safely: bytes → checked text → YAML/JSON nodes → plain data with a line map."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .diagnostics import Collector, SpecError, join_pointer

MAX_BYTES = 64 * 1024 * 1024
MAX_NODES = 2_000_000
MAX_DEPTH = 256

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_NodeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_scalar_constructor = yaml.SafeLoader("")


@dataclass(frozen=True)
class LoadedSpec:
    """A parsed spec: its data, where each JSON pointer sits, and its identity."""

    path: Path
    display_name: str
    data: dict[str, Any]
    lines: dict[str, int]
    sha256: str


def load_spec(path: Path, display_name: str | None = None) -> LoadedSpec:
    """Read and parse a spec file, raising SpecError with located diagnostics on any problem."""
    name = display_name or path.name
    diag = Collector(name)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        diag.error("", f"spec file not found: {path}")
        raise SpecError(diag.items) from None
    except IsADirectoryError:
        diag.error("", f"expected a spec file, got a directory: {path}")
        raise SpecError(diag.items) from None
    except OSError as exc:
        diag.error("", f"cannot read spec file: {exc.strerror}")
        raise SpecError(diag.items) from None
    data, lines = parse_document(raw, diag)
    return LoadedSpec(path, name, data, lines, hashlib.sha256(raw).hexdigest())


def parse_document(raw: bytes, diag: Collector) -> tuple[dict[str, Any], dict[str, int]]:
    """Parse YAML or JSON bytes into a mapping plus a pointer → line map."""
    text = _decode(raw, diag)
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
    try:
        expanded = _expanded_size(root, {})
    except RecursionError:
        diag.error("", f"the document is nested deeper than {MAX_DEPTH} levels")
        raise SpecError(diag.items) from None
    if expanded > MAX_NODES:
        diag.error("", f"the document expands to {expanded} nodes, over the limit of {MAX_NODES} (alias bomb or huge spec)")
        raise SpecError(diag.items)
    builder = _Builder(diag)
    data = builder.build(root, "", 0)
    diag.lines = builder.lines
    diag.raise_if_errors()
    if not isinstance(data, dict):
        diag.error("", f"the document is a {_kind(data)}, expected a mapping (an OpenAPI object)")
        raise SpecError(diag.items)
    return data, builder.lines


def _decode(raw: bytes, diag: Collector) -> str:
    """Check size and encoding, return the text."""
    if len(raw) > MAX_BYTES:
        diag.error("", f"the file is {len(raw)} bytes, over the limit of {MAX_BYTES}")
        raise SpecError(diag.items)
    if b"\x00" in raw[:8192]:
        diag.error("", "the file is binary (it contains NUL bytes), not YAML or JSON text")
        raise SpecError(diag.items)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        diag.add_located(line, f"not UTF-8 text: invalid byte 0x{raw[exc.start]:02x} at offset {exc.start}")
        raise SpecError(diag.items) from None
    if not text.strip():
        diag.error("", "the file is empty")
        raise SpecError(diag.items)
    return text


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


def _kind(value: Any) -> str:
    """Human name of a parsed value's type."""
    return {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}.get(
        type(value), type(value).__name__
    )


class _Builder:
    """Turns composed YAML nodes into plain data, bounded in size and depth."""

    def __init__(self, diag: Collector) -> None:
        self.diag = diag
        self.lines: dict[str, int] = {}

    def build(self, node: yaml.Node, pointer: str, depth: int) -> Any:
        """Convert one node (recursively), recording its line."""
        if depth > MAX_DEPTH:
            self._fatal(node, pointer, f"the document is nested deeper than {MAX_DEPTH} levels")
        self.lines.setdefault(pointer, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, pointer, depth)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _TAG + "seq":
                self._bad_tag(node, pointer)
            return [self.build(item, join_pointer(pointer, i), depth + 1) for i, item in enumerate(node.value)]
        return self._scalar(node, pointer)

    def _mapping(self, node: yaml.MappingNode, pointer: str, depth: int) -> dict[str, Any]:
        """Convert a mapping, reporting duplicate and non-string keys."""
        if node.tag != _TAG + "map":
            self._bad_tag(node, pointer)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _TAG + "merge":
                self.diag.add_located(key_node.start_mark.line + 1, "YAML merge keys (<<) are not supported in specs", pointer)
                continue
            key = self._scalar(key_node, pointer) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                self.diag.add_located(key_node.start_mark.line + 1, "mapping keys must be strings", pointer)
                continue
            key = str(key)
            child = join_pointer(pointer, key)
            if key in result:
                first = self.lines.get(child)
                self.diag.add_located(
                    key_node.start_mark.line + 1, f"duplicate key {key!r} (first defined on line {first})", child
                )
                continue
            result[key] = self.build(value_node, child, depth + 1)
        return result

    def _scalar(self, node: yaml.Node, pointer: str) -> Any:
        """Convert a scalar with the YAML core schema; timestamps stay strings."""
        if node.tag not in _SCALAR_TAGS:
            self._bad_tag(node, pointer)
            return None
        if node.tag == _TAG + "timestamp":
            return node.value
        return _scalar_constructor.construct_object(node)

    def _bad_tag(self, node: yaml.Node, pointer: str) -> None:
        """Report a tag that would construct an object (never executed)."""
        self.diag.add_located(
            node.start_mark.line + 1, f"YAML tag {node.tag!r} is not allowed in a spec (it is never executed)", pointer
        )

    def _fatal(self, node: yaml.Node, pointer: str, message: str) -> None:
        """Report a bound that was hit and stop at once."""
        self.diag.add_located(node.start_mark.line + 1, message, pointer)
        raise SpecError(self.diag.items)
