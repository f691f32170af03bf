"""Check and flatten call arguments into query pairs; Alibaba's percent-encoding."""

from __future__ import annotations

from .errors import ParameterError
from .records import FrozenRecord

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Final

_UNRESERVED = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"
_BYTE_TEXT = tuple(chr(b) if b in _UNRESERVED else f"%{b:02X}" for b in range(256))
_KINDS = frozenset(("string", "integer", "number", "boolean", "array", "object"))
_TYPE_NAMES = {
    "string": "a str",
    "integer": "an int",
    "number": "an int or float",
    "boolean": "a bool",
    "array": "a list or tuple",
    "object": "a dict",
}


class NotGiven:
    """Type of ``NOT_GIVEN``, the default of optional parameters that were omitted."""

    __slots__ = ()
    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        """Return the single instance."""
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        """``NOT_GIVEN`` is falsy."""
        return False

    def __repr__(self) -> str:
        """Show as ``NOT_GIVEN``."""
        return "NOT_GIVEN"

    def __reduce__(self) -> str:
        """Pickle as the module-level singleton."""
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()


def percent_encode(s: str) -> str:
    """Alibaba's percent-encoding: UTF-8, only ``A-Z a-z 0-9 - _ . ~`` kept literal."""
    data = s.encode()
    if not data.rstrip(_UNRESERVED):
        return s
    return "".join([_BYTE_TEXT[b] for b in data])


class Param(FrozenRecord):
    """How one API parameter is checked and put on the wire."""

    __slots__ = (
        "wire_name",
        "python_name",
        "kind",
        "required",
        "items",
        "repeat_list",
        "enum",
    )
    wire_name: str
    python_name: str
    kind: str
    required: bool
    items: str | None
    repeat_list: bool
    enum: tuple[str | int, ...] | None

    def __init__(
        self,
        wire_name: str,
        python_name: str,
        kind: str,
        required: bool,
        items: str | None = None,
        repeat_list: bool = False,
        enum: tuple[str | int, ...] | None = None,
    ) -> None:
        """``kind``/``items`` are JSON Schema type names; ``repeat_list`` flattens."""
        if kind not in _KINDS or (items is not None and items not in _KINDS):
            raise ValueError(
                f"unknown parameter kind for {python_name}: {kind}/{items}"
            )
        self._init(
            wire_name=wire_name,
            python_name=python_name,
            kind=kind,
            required=required,
            items=items,
            repeat_list=repeat_list,
            enum=enum,
        )


def _short(value: object) -> str:
    """A bounded repr of a user value for error messages."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _type_error(name: str, kind: str, value: object) -> ParameterError:
    """The error for a value of the wrong type."""
    return ParameterError(
        f"{name} must be {_TYPE_NAMES[kind]}, "
        f"got {type(value).__name__} {_short(value)}"
    )


def _check_text(name: str, value: str) -> str:
    """Return ``value`` as a plain str, refusing text that cannot be UTF-8 encoded."""
    if type(value) is not str:
        value = str.__str__(value)
    if not value.isascii():
        try:
            value.encode()
        except UnicodeEncodeError:
            raise ParameterError(
                f"{name} contains characters that cannot be encoded as UTF-8"
            ) from None
    return value


def _scalar(name: str, kind: str | None, value: object) -> str:
    """Check a scalar against ``kind`` (None: any) and format it for the query."""
    if isinstance(value, bool):
        if kind is None or kind == "boolean":
            return "true" if value else "false"
    elif isinstance(value, str):
        if kind is None or kind == "string":
            return _check_text(name, value)
    elif isinstance(value, int):
        if kind is None or kind == "integer" or kind == "number":
            return str(int(value))
    elif isinstance(value, float):
        if kind is None or kind == "number":
            if value - value != 0.0:
                raise ParameterError(f"{name} must be a finite number, got {value!r}")
            return repr(float(value))
    raise _type_error(name, kind or "string", value)


def _check_enum(name: str, enum: tuple[str | int, ...], value: object) -> None:
    """Refuse a value outside the documented enum."""
    if value not in enum or isinstance(value, bool):
        allowed = ", ".join(repr(v) for v in enum)
        raise ParameterError(f"{name} must be one of {allowed}; got {_short(value)}")


def _check_json(name: str, kind: str | None, value: object) -> None:
    """Check a nested value: its kind when known, and that JSON can represent it."""
    if kind == "array" or (kind is None and isinstance(value, (list, tuple))):
        if not isinstance(value, (list, tuple)):
            raise _type_error(name, "array", value)
        for index, item in enumerate(value):
            _check_json(f"{name}[{index}]", None, item)
    elif kind == "object" or (kind is None and isinstance(value, dict)):
        if not isinstance(value, dict):
            raise _type_error(name, "object", value)
        for key, item in value.items():
            if not isinstance(key, str):
                raise ParameterError(f"{name} keys must be str, got {_short(key)}")
            _check_json(f"{name}[{key!r}]", None, item)
    elif value is not None:
        _scalar(name, kind, value)


def _to_json(value: object) -> str:
    """Compact JSON as Alibaba expects it (non-ASCII kept as is)."""
    import json

    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _flatten(name: str, prefix: str, value: object, out: list[tuple[str, str]]) -> None:
    """Alibaba's flat style: ``P.1=a``, ``P.2.Key=b``; None members are skipped."""
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value, 1):
            _flatten(f"{name}[{index - 1}]", f"{prefix}.{index}", item, out)
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ParameterError(f"{name} keys must be str, got {_short(key)}")
            _flatten(f"{name}[{key!r}]", f"{prefix}.{key}", item, out)
    elif value is not None:
        out.append((prefix, _scalar(name, None, value)))


