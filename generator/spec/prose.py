"""A spec's prose taken out and put back, so that the front end's results serve every wording of one spec.

The *skeleton* of a document is a copy in which each run of words of a `description` or a `summary` (text
between whitespace other than single spaces) is replaced by a numbered placeholder. The front end treats
prose as opaque text: it strips it, cuts it at blank lines, joins its words and writes it as JSON. Each of
these gives the same result on a placeholder as on its run, so what the front end builds from a skeleton holds,
with the runs put back (`restore`), for every document with that skeleton: one whose edits changed words
but no line breaks. The one place it compares prose (the shapes of a property defined twice) asks the skeleton
(`canonical`), which notes the runs it was asked about; an entry built from the skeleton holds for another
wording only where those runs compare alike (`alike`). A placeholder written any other way (cut, or quoted
as Python) makes `restore` fail rather than guess.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from json.encoder import encode_basestring
from typing import Any

from .pieces import PieceRead

PROSE_KEYS = frozenset({"description", "summary"})
# Values that are data, not spec structure: their `description` keys are the user's, kept as they are.
DATA_KEYS = frozenset({"example", "examples", "default", "enum", "const", "mapping"})
_RUN = re.compile(r"\S+(?: \S+)*")
_ESCAPED = re.compile(r"\\u0001(\d+)\\u0002")  # a placeholder inside a JSON string
_PLACEHOLDER = re.compile("\x01(\\d+)\x02|" + _ESCAPED.pattern)  # in text, or inside a JSON string
_MARKS = ("\x01", "\\u0001", "\\x01")  # the mark plain, in JSON, in Python
_MARK = re.compile("|".join(map(re.escape, _MARKS)))  # any of them
_LEFT = re.compile(r"\x01|\\(?:u0001|x01)\d")  # a placeholder, or a cut one, in a form that takes no run


class ProseLost(Exception):
    """A placeholder reached the front end's results in a form the run cannot be put back into."""


class Skeleton:
    """A document's skeleton, the runs of words its placeholders stand for, and the runs compared so far."""

    def __init__(
        self, doc: Any, kept: Callable[[str], object] = lambda run: False, shared: bool = False, prose: bool = True
    ) -> None:
        """`kept`: runs for which it is true stay as written. `shared`: equal runs share one placeholder, so that
        two texts of the skeleton are equal exactly where the document's are. `prose`: false for data (a part of a
        document that lies inside an example or an extension), which holds no prose."""
        self._kept, self._shared = kept, shared
        self.runs: list[str] = []
        self._written = 0  # placeholders written
        self.compared: dict[int, int] = {}  # placeholder → the first placeholder of an equal run
        self._first: dict[str, int] = {}
        self.doc = self._copy(doc, prose) if isinstance(doc, (dict, list)) else doc

    def canonical(self, json_text: str) -> str:
        """JSON text of part of the skeleton with each placeholder replaced by the first one of an equal run: two
        parts are equal as prose when their canonical texts are; the placeholders compared are noted."""
        return _ESCAPED.sub(self._compare, json_text)

    def wording(self) -> Wording | None:
        """The skeleton's text and runs; None when the document holds the placeholders' mark (see `dumped`)."""
        text = self.dumped()
        return None if text is None else Wording(text, self.runs)

    def _compare(self, found: re.Match[str]) -> str:
        """A placeholder of JSON text as the first one of an equal run, noted as compared."""
        number = int(found.group(1))
        self.compared[number] = self._first[self.runs[number]]
        return f"\\u0001{self.compared[number]}\\u0002"

    def dumped(self) -> str | None:
        """The skeleton as JSON text; None when the document holds the placeholders' mark (a JSON spec can): in a
        run taken out, or elsewhere. JSON writes the mark as `\\u0001`, plain or escaped alike, so any beyond one per
        placeholder is the document's."""
        if any("\x01" in run or "\\u0001" in run for run in self.runs):
            return None
        text = dumped(self.doc)
        return text if text.count("\\u0001") == self._written else None

    def _copy(self, node: Any, prose: bool) -> Any:
        """A copy of `node`, a mapping or a list, with its prose replaced (none inside data: `prose` False)."""
        if isinstance(node, list):
            return [self._copy(item, prose) if isinstance(item, (dict, list)) else item for item in node]
        copy = {}
        for key, value in node.items():
            if isinstance(value, (dict, list)):
                data = key in DATA_KEYS or (isinstance(key, str) and key.startswith("x-"))
                copy[key] = self._copy(value, prose and not data)
            elif prose and key in PROSE_KEYS and isinstance(value, str):
                copy[key] = _RUN.sub(self._placeholder, value)
            else:
                copy[key] = value
        return copy

    def _placeholder(self, found: re.Match[str]) -> str:
        """The placeholder of one run of words (or the run, where it is kept)."""
        run = found.group()
        if self._kept(run):
            return run
        if not (self._shared and run in self._first):
            self.runs.append(run)
            self._first.setdefault(run, len(self.runs) - 1)
        self._written += 1
        return f"\x01{self._first[run] if self._shared else len(self.runs) - 1}\x02"


def dumped(doc: Any) -> str:
    """A skeleton's document as JSON text (what its entries are cached by)."""
    return json.dumps(doc, ensure_ascii=False, default=str)


