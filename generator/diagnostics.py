"""Diagnostics: spec problems as values (level, location, message), never tracebacks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum

MAX_GRAFT_HOPS = 64


class Level(IntEnum):
    """Severity of a diagnostic; ERROR stops generation."""

    INFO = 0
    WARNING = 1
    ERROR = 2


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem or notice, located by file, line (when known) and JSON pointer."""

    level: Level
    file: str
    pointer: str
    message: str
    line: int | None = field(default=None, compare=False)
    hint: str | None = field(default=None, compare=False)

    def format(self) -> str:
        """Render as `LEVEL file:line#pointer: message (hint)`."""
        where = self.file + (f":{self.line}" if self.line else "")
        if self.pointer:
            where += f"#{self.pointer}"
        text = f"{self.level.name} {where}: {self.message}"
        return f"{text} (hint: {self.hint})" if self.hint else text


class SpecError(Exception):
    """Raised to stop the pipeline; carries every diagnostic collected so far."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(f"{len(diagnostics)} problem(s) in the spec")
        self.diagnostics = sorted(diagnostics, key=_sort_key)

    def __reduce__(self) -> tuple[type[SpecError], tuple[list[Diagnostic]]]:
        """Pickled with its diagnostics (raised in a worker process, re-raised in the caller)."""
        return (SpecError, (self.diagnostics,))


def _sort_key(d: Diagnostic) -> tuple[int, str, int, str, str]:
    """Errors first, then by file, line and pointer."""
    return (-d.level, d.file, d.line or 0, d.pointer, d.message)


def one_line(text: str, limit: int = 200) -> str:
    """Text (e.g. a library's message) on one line, bounded."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def kind_of(value: object) -> str:
    """The JSON name of a parsed value's type, for messages."""
    names = {list: "list", dict: "mapping", str: "string", int: "number", float: "number", bool: "boolean"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def escape_pointer_token(token: str) -> str:
    """Escape one JSON-pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def join_pointer(base: str, *tokens: str | int) -> str:
    """Append reference tokens to a JSON pointer."""
    for token in tokens:
        text = str(token)
        base += "/" + (text.replace("~", "~0").replace("/", "~1") if "~" in text or "/" in text else text)
    return base


def line_in(lines: Mapping[str, int], pointer: str) -> int | None:
    """The line of the nearest node enclosing `pointer` that has one."""
    while True:
        if pointer in lines:
            return lines[pointer]
        if not pointer:
            return None
        pointer = pointer.rsplit("/", 1)[0]


@dataclass
class Origins:
    """Where bundled content came from: each file's line map, and grafts (file, pointer) → (file, pointer)."""

    lines: dict[str, Mapping[str, int]] = field(default_factory=dict)
    grafts: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)

    def graft(self, file: str, pointer: str, source_file: str, source_pointer: str) -> None:
        """Record that the node at `file#pointer` is a copy of `source_file#source_pointer`."""
        self.grafts.setdefault(file, {})[pointer] = (source_file, source_pointer)

    def locate(self, file: str, pointer: str) -> tuple[str, str]:
        """The file and pointer a (possibly bundled) location was copied from."""
        for _ in range(MAX_GRAFT_HOPS):
            grafts = self.grafts.get(file)
            base = pointer
            while grafts and base not in grafts and base:
                base = base.rsplit("/", 1)[0]
            if not grafts or base not in grafts:
                break
            file, source = grafts[base]
            pointer = source + pointer[len(base) :]
        return file, pointer


class Collector:
    """Accumulates diagnostics for one spec file, resolving pointers to lines (and bundled content to its file)."""

    def __init__(self, file: str, lines: Mapping[str, int] | None = None, origins: Origins | None = None) -> None:
        self.file = file
        self.lines = lines or {}
        self.origins = origins
        self.items: list[Diagnostic] = []
        self._seen: set[Diagnostic] = set()

    def add(self, level: Level, pointer: str, message: str, hint: str | None = None) -> None:
        """Record a diagnostic at `pointer`."""
        file, lines = self.file, self.lines
        if self.origins is not None:
            file, pointer = self.origins.locate(file, pointer)
            lines = self.origins.lines.get(file, lines)
        self._keep(Diagnostic(level, file, pointer, message, line_in(lines, pointer), hint))

    def extend(self, items: Iterable[Diagnostic]) -> None:
        """Record diagnostics made elsewhere (a worker process, the cache), each once."""
        for item in items:
            self._keep(item)

    def _keep(self, item: Diagnostic) -> None:
        """Record a diagnostic unless the same one was recorded (a finding reached twice, e.g. once per operation of a path)."""
        if item not in self._seen:
            self._seen.add(item)
            self.items.append(item)

    def add_located(self, line: int | None, message: str, pointer: str = "", hint: str | None = None) -> None:
        """Record an error at a known line (parse-time problems)."""
        self.items.append(Diagnostic(Level.ERROR, self.file, pointer, message, line, hint))

    def source_of(self, ref: str) -> str:
        """A local `#/...` reference as the user wrote it: in another file when it was bundled from there."""
        if self.origins is None or not ref.startswith("#"):
            return ref
        file, pointer = self.origins.locate(self.file, ref[1:])
        return ref if file == self.file else f"{file}#{pointer}" if pointer else file

    def error(self, pointer: str, message: str, hint: str | None = None) -> None:
        """Record an error."""
        self.add(Level.ERROR, pointer, message, hint)

    def warning(self, pointer: str, message: str, hint: str | None = None) -> None:
        """Record a warning."""
        self.add(Level.WARNING, pointer, message, hint)

    def info(self, pointer: str, message: str) -> None:
        """Record a notice (e.g. a rename)."""
        self.add(Level.INFO, pointer, message)

    @property
    def has_errors(self) -> bool:
        """Whether any error was recorded."""
        return any(d.level is Level.ERROR for d in self.items)

    def raise_if_errors(self) -> None:
        """Stop the pipeline when an error was recorded."""
        if self.has_errors:
            raise SpecError(self.items)
