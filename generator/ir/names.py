"""The one name authority: every Python identifier in the generated code is decided here.

Rules: wire names are kept exactly (as aliases or wire keys); Python names are snake_case for
methods, parameters and fields, PascalCase for classes. Keywords and every name the generated code
itself uses (`symbols`: template and runtime names, model-library imports, model attributes) are
reserved.
Collisions resolve deterministically in the order of the JSON pointers of their owners (never
parse order), by appending `_2`, `_3`, …; every rename is reported as an INFO diagnostic.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from . import symbols
from .symbols import is_keyword

MAX_LENGTH = 80


@functools.lru_cache(maxsize=65536)  # the same wire names are converted many times over
def _ascii_words(text: str) -> tuple[str, ...]:
    """Split a wire name into ASCII words: camelCase humps, digit runs, separators; a plural acronym is one word.

    Accents are dropped (`é` → `e`); any other non-ASCII letter becomes `u` + its hex code point,
    so `名前` gives the words `u540d`, `u524d` (deterministic and distinct, never empty).
    """
    if not text.isascii():  # (NFKD leaves ASCII as it is)
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
        text = "".join(ch if ch.isascii() else (f" u{ord(ch):x} " if ch.isalnum() else " ") for ch in text)
    text = _SEPARATORS.sub(" ", text)
    text = _HUMP.sub(" ", text)
    text = _ACRONYM_END.sub(" ", text)
    return tuple(text.split())


_SEPARATORS = re.compile(r"[^0-9A-Za-z]+")
_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")  # between `t` and `S` of `httpStatus`
_ACRONYM_END = re.compile(r"(?<=[A-Z])(?=[A-Z](?!s(?![a-z]))[a-z])")  # `HTTPServer`, not `APIs` or `IDsFor`


def snake(text: str) -> str:
    """snake_case of a wire name (`HttpStatusCode` → `http_status_code`)."""
    return "_".join(w.lower() for w in _ascii_words(text))


def pascal(text: str) -> str:
    """PascalCase of a wire name (`create-instance` → `CreateInstance`)."""
    return "".join(w[:1].upper() + w[1:] for w in _ascii_words(text))


def unique_key(taken: dict[str, object] | set[str], wanted: str) -> str:
    """`wanted`, or `wanted2`, `wanted3`, … when it is taken (component schema keys of hoisted schemas)."""
    unique, n = wanted, 1
    while unique in taken:
        n += 1
        unique = f"{wanted}{n}"
    return unique


def _legal(name: str, fallback: str, joiner: str = "_") -> str:
    """Make a candidate a legal, bounded identifier (prefixed when empty or starting with a digit)."""
    name = name or fallback
    if name[0].isdigit():
        name = f"{fallback}{joiner}{name}"
    return name[:MAX_LENGTH].rstrip("_") or fallback


_NOT_PLAIN = re.compile(r"[^0-9a-z]")


@functools.lru_cache(maxsize=65536)  # the same wire names recur in every model and signature
def _plain(text: str) -> str:
    """Letters and digits only, lower-cased: what a mere case/separator conversion keeps."""
    return _NOT_PLAIN.sub("", text.lower())


@dataclass
class Namespace:
    """One scope of identifiers (a module, a class, a method signature) with its reserved words.

    `style` decides how a reserved or taken name is changed: "snake" appends `_` for reserved
    words and `_2`, `_3`, … for clashes; "class" appends `Model` for reserved words and `2`, `3`,
    … for clashes (no underscores: datamodel-code-generator would normalise them away).
    """

    reserved: frozenset[str] = frozenset()
    taken: dict[str, str] = field(default_factory=dict)
    style: str = "snake"

    def claim(self, candidate: str, owner: str) -> str:
        """Return `candidate`, or a changed variant if it is reserved or already taken."""
        base = candidate
        if is_keyword(base) or base in self.reserved:
            base += "Model" if self.style == "class" else "_"
        name, n = base, 1
        while name in self.taken and self.taken[name] != owner:
            n += 1
            name = f"{base}{n}" if self.style == "class" else f"{base}_{n}"
        self.taken[name] = owner
        return name


def _lossy_reason(wire: str, chosen: str) -> str:
    """Why a name is more than a case conversion of its wire name."""
    reasons = []
    if not wire.isascii():
        reasons.append("non-ASCII letters were transliterated or spelled as code points")
    if wire[:1].isdigit() or not wire:
        reasons.append("a Python name cannot start with a digit or be empty")
    if len(chosen) >= MAX_LENGTH:
        reasons.append(f"cut to {MAX_LENGTH} characters")
    return "; ".join(reasons) or "characters not allowed in a Python name were dropped"


@dataclass(frozen=True)
class Rename:
    """A Python name that is more than a case conversion of its wire name."""

    pointer: str
    wire_name: str
    chosen: str
    reason: str


class NameAuthority:
    """Hands out identifiers by kind; owners are claimed in sorted pointer order by the caller."""

    def __init__(self) -> None:
        self.module = Namespace(symbols.module_names(), style="class")
        self.methods = Namespace(symbols.CLIENT_METHODS)
        self.renames: list[Rename] = []

    def _record(self, pointer: str, wire: str, wanted: str, chosen: str, suffix: str = "") -> str:
        """Remember every name that is not a plain case conversion of its wire name (plus `suffix`)."""
        if chosen != wanted:
            self.renames.append(Rename(pointer, wire, chosen, f"{wanted!r} is reserved or already taken"))
        elif _plain(chosen) not in (_plain(wire), _plain(wire + suffix)):
            self.renames.append(Rename(pointer, wire, chosen, _lossy_reason(wire, chosen)))
        return chosen

    def class_name(self, wire: str, pointer: str, suffix: str = "", owner: str | None = None) -> str:
        """A module-level class name (models, enums, errors); `owner` identifies it when not `pointer`."""
        wanted = _legal(pascal(wire), "Model", joiner="")
        if suffix and not wanted.endswith(suffix):
            wanted += suffix
        key = owner or pointer
        if self.module.taken.get(wanted) == key:
            return wanted  # claimed before by the same owner: reported then
        return self._record(pointer, wire, wanted, self.module.claim(wanted, key), suffix)

    def method_name(self, wire: str, pointer: str) -> str:
        """A client method name from an operationId."""
        wanted = _legal(snake(wire), "operation")
        return self._record(pointer, wire, wanted, self.methods.claim(wanted, pointer))

    def _scoped(
        self, items: list[tuple[str, str]], reserved: frozenset[str], fallback: str, wire_names_taken: bool = False
    ) -> list[str]:
        """Names for one scope (a signature or a model), given (wire name, pointer) pairs.

        With `wire_names_taken`, each wire name is its own property's before any name is given: no name
        equals another property's wire name (`prefs/background` beside `prefs_background` becomes
        `prefs_background_2`), which a model that accepts wire names and Python names alike could not tell apart.
        """
        scope = Namespace(reserved, taken=dict(items) if wire_names_taken else {})
        names = []
        for wire, pointer in items:
            wanted = _legal(snake(wire), fallback)
            names.append(self._record(pointer, wire, wanted, scope.claim(wanted, pointer)))
        return names

    def parameters(self, items: list[tuple[str, str]]) -> list[str]:
        """Names for one method's parameters, given (wire name, pointer) pairs."""
        return self._scoped(items, symbols.parameter_names(), "param")

    def fields(self, items: list[tuple[str, str]]) -> list[str]:
        """Names for one model's fields, given (wire name, pointer) pairs."""
        return self._scoped(items, symbols.field_names(), "field", wire_names_taken=True)

    @staticmethod
    def package_name(title: str) -> str:
        """The base import name of the SDK from the API's title (`1Forge Finance` → `api_1_forge_finance`)."""
        return _legal(snake(title), "api")

    @staticmethod
    def body_argument() -> str:
        """The keyword argument of a request body (parameters never take it: it is reserved for them)."""
        return symbols.BODY_ARGUMENT

    @staticmethod
    def operation_constant(method_name: str) -> str:
        """The module-level name of an operation's descriptor in `_operations.py` (method names are unique)."""
        return "_" + method_name.upper()
