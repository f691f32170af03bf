"""Conversion between JSON values and generated dataclasses, by wire name (the dataclasses flavor)."""

from __future__ import annotations

import dataclasses
import functools
import typing
from enum import Enum
from typing import Any, Mapping, TypeVar

from .errors import APIResponseError

_T = TypeVar("_T")
PRESENT = "_wire_present"  # wire names a decoded record had, so explicit nulls survive a round trip
EXTRA = "_wire_extra"  # keys the spec does not list, kept so nothing a service sends is lost
GIVEN = "_wire_given"  # fields given to `__init__`: an explicit None is sent as null

# For each dataclass: wire name → (attribute name, nested dataclass, enum or union alias, or None,
# container "" | "list" | "dict").
Registry = Mapping[type, Mapping[str, tuple[str, Any, str]]]


def track_fields(cls: type[_T]) -> type[_T]:
    """Decorate a generated dataclass so each record remembers the fields it was given (an explicit None too)."""
    init = cls.__init__
    names = [f.name for f in dataclasses.fields(cls) if f.init]  # type: ignore[arg-type]

    @functools.wraps(init)
    def __init__(
        record: Any, /, *args: Any, **kwargs: Any
    ) -> None:  # a field may be named `self`
        init(record, *args, **kwargs)
        object.__setattr__(record, GIVEN, frozenset(names[: len(args)]).union(kwargs))

    setattr(cls, "__init__", __init__)
    return cls


def _mismatch(cls: type, detail: str) -> APIResponseError:
    """The error for a body that does not fit the documented model."""
    return APIResponseError(
        f"response does not match {cls.__name__}: {detail}",
        status_code=200,
        headers={},
        body=b"",
    )


def decode(cls: type[_T], data: Any, registry: Registry) -> _T:
    """Build `cls` from a JSON object; unknown keys are kept aside (never an error) for `encode`.

    A map model (`additionalProperties` only) is a `dict[str, V]` alias, not a dataclass: the object as sent.
    """
    if not isinstance(data, dict):
        raise _mismatch(cls, f"expected a JSON object, got {type(data).__name__}")
    if not dataclasses.is_dataclass(cls):
        return typing.cast(_T, data)
    fields = registry[cls]
    literals, _required = _shape(cls)
    kwargs: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for wire, value in data.items():
        spec = fields.get(wire)
        if spec is None:
            extra[wire] = value
            continue
        name, nested, container = spec
        # A discriminator (a `Literal` field) stays the plain value its annotation says.
        if nested is not None and value is not None and name not in literals:
            if container == "list" and isinstance(value, list):
                value = [_decode_value(nested, item, registry) for item in value]
            elif container == "dict" and isinstance(value, dict):
                value = {
                    key: _decode_value(nested, item, registry)
                    for key, item in value.items()
                }
            elif not container:
                value = _decode_value(nested, value, registry)
        kwargs[name] = value
    try:
        record = cls(**kwargs)
    except TypeError as exc:
        raise _mismatch(cls, str(exc)) from None
    object.__setattr__(record, PRESENT, frozenset(data) - frozenset(extra))
    object.__setattr__(record, EXTRA, extra)
    return record


def _decode_value(cls: Any, value: Any, registry: Registry) -> Any:
    """A nested dataclass, an enum member or the fitting member of a union (a value that fits none stays as sent)."""
    if isinstance(cls, type) and issubclass(cls, Enum):
        try:
            return cls(value)
        except ValueError:
            return value
    if cls in registry:
        return decode(cls, value, registry)
    member = _union_member(typing.get_args(cls), value, registry)
    return value if member is None else _decode_value(member, value, registry)


def _union_member(members: tuple[Any, ...], value: Any, registry: Registry) -> Any:
    """The union member a JSON value is (None when nothing fits).

    For a JSON object, the dataclass whose discriminator (a `Literal` field) and required
    fields fit it best; for a scalar, the enum that lists it.
    """
    if isinstance(value, dict):
        fits = [
            (score, -i)
            for i, cls in enumerate(members)
            if cls in registry and (score := _fit(cls, value, registry))
        ]
        return members[-max(fits)[1]] if fits else None  # the first listed among equals
    enums = [cls for cls in members if isinstance(cls, type) and issubclass(cls, Enum)]
    return next((cls for cls in enums if value in {m.value for m in cls}), None)


def _fit(
    cls: type, value: dict[str, Any], registry: Registry
) -> tuple[int, int] | None:
    """How well a JSON object fits a dataclass: (discriminators matched, keys known), or None if it cannot be one."""
    literals, required = _shape(cls)
    matched = 0
    for wire, (name, _nested, _container) in registry[cls].items():
        if wire not in value:
            if name in required:
                return None
        elif name in literals:
            if value[wire] not in literals[name]:
                return None
            matched += 1
    return matched, len(value.keys() & registry[cls].keys())


_SHAPES: dict[type, tuple[dict[str, tuple[Any, ...]], frozenset[str]]] = {}


def _shape(cls: type) -> tuple[dict[str, tuple[Any, ...]], frozenset[str]]:
    """A dataclass's `Literal` fields (name → allowed values) and the names of its fields without a default."""
    if cls not in _SHAPES:
        try:
            hints = typing.get_type_hints(cls)
        except Exception:  # an annotation that does not resolve: no discriminator known
            hints = {}
        literals = {
            name: typing.get_args(hint)
            for name, hint in hints.items()
            if typing.get_origin(hint) is typing.Literal
        }
        required = frozenset(
            f.name
            for f in dataclasses.fields(cls)
            if f.default is dataclasses.MISSING
            and f.default_factory is dataclasses.MISSING
        )
        _SHAPES[cls] = literals, required
    return _SHAPES[cls]


_NO_DEFAULT = object()


def _defaults(cls: type) -> dict[str, Any]:
    """Default values of a dataclass's fields (plain defaults and default factories)."""
    out = {}
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            out[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            out[f.name] = f.default_factory()
    return out


def encode(value: Any, registry: Registry) -> Any:
    """The JSON value of a dataclass, list, dict or enum.

    A decoded record sends back exactly the keys it received (explicit nulls included) plus fields
    changed since; a record built in code sends every field it was given (an explicit None as null)
    and every other field that is not None.
    """
    fields = registry.get(type(value))
    if fields is not None:
        present: frozenset[str] | None = getattr(value, PRESENT, None)
        given: frozenset[str] = getattr(value, GIVEN, frozenset())
        defaults = _defaults(type(value))
        out = {}
        for wire, (name, _nested, _container) in fields.items():
            item = getattr(value, name)
            if present is not None and wire in present:
                out[wire] = encode(item, registry)
            elif present is None and name in given:
                out[wire] = encode(item, registry)
            elif item is not None and (
                present is None or item != defaults.get(name, _NO_DEFAULT)
            ):
                out[wire] = encode(item, registry)
        out.update(getattr(value, EXTRA, {}))
        return out
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [encode(item, registry) for item in value]
    if isinstance(value, dict):
        return {key: encode(item, registry) for key, item in value.items()}
    return value
