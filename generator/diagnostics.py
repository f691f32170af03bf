"""Diagnostics: spec problems as values (level, location, message), never tracebacks."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum


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


def _sort_key(d: Diagnostic) -> tuple[int, str, int, str, str]:
    """Errors first, then by file, line and pointer."""
    return (-d.level, d.file, d.line or 0, d.pointer, d.message)


def escape_pointer_token(token: str) -> str:
    """Escape one JSON-pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def join_pointer(base: str, *tokens: str | int) -> str:
    """Append reference tokens to a JSON pointer."""
    return base + "".join("/" + escape_pointer_token(str(t)) for t in tokens)


class Collector:
    """Accumulates diagnostics for one spec file, resolving pointers to lines."""

    def __init__(self, file: str, lines: dict[str, int] | None = None) -> None:
        self.file = file
        self.lines = lines or {}
        self.items: list[Diagnostic] = []

    def add(self, level: Level, pointer: str, message: str, hint: str | None = None) -> None:
        """Record a diagnostic at `pointer`."""
        self.items.append(
            Diagnostic(level, self.file, pointer, message, self.line_of(pointer), hint)
        )

    def add_located(self, line: int | None, message: str, pointer: str = "") -> None:
        """Record an error at a known line (parse-time problems)."""
        self.items.append(Diagnostic(Level.ERROR, self.file, pointer, message, line))

    def error(self, pointer: str, message: str, hint: str | None = None) -> None:
        """Record an error."""
        self.add(Level.ERROR, pointer, message, hint)

    def warning(self, pointer: str, message: str, hint: str | None = None) -> None:
        """Record a warning."""
        self.add(Level.WARNING, pointer, message, hint)

    def info(self, pointer: str, message: str) -> None:
        """Record a notice (e.g. a rename)."""
        self.add(Level.INFO, pointer, message)

    def line_of(self, pointer: str) -> int | None:
        """The line of the nearest enclosing node that has one."""
        while True:
            if pointer in self.lines:
                return self.lines[pointer]
            if not pointer:
                return None
            pointer = pointer.rsplit("/", 1)[0]

    @property
    def has_errors(self) -> bool:
        """Whether any error was recorded."""
        return any(d.level is Level.ERROR for d in self.items)

    def raise_if_errors(self) -> None:
        """Stop the pipeline when an error was recorded."""
        if self.has_errors:
            raise SpecError(self.items)