class Wording:
    """A document's skeleton as text (what is built from it is cached by that text) and the runs of words its
    placeholders stand for in this wording."""

    def __init__(self, skeleton: str, runs: list[str]) -> None:
        self.skeleton, self.runs = skeleton, runs

    def alike(self, compared: dict[int, int]) -> bool:
        """Whether the runs compared while building from another wording of this skeleton (each placeholder → the
        first placeholder of an equal run) compare alike here."""
        if not compared:
            return True
        first: dict[str, int] = {}
        for number, run in enumerate(self.runs):
            first.setdefault(run, number)
        return all(first[self.runs[number]] == earliest for number, earliest in compared.items())


def piece_wording(data: Any, prose: bool = True) -> str:
    """The skeleton of one piece of a document (`spec.pieces`) as JSON: [its text, its runs], null where it holds the
    placeholders' mark. `prose`: false for a piece inside data (see `Skeleton`)."""
    wording = Skeleton(data, prose=prose).wording()
    return json.dumps(None if wording is None else [wording.skeleton, wording.runs], ensure_ascii=False)


def wording_of_pieces(pieces: list[PieceRead]) -> Wording | None:
    """A document's wording from the pieces it was read in (`pieces.PieceRead`, in document order). Each piece's
    placeholders are numbered from 0, so the text differs from the whole document's skeleton; the runs are the same,
    in the same order. None where a piece holds the mark."""
    texts: list[str] = []
    runs: list[str] = []
    for pointer, depth, cut, data, wording in pieces:
        tokens = pointer.split("/")[1:-1]  # the entry's ancestors: the entry's own key is the piece's to judge
        inside_data = any(token in DATA_KEYS or token.startswith("x-") for token in tokens)
        try:
            found = _decoded(piece_wording(data, prose=False) if inside_data else wording)
        except ValueError:  # a damaged cache entry: the piece's skeleton made again
            found = _decoded(piece_wording(data))
        if found is None:
            return None
        texts.append(f"{depth}{'+' if cut else ' '}{found[0]}")
        runs += found[1]
    return Wording("\n".join(texts), runs)


def _decoded(wording: str) -> tuple[str, list[str]] | None:
    """A piece's skeleton and runs from `piece_wording`'s JSON, None where it holds the mark; ValueError if it is not
    such JSON."""
    found = json.loads(wording)
    if found is None:
        return None
    if not (isinstance(found, list) and len(found) == 2 and isinstance(found[0], str) and isinstance(found[1], list)):
        raise ValueError(wording[:40])
    return found[0], found[1]


def restore_text(text: str, runs: list[str]) -> str:
    """`text` with the runs put back, plain or inside JSON strings; ProseLost if a placeholder is left."""
    return _Runs(runs).put_back(text)


class _Runs:
    """The runs of words of one wording, put back into the texts of a skeleton's results."""

    def __init__(self, runs: list[str]) -> None:
        self.runs = runs
        self._escaped: dict[str, str] = {}
        self._done: dict[str, str] = {}  # each text put back once: the IR holds many texts twice (a summary, say)

    def put_back(self, text: str) -> str:
        """`text` with its placeholders replaced by their runs; ProseLost if a placeholder is left."""
        if "\x01" not in text and "\\" not in text:
            return text
        done = self._done.get(text)
        if done is None:
            done = self._done[text] = self._replaced(text)
        return done

    def _replaced(self, text: str) -> str:
        """`put_back` of a text holding a placeholder or a backslash."""
        number = text[1:-1]
        if text[0] == "\x01" and text[-1] == "\x02" and number.isdigit():  # most texts are one run (a description)
            return self.runs[int(number)]
        text = _PLACEHOLDER.sub(self._run, text)
        if _LEFT.search(text):
            raise ProseLost(text)
        return text

    def _run(self, found: re.Match[str]) -> str:
        """The run a placeholder stands for, escaped for a JSON string when the placeholder was."""
        plain, escaped = found.groups()
        if plain is not None:
            return self.runs[int(plain)]
        if escaped not in self._escaped:
            self._escaped[escaped] = encode_basestring(self.runs[int(escaped)])[1:-1]
        return self._escaped[escaped]


def holders(root: Any) -> list[tuple[Any, str]]:
    """The (object, attribute) pairs of a tree of dataclasses whose value holds a placeholder."""
    found = []
    stack = [root]
    while stack:
        node = stack.pop()
        found += [(node, name) for name, value in vars(node).items() if _marked(value, stack)]
    return found


def _marked(value: Any, stack: list[Any]) -> bool:
    """Whether `value` holds a placeholder outside dataclasses; the dataclasses it holds go onto `stack`."""
    if isinstance(value, str):
        return _MARK.search(value) is not None
    if isinstance(value, (tuple, list, dict)):
        items = [item for pair in value.items() for item in pair] if isinstance(value, dict) else value
        marks = [_marked(item, stack) for item in items]  # each item looked at: its dataclasses are stacked
        return any(marks)
    if hasattr(value, "__dataclass_fields__"):
        stack.append(value)
    return False


def restore(places: list[tuple[Any, str]], runs: list[str]) -> None:
    """Put the runs back into each (object, attribute) of `places`, in place; ProseLost if one cannot be."""
    wording = _Runs(runs)
    for node, name in places:
        object.__setattr__(node, name, _restored(getattr(node, name), wording))


def _restored(value: Any, wording: _Runs) -> Any:
    """A value outside dataclasses with the runs put back."""
    if isinstance(value, str):
        return wording.put_back(value)
    if isinstance(value, tuple):
        return tuple(_restored(item, wording) for item in value)
    if isinstance(value, list):
        return [_restored(item, wording) for item in value]
    if isinstance(value, dict):
        return {_restored(key, wording): _restored(item, wording) for key, item in value.items()}
    return value
