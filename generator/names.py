"""The one name authority: every Python identifier in the generated code is decided here.

Rules: wire names are kept exactly (as aliases or wire keys); Python names are snake_case for
methods, parameters and fields, PascalCase for classes. Keywords, builtins that would shadow
something useful, pydantic BaseModel attributes and the SDK's own runtime names are reserved.
Collisions resolve deterministically in the order of the JSON pointers of their owners (never
parse order), by appending `_2`, `_3`, …; every rename is reported as an INFO diagnostic.
"""

from __future__ import annotations

import builtins
import keyword
import re
import unicodedata
from dataclasses import dataclass, field

MAX_LENGTH = 80

# Names a generated parameter must not take: they are the per-call options of every method.
CALL_OPTIONS = frozenset({"self", "timeout", "max_retries", "extra_query", "extra_headers"})

# Attributes of pydantic.BaseModel (v2) and common dataclass helpers that a field must not shadow.
MODEL_RESERVED = frozenset(
    {
        "construct", "copy", "dict", "json", "parse_obj", "parse_raw", "parse_file", "schema",
        "schema_json", "update_forward_refs", "validate", "from_orm", "fields", "model_config",
        "model_fields", "model_computed_fields", "model_extra", "model_fields_set",
        "model_construct", "model_copy", "model_dump", "model_dump_json", "model_json_schema",
        "model_parametrized_name", "model_post_init", "model_rebuild", "model_validate",
        "model_validate_json", "model_validate_strings", "register", "keys", "items", "values",
        "get",
    }
)

# Names the generated package itself defines at its top level (runtime and client classes).
SDK_RESERVED = frozenset(
    {
        "Client", "AsyncClient", "SDKError", "ParameterError", "CredentialsError", "APIError",
        "APIConnectionError", "APITimeoutError", "APIResponseError", "APIStatusError",
        "ClientError", "BadRequestError", "AuthenticationError", "PermissionDeniedError",
        "NotFoundError", "ConflictError", "ThrottlingError", "ServerError",
        "InternalServerError", "BadGatewayError", "ServiceUnavailableError",
        "GatewayTimeoutError", "UnsuccessfulResponseError", "NotGiven", "NOT_GIVEN",
        "Operation", "Param", "BaseModel", "Field", "Enum", "Any", "Literal", "Optional",
        "Union", "List", "Dict",
    }
)



def _ascii_words(text: str) -> list[str]:
    """Split a wire name into words: camelCase humps, digits runs and separators."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^0-9A-Za-z]+", " ", text)
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", text)
    return text.split()


def snake(text: str) -> str:
    """snake_case of a wire name (`HttpStatusCode` → `http_status_code`)."""
    return "_".join(w.lower() for w in _ascii_words(text))


def pascal(text: str) -> str:
    """PascalCase of a wire name (`create-instance` → `CreateInstance`)."""
    return "".join(w[:1].upper() + w[1:] for w in _ascii_words(text))


def constant(text: str) -> str:
    """UPPER_SNAKE_CASE of a wire name."""
    return snake(text).upper()


def _legal(name: str, fallback: str) -> str:
    """Make a candidate a legal, bounded identifier."""
    name = name or fallback
    if name[0].isdigit():
        name = f"{fallback}_{name}"
    return name[:MAX_LENGTH].rstrip("_") or fallback


@dataclass
class Namespace:
    """One scope of identifiers (a module, a class, a method signature) with its reserved words."""

    reserved: frozenset[str] = frozenset()
    taken: dict[str, str] = field(default_factory=dict)

    def claim(self, candidate: str, owner: str) -> str:
        """Return `candidate`, or a suffixed variant if it is reserved or already taken."""
        base = candidate
        if keyword.iskeyword(base) or keyword.issoftkeyword(base) or base in self.reserved:
            base += "_"
        name, n = base, 1
        while name in self.taken and self.taken[name] != owner:
            n += 1
            name = f"{base}_{n}"
        self.taken[name] = owner
        return name


@dataclass(frozen=True)
class Rename:
    """A Python name that differs from the straightforward conversion of its wire name."""

    pointer: str
    wire_name: str
    wanted: str
    chosen: str


class NameAuthority:
    """Hands out identifiers by kind; owners are claimed in sorted pointer order by the caller."""

    def __init__(self) -> None:
        self.module = Namespace(SDK_RESERVED | frozenset(dir(builtins)))
        self.methods = Namespace(frozenset({"close", "aclose"}))
        self.renames: list[Rename] = []

    def _record(self, pointer: str, wire: str, wanted: str, chosen: str) -> str:
        """Remember a rename so it can be reported."""
        if chosen != wanted:
            self.renames.append(Rename(pointer, wire, wanted, chosen))
        return chosen

    def class_name(self, wire: str, pointer: str, suffix: str = "") -> str:
        """A module-level class name (models, enums, errors)."""
        wanted = _legal(pascal(wire), "Model")
        if suffix and not wanted.endswith(suffix):
            wanted += suffix
        return self._record(pointer, wire, wanted, self.module.claim(wanted, pointer))

    def method_name(self, wire: str, pointer: str) -> str:
        """A client method name from an operationId."""
        wanted = _legal(snake(wire), "operation")
        return self._record(pointer, wire, wanted, self.methods.claim(wanted, pointer))

    def parameters(self, items: list[tuple[str, str]]) -> list[str]:
        """Names for one method's parameters, given (wire name, pointer) pairs."""
        scope = Namespace(CALL_OPTIONS)
        return [self._record(p, w, _legal(snake(w), "param"), scope.claim(_legal(snake(w), "param"), p)) for w, p in items]

    def fields(self, items: list[tuple[str, str]]) -> list[str]:
        """Names for one model's fields, given (wire name, pointer) pairs."""
        scope = Namespace(MODEL_RESERVED)
        return [self._record(p, w, _legal(snake(w), "field"), scope.claim(_legal(snake(w), "field"), p)) for w, p in items]
