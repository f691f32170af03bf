"""Decoding JSON objects into generated dataclasses by wire name (the dataclasses flavor)."""

from __future__ import annotations

from typing import Any, Callable, Mapping, TypeVar

from .errors import APIResponseError

_T = TypeVar("_T")

# wire name → (attribute name, decoder of a nested model or None, container: "" | "list" | "dict")
FieldMap = Mapping[str, tuple[str, "Callable[[Any], Any] | None", str]]


def decode_object(cls: Callable[..., _T], data: Any, fields: FieldMap) -> _T:
    """Build `cls` from a JSON object; unknown keys are ignored so new service fields never break."""
    if not isinstance(data, dict):
        raise APIResponseError(
            f"expected a JSON object for {getattr(cls, '__name__', cls)}, got {type(data).__name__}",
            status_code=200,
            headers={},
            body=b"",
        )
    kwargs: dict[str, Any] = {}
    for wire, value in data.items():
        spec = fields.get(wire)
        if spec is None:
            continue
        name, nested, container = spec
        if nested is not None and value is not None:
            if container == "list" and isinstance(value, list):
                value = [nested(item) for item in value]
            elif container == "dict" and isinstance(value, dict):
                value = {key: nested(item) for key, item in value.items()}
            elif not container:
                value = nested(value)
        kwargs[name] = value
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise APIResponseError(
            f"response does not match {getattr(cls, '__name__', cls)}: {exc}",
            status_code=200,
            headers={},
            body=b"",
        ) from None
