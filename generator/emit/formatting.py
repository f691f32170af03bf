"""Generated Python in black's style, formatted by ruff's black-compatible formatter in one batch.

Ruff (pinned exactly) gives black's output at a small fraction of its cost. Black stays the formatter of
record: tests/generator/test_black_stable.py checks that every committed tree is exactly what black makes
of it, and the corpus sample does the same for real-world specs. Each module's formatted text is cached
by its unformatted text (generator/cache.py): after an edit, only the modules it changed are formatted.

A large module (a client with a method per operation) is cut by its template into parts, each a top-level
or class-level definition after a `PART` line, and formatted part by part, each part cached by its own
text: an edit to one operation formats that operation's methods again, not the module's 50,000 lines.
Black lays out definitions independently of one another but for the blank lines between them, which the
parts are joined with: one before a definition inside a class, two before one at the top level.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from .. import cache

# The same style as black's defaults for Python 3.10; `--isolated` ignores any ruff configuration around.
RUFF_FORMAT = ["format", "--isolated", "--no-cache", "--line-length", "88", "--target-version", "py310"]
BATCH = 500  # files per ruff command line (keeps it far below the system's argument-length limit)
PART = "# <acs-sdkgen part>"  # a line a template puts before each part of a large module (never written out)
_PART_LINE = re.compile(rf"^ *{re.escape(PART)}\n", re.MULTILINE)
_WRAPPER = "class _Parts:\n"  # where the class-level parts are formatted, at a class body's indentation
_PARSE_ERROR = re.compile(r"Failed to parse (?P<path>.+?):(?P<line>\d+):(?P<column>\d+): (?P<message>.*)")


class FormatError(Exception):
    """A generated module is not valid Python (a template bug); the message names the module and line."""


def format_python(sources: dict[str, str]) -> dict[str, str]:
    """Every module of `sources` (relative path → source) formatted as black would format it."""
    cut = {path: _parts(source) for path, source in sources.items()}
    whole = {path: _without_parts(source) for path, source in sources.items() if cut[path] is None}
    result = _format_cached("format", whole, format_uncached)
    split = {path: parts for path, parts in cut.items() if parts is not None}
    texts = {f"{path}#{index}": part for path, parts in split.items() for index, part in enumerate(parts)}
    try:
        formatted = _format_cached("format-part", texts, _format_parts)
    except FormatError:  # named again by formatting the modules whole, which gives the module's own line
        return {**result, **format_uncached({path: _without_parts(sources[path]) for path in split})}
    for path, parts in split.items():
        result[path] = _joined([formatted[f"{path}#{index}"] for index in range(len(parts))])
    return result


def _format_cached(kind: str, sources: dict[str, str], format_all: Callable[[dict[str, str]], dict[str, str]]) -> dict[str, str]:
    """`sources` formatted, each text from the cache of `kind` when it was formatted before, the rest by `format_all`."""
    names = list(sources)
    cached = dict(zip(names, cache.load_many(kind, [(sources[name],) for name in names])))
    first: dict[str, str] = {}  # each text the cache lacks → the first name holding it: equal texts are formatted once
    for name, source in sources.items():
        if cached[name] is None:
            first.setdefault(source, name)
    missing = {name: source for source, name in first.items()}
    formatted = format_all(missing) if missing else {}
    cache.store_many(kind, [((missing[name],), text) for name, text in formatted.items()])
    return {name: formatted[first[sources[name]]] if text is None else text for name, text in cached.items()}


def _parts(source: str) -> list[str] | None:
    """The parts a template cut `source` into, or None when it has no `PART` line or a part is not one definition
    at the top level or in a class body (then the module is formatted whole)."""
    if PART not in source:
        return None
    pieces = source.split(f"\n{PART}\n")  # the templates write it at the start of a line
    parts = [pieces[0] + "\n", *(piece.strip("\n") + "\n" for piece in pieces[1:])]
    for part in parts[1:]:
        first = part.lstrip(" ")
        if PART in part or len(part) - len(first) not in (0, 4) or not first.startswith(("def ", "async def ", "class ", "@")):
            return None
    return parts


def _without_parts(source: str) -> str:
    """The module's source without its `PART` lines."""
    return _PART_LINE.sub("", source) if PART in source else source


def _format_parts(parts: dict[str, str]) -> dict[str, str]:
    """Parts (name → text) formatted in one batch: the parts of one module in one file, each after a `PART` line,
    its class-level parts in a class of their own at its end; the first part of a module stays the file's start."""
    by_file: dict[str, list[str]] = {}
    for name in parts:
        by_file.setdefault(name.rpartition("#")[0] + ".parts.py", []).append(name)
    files: dict[str, str] = {}
    order: dict[str, list[str]] = {}  # each file's pieces between PART lines: a part's name, or "" for none of ours
    for file, names in by_file.items():
        top = [n for n in names if not parts[n].startswith(" ")]
        nested = [n for n in names if parts[n].startswith(" ")]
        lead = top[:1] if top and top[0].endswith("#0") else []  # the module's start: its docstring stays one
        rest = top[len(lead) :]
        body = [parts[n] for n in lead] + [f"\n{PART}\n{parts[n]}" for n in rest]
        if nested:
            body += [f"\n{PART}\n{_WRAPPER}", *(f"    {PART}\n{parts[n]}" for n in nested)]
        files[file] = "".join(body)
        order[file] = (lead or [""]) + rest + ([""] if nested else []) + nested
    formatted: dict[str, str] = {}
    for file, text in format_uncached(files).items():
        pieces = _PART_LINE.split(text)
        if len(pieces) != len(order[file]):
            raise FormatError(f"the formatter moved a part marker in {file}; this is a template bug")
        for name, piece in zip(order[file], pieces):
            if name:
                formatted[name] = piece.strip("\n") + "\n"
    return formatted


def _joined(parts: list[str]) -> str:
    """Formatted parts joined as black separates definitions: one blank line inside a class, two at the top level."""
    return "".join([parts[0], *(("\n" if part.startswith(" ") else "\n\n") + part for part in parts[1:])])


def format_uncached(sources: dict[str, str]) -> dict[str, str]:
    """`format_python` without the cache: ruff's formatter run on the modules, written to a temporary directory,
    in batches."""
    from ruff import find_ruff_bin

    with tempfile.TemporaryDirectory(prefix="acs-sdkgen-format-", dir=_scratch()) as tmp:
        root = Path(tmp)
        for path, source in sources.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(source, encoding="utf-8")
        paths = sorted(sources)
        for start in range(0, len(paths), BATCH):
            command = [find_ruff_bin(), *RUFF_FORMAT, "--", *paths[start : start + BATCH]]
            done = subprocess.run(command, cwd=root, capture_output=True, text=True)
            if done.returncode != 0:
                raise FormatError(_explain(done.stderr))
        return {path: (root / path).read_text(encoding="utf-8") for path in sources}


def _scratch() -> str | None:
    """A memory-backed directory for the formatter's copies where the system has one (creating thousands of
    files there costs nothing), else the default temporary directory."""
    shm = "/dev/shm"
    return shm if "TMPDIR" not in os.environ and os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None


def _explain(stderr: str) -> str:
    """The first parse error ruff reported, as `generated <module>:<line>: ...`; else ruff's own words."""
    for line in stderr.splitlines():
        found = _PARSE_ERROR.search(line)
        if found:
            return (
                f"generated {found['path']}:{found['line']}:{found['column']} is not valid Python "
                f"({found['message']}); this is a template bug"
            )
    return f"formatting the generated modules failed: {stderr.strip() or 'ruff gave no reason'}"
