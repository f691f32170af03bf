"""Parse a large block-style YAML document in pieces cached by their text, so that an edit re-parses only its piece.

The text is cut at the entries of block mappings: an entry larger than `SPLIT_BYTES` whose value is a
block mapping is cut into its own entries, recursively (`paths`, then each path); every other entry is
a piece, parsed on its own at its own indentation (so its line numbers only shift) and cached by its
text. Whatever line-based cutting cannot be sure of gives None, and the caller parses the whole
document: flow style, directives, anchors with aliases, line breaks other than LF and CRLF, a piece that
does not parse as exactly one mapping entry, a duplicate key, a piece with any diagnostic. Results, line
numbers and messages are therefore those of a whole parse. Even uncached, pieces cost less than one whole
parse of a large document (a big tree of YAML nodes makes the garbage collector's passes grow faster than it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Union

from .. import cache
from ..diagnostics import escape_pointer_token

MIN_BYTES = 200_000  # smaller documents parse whole: cutting would not pay
SPLIT_BYTES = 4096  # a larger entry holding a block mapping is cut into its entries
KIND = "yaml-piece"
_KEY_ONLY = re.compile(r"[^\s\-?#][^#]*:[ \t]*(?:#.*)?")  # `key:` with its value on the following lines
_OTHER_BREAKS = "\r\x85\u2028\u2029"  # line breaks YAML knows besides LF (CRLF is made LF first)

# One piece parsed and flattened as three lines of JSON text, or None when it is not one clean mapping entry: [data
# ({key: value}), [pointers of $ref holders], key count, count of its pointers but ""], then {relative pointer: line},
# then the skeleton of its data (`prose.piece_wording`).
PieceParser = Callable[[str, int], Union[str, None]]
# A piece as read, in document order: its entry's pointer, its depth, whether it is the key line of an entry cut
# further, its data ({key: value}), and the skeleton its parser gave (`prose.piece_wording`).
PieceRead = tuple[str, int, bool, Any, str]


@dataclass
class Parsed:
    """A document assembled from its pieces: data, pointer → line, $ref holders, its count of mapping keys, and the
    pieces in document order (see `prose.wording_of_pieces`; none for a document parsed whole)."""

    data: dict[str, Any] = field(default_factory=dict)
    lines: Mapping[str, int] = field(default_factory=dict)
    refs: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    keys: int = 0
    pieces: list[PieceRead] = field(default_factory=list)


@dataclass(frozen=True)
class _Piece:
    """An entry parsed on its own: lines [start, end) of the text, at mapping depth `depth`."""

    start: int
    text: str
    depth: int


@dataclass(frozen=True)
class _Split:
    """An entry cut into its own entries: its key line (a piece), and the entries of its value."""

    key: _Piece
    entries: list[_Piece | _Split]


def parse_in_pieces(text: str, parse_piece: PieceParser) -> Parsed | None:
    """The document parsed piece by piece (cached pieces are not parsed again), or None: parse it whole."""
    if len(text) < MIN_BYTES or text.lstrip().startswith(("{", "[")):
        return None
    lines = lf_only(text)
    if lines is None:
        return None
    entries = _Cutter(lines).entries()
    if not entries:
        return None
    pieces = list(_all_pieces(entries))
    root = entries[0].start + 1 if isinstance(entries[0], _Piece) else entries[0].key.start + 1
    for cached in (True, False):  # a damaged cache entry: every piece parsed again, and cached anew
        parsed = _load(pieces, parse_piece, cached)
        if parsed is None:
            return None
        result = Parsed(lines=PieceLines(root))
        try:
            return result if _assemble(entries, "", result.data, parsed, result) else None
        except (ValueError, KeyError, TypeError, AttributeError):
            continue
    return None


def lf_only(text: str) -> str | None:
    """The text with each CRLF made LF, as YAML counts it: one line break; None when it holds another line break
    YAML knows (a lone CR, NEL, U+2028, U+2029), which a count of LFs would miss."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return None if any(other in text for other in _OTHER_BREAKS) else text  # faster than a regular expression


class _Cutter:
    """Cuts a text into pieces by its lines' indentation."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.split("\n")
        self.offsets = [0]
        for line in self.lines:
            self.offsets.append(self.offsets[-1] + len(line) + 1)
        self.indents = [_indent(line) for line in self.lines]

    def entries(self) -> list[_Piece | _Split] | None:
        """The document's top-level entries, or None when it is not a block mapping."""
        level = next((i for i in self.indents if i >= 0), -1)
        return self._entries(0, len(self.lines), level, 0) if level >= 0 else None

    def _entries(self, start: int, end: int, level: int, depth: int) -> list[_Piece | _Split] | None:
        """The entries of the block mapping at indentation `level` in lines [start, end), each cut further when large."""
        starts: list[int] = []
        for i in range(start, end):
            indent = self.indents[i]
            if indent < 0:
                continue
            continues = indent > level or _continues(self.lines[i], indent)
            if indent < level or (continues and not starts):
                return None
            if not continues:
                starts.append(i)
        bounds = [*starts, end]
        entries: list[_Piece | _Split] = []
        for first, after in zip(bounds, bounds[1:]):
            piece = _Piece(first, self.text[self.offsets[first] : self.offsets[after]], depth)
            entries.append(self._cut(piece, after) or piece)
        return entries

    def _cut(self, piece: _Piece, end: int) -> _Split | None:
        """The entry cut into its own entries, when it is large and its value is a block mapping."""
        first, lines, indents = piece.start, self.lines, self.indents
        if len(piece.text) <= SPLIT_BYTES or not _KEY_ONLY.fullmatch(lines[first].strip()):
            return None
        value = next((i for i in range(first + 1, end) if indents[i] >= 0), None)
        if value is None or indents[value] <= indents[first] or lines[value][indents[value]] in "-?[{":
            return None
        entries = self._entries(value, end, indents[value], piece.depth + 1)
        return _Split(_Piece(first, lines[first], piece.depth), entries) if entries else None


