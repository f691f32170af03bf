"""A JSON document parsed by the json module, with each node's line from one scan of its text.

The YAML parser reads JSON too, but builds a node per value in Python: about 2 s for a 5 MB spec, against
0.05 s for `json.loads`. The lines the YAML parser gives are those of where each node starts, a member at
its key: one scan of the text's tokens finds the same. Anything this path does not read exactly as the YAML
parser would (a duplicate key, `NaN`, a string with a raw control character or a lone surrogate, a line break
YAML knows besides LF and CRLF, a top level that is not an object, a nesting too deep) gives None, and the
caller parses the document as YAML, which reports it. One difference is on purpose: a character written as two
surrogate escapes, which the YAML parser refuses, is read as the character, as JSON means it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..diagnostics import escape_pointer_token
from .pieces import Parsed, lf_only

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # maybe half of a character written as two escapes
# A string, a bracket or a literal (number, true, false, null); commas, colons and whitespace lie between.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]]|[^\s{}\[\],:"]+')


class _NotPlainJson(Exception):
    """The text holds something the YAML parser reads otherwise, or reports."""


def parse_json(text: str, max_depth: int) -> Parsed | None:
    """The document's data, line map, `$ref` holders and key count, as the YAML parser gives them; None when this
    path cannot be sure of reading it alike, or a value sits deeper than `max_depth` containers."""
    lf_text = lf_only(text)  # the scan counts LFs
    if lf_text is None:
        return None
    objects: list[dict[str, Any]] = []  # every object, in the order each closes
    try:
        data = json.loads(lf_text, object_pairs_hook=lambda pairs: _object(pairs, objects), parse_constant=_refuse)
    except (ValueError, RecursionError, _NotPlainJson):
        return None
    if not isinstance(data, dict) or (_SURROGATE_ESCAPE.search(lf_text) and not _encodable(data)):
        return None
    scanned = _scan(lf_text, max_depth)
    if scanned is None:
        return None
    lines, closed, keys = scanned
    if len(closed) != len(objects):
        return None
    refs = [(pointer, found) for pointer, found in zip(closed, objects) if "$ref" in found]
    return Parsed(data, lines, refs, keys)


def _object(pairs: list[tuple[str, Any]], objects: list[dict[str, Any]]) -> dict[str, Any]:
    """An object of the document, noted in closing order; a duplicate key is refused."""
    found = dict(pairs)
    if len(found) != len(pairs):
        raise _NotPlainJson
    objects.append(found)
    return found


def _encodable(data: Any) -> bool:
    """Whether the data holds no lone surrogate (an escape of half a character), which no UTF-8 file can hold."""
    try:
        json.dumps(data, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return False
    return True


def _refuse(name: str) -> None:
    """`NaN`, `Infinity`: not JSON, and strings to the YAML parser."""
    raise _NotPlainJson(name)


def _scan(text: str, max_depth: int) -> tuple[dict[str, int], list[str], int] | None:
    """Pointer → line of every node, the pointers of the objects in the order each closes, and the count of keys."""
    lines: dict[str, int] = {}
    closed: list[str] = []
    keys = 0
    # Per open container, innermost last: its pointer, whether it is an object, and the pointer of the member
    # whose value comes next (None while a key is awaited) or, in an array, the index of the next item.
    pointers: list[str] = []
    objects: list[bool] = []
    pending: list[Any] = []
    line, counted, count = 1, 0, text.count
    for found in _TOKEN.finditer(text):
        token = found.group()
        first = token[0]
        if first == "}" or first == "]":
            if not pointers:
                return None
            pointer = pointers.pop()
            if objects.pop():
                closed.append(pointer)
            pending.pop()
            if pending:
                pending[-1] = None if objects[-1] else pending[-1] + 1
            continue
        start = found.start()
        line += count("\n", counted, start)
        counted = start
        if pending and objects[-1]:
            if pending[-1] is None:  # a key: the member's line is the key's
                if first != '"':
                    return None
                key = json.loads(token) if "\\" in token else token[1:-1]
                member = f"{pointers[-1]}/{escape_pointer_token(key) if '~' in key or '/' in key else key}"
                pending[-1] = member
                lines[member] = line
                keys += 1
                continue
            pointer = pending[-1]
        elif pending:  # an array's item
            pointer = f"{pointers[-1]}/{pending[-1]}"
            lines[pointer] = line
        else:
            pointer = ""
            lines[pointer] = line
        if len(pointers) > max_depth:
            return None
        if first == "{" or first == "[":
            pointers.append(pointer)
            objects.append(first == "{")
            pending.append(None if first == "{" else 0)
        elif pending:
            pending[-1] = None if objects[-1] else pending[-1] + 1
    return (lines, closed, keys) if not pointers else None