def _encode_array(param: Param, value: object, out: list[tuple[str, str]]) -> None:
    """Check a list parameter and append it, flattened or as JSON."""
    name = param.python_name
    if not isinstance(value, (list, tuple)):
        raise _type_error(name, "array", value)
    kind = param.items
    nested = kind is None or kind == "array" or kind == "object"
    texts = []
    for index, item in enumerate(value):
        item_name = f"{name}[{index}]"
        if item is None:
            raise ParameterError(f"{item_name} must not be None")
        if nested:
            _check_json(item_name, kind, item)
        else:
            texts.append(_scalar(item_name, kind, item))
        if param.enum is not None:
            _check_enum(item_name, param.enum, item)
    wire = param.wire_name
    if not param.repeat_list:
        out.append((wire, _to_json(list(value))))
    elif nested:
        _flatten(name, wire, value, out)
    else:
        out += [(f"{wire}.{index}", text) for index, text in enumerate(texts, 1)]


def encode_query(
    params: Sequence[Param], values: Mapping[str, object]
) -> list[tuple[str, str]]:
    """Validate ``values`` (keyed by wire name) against ``params`` and flatten them.

    Omitted (``NOT_GIVEN`` or None) optional parameters are left out; strings are
    kept exactly as given (percent-encoding happens when the URL is built).
    """
    out: list[tuple[str, str]] = []
    for param in params:
        value = values.get(param.wire_name, NOT_GIVEN)
        if value is NOT_GIVEN or value is None:
            if param.required:
                raise ParameterError(f"{param.python_name} is required")
            continue
        kind = param.kind
        if kind == "array":
            _encode_array(param, value, out)
            continue
        if kind == "object":
            _check_json(param.python_name, "object", value)
            if param.repeat_list:
                _flatten(param.python_name, param.wire_name, value, out)
            else:
                out.append((param.wire_name, _to_json(value)))
            continue
        if kind == "string" and type(value) is str and value.isascii():
            text = value
        elif kind == "integer" and type(value) is int:
            text = str(value)
        else:
            text = _scalar(param.python_name, kind, value)
        if param.enum is not None:
            _check_enum(param.python_name, param.enum, value)
        out.append((param.wire_name, text))
    return out


def encode_extra_query(extra: Mapping[str, object]) -> list[tuple[str, str]]:
    """Format ``extra_query``: scalars as text, lists and dicts as JSON."""
    out: list[tuple[str, str]] = []
    for key, value in extra.items():
        if not isinstance(key, str) or not key:
            raise ParameterError(
                f"extra_query keys must be non-empty str, got {_short(key)}"
            )
        if value is None or value is NOT_GIVEN:
            continue
        if isinstance(value, (list, tuple, dict)):
            _check_json(f"extra_query[{key!r}]", None, value)
            out.append((key, _to_json(value)))
        else:
            out.append((key, _scalar(f"extra_query[{key!r}]", None, value)))
    return out
