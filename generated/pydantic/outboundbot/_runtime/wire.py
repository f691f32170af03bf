"""Conversion between JSON values and generated dataclasses, by wire name (the dataclasses flavor)."""

from __future__ import annotations

from enum import Enum
from typing import Any, Mapping, TypeVar

from .errors import APIResponseError

_T = TypeVar("_T")
PRESENT = "_wire_present"  # wire names a decoded record had, so explicit nulls survive a round trip
EXTRA = "_wire_extra"  # keys the spec does not list, kept so nothing a service sends is lost

# For each dataclass: wire name → (attribute name, nested dataclass or enum or None, container "" | "list" | "dict").
Registry = Mapping[type, Mapping[str, tuple[str, "type | None", str]]]


def _mismatch(cls: type, detail: str) -> APIResponseError:
    """The error for a body that does not fit the documented model."""
    return APIResponseError(
        f"response does not match {cls.__name__}: {detail}",
        status_code=200,
        headers={},
        body=b"",
    )


def decode(cls: type[_T], data: Any, registry: Registry) -> _T:
    """Build `cls` from a JSON object; unknown keys are kept aside (never an error) for `encode`."""
    if not isinstance(data, dict):
        raise _mismatch(cls, f"expected a JSON object, got {type(data).__name__}")
    fields = registry[cls]
    kwargs: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for wire, value in data.items():
        spec = fields.get(wire)
        if spec is None:
            extra[wire] = value
            continue
        name, nested, container = spec
        if nested is not None and value is not None:
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


def _decode_value(cls: type, value: Any, registry: Registry) -> Any:
    """A nested dataclass, or an enum member (a value the spec does not list yet stays as sent)."""
    if isinstance(cls, type) and issubclass(cls, Enum):
        try:
            return cls(value)
        except ValueError:
            return value
    return decode(cls, value, registry)


_NO_DEFAULT = object()


def _defaults(cls: type) -> dict[str, Any]:
    """Default values of a dataclass's fields (plain defaults and default factories)."""
    import dataclasses

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
    changed since; a record built in code sends every field that is not None.
    """
    fields = registry.get(type(value))
    if fields is not None:
        present: frozenset[str] | None = getattr(value, PRESENT, None)
        defaults = _defaults(type(value))
        out = {}
        for wire, (name, _nested, _container) in fields.items():
            item = getattr(value, name)
            if present is not None and wire in present:
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