def _continues(line: str, indent: int) -> bool:
    """Whether a line at an entry's indentation still belongs to it: an item of a sequence (which may sit at its
    key's indentation) or the value of a complex `? key`."""
    return line.startswith(("- ", ": "), indent) or line[indent:].rstrip() in ("-", ":")


def _indent(line: str) -> int:
    """Indentation of a line that holds YAML content; -1 for a blank or comment-only line."""
    body = line.lstrip(" ")
    if not body.strip() or body[0] == "#":
        return -1
    return len(line) - len(body)


def _all_pieces(entries: list[_Piece | _Split]) -> list[_Piece]:
    """Every piece to parse, key lines of cut entries included."""
    found: list[_Piece] = []
    for entry in entries:
        if isinstance(entry, _Split):
            found.append(entry.key)
            found.extend(_all_pieces(entry.entries))
        else:
            found.append(entry)
    return found


def _load(pieces: list[_Piece], parse_piece: PieceParser, cached: bool) -> dict[tuple[int, str], str] | None:
    """Each distinct piece's JSON: from the cache (unless not `cached`), else parsed now (and cached); None if one
    will not parse."""
    wanted = list(dict.fromkeys((p.depth, p.text) for p in pieces))
    hits = cache.load_many(KIND, [(str(depth), text) for depth, text in wanted]) if cached else [None] * len(wanted)
    found: dict[tuple[int, str], str] = {}
    new: list[tuple[tuple[str, ...], str]] = []
    for (depth, text), hit in zip(wanted, hits):
        if hit is None:
            hit = parse_piece(text, depth)
            if hit is None:
                return None
            new.append(((str(depth), text), hit))
        found[depth, text] = hit
    cache.store_many(KIND, new)
    return found


def _assemble(
    entries: list[_Piece | _Split],
    pointer: str,
    into: dict[str, Any],
    parsed: dict[tuple[int, str], str],
    result: Parsed,
) -> bool:
    """Put each entry's key and value into `into`, its lines, $ref holders and keys into `result`; False on a duplicate key."""
    for entry in entries:
        piece = entry.key if isinstance(entry, _Split) else entry
        head, lines, wording = parsed[piece.depth, piece.text].split("\n")
        data, refs, keys, count = json.loads(head)
        ((key, value),) = data.items()
        if key in into:
            return False
        child = f"{pointer}/{escape_pointer_token(key)}"
        result.pieces.append((child, piece.depth, isinstance(entry, _Split), data, wording))
        if isinstance(entry, _Split):
            value = {}
            if not _assemble(entry.entries, child, value, parsed, result):
                return False
            if "$ref" in value:
                result.refs.append((child, value))
        into[key] = value
        assert isinstance(result.lines, PieceLines)
        result.lines.add(child, pointer, piece.start, lines, count)
        result.refs.extend((pointer + relative, at_pointer(data, relative)) for relative in refs if relative)  # "": `into`
        result.keys += keys
    return True


class PieceLines(Mapping[str, int]):
    """Pointer → line of a document assembled from pieces. A piece's map stays JSON text until a pointer in it is
    looked up: only diagnostics look, and decoding every map took longer than decoding the pieces' data."""

    def __init__(self, root: int) -> None:
        self._root = root  # the line of the document itself, pointer ""
        self._pieces: dict[str, tuple[str, int, str | dict[str, int]]] = {}  # entry → (parent, first line, map)
        self._count = 1

    def add(self, entry: str, parent: str, start: int, lines: str, count: int) -> None:
        """Record the map of the piece holding the entry at pointer `entry` (JSON text; its pointers below `parent`)."""
        self._pieces[entry] = (parent, start, lines)
        self._count += count

    def __getitem__(self, pointer: str) -> int:
        if not pointer:
            return self._root
        entry = pointer
        while entry not in self._pieces:
            entry = entry.rpartition("/")[0]
            if not entry:
                raise KeyError(pointer)
        return self._map(entry)[pointer[len(self._pieces[entry][0]) :]]

    def __iter__(self) -> Iterator[str]:
        yield ""
        for entry, (parent, _, _) in self._pieces.items():
            yield from (parent + relative for relative in self._map(entry) if relative)

    def __len__(self) -> int:
        return self._count

    def _map(self, entry: str) -> dict[str, int]:
        """The piece's map, decoded (once) and shifted to the piece's place in the document."""
        parent, start, lines = self._pieces[entry]
        if isinstance(lines, str):
            try:
                lines = {relative: line + start for relative, line in json.loads(lines).items()}
            except (ValueError, TypeError, AttributeError):  # a damaged cache entry: its pointers have no line
                lines = {}
            self._pieces[entry] = (parent, start, lines)
        return lines


def at_pointer(data: Any, pointer: str) -> Any:
    """The value a pointer (as the loader writes them: only `~` and `/` escaped) names inside `data`."""
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        data = data[int(token)] if isinstance(data, list) else data[token]
    return data
