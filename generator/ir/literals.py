"""Python literals for generated code and docs (shared by the IR builder and the templates)."""

from __future__ import annotations

from json.encoder import encode_basestring
from typing import Any


def pyrepr(value: Any) -> str:
    """A Python literal with double quotes where possible (black would do the same)."""
    if isinstance(value, str):
        return encode_basestring(value)  # what json.dumps(value, ensure_ascii=False) gives, without its overhead
    if isinstance(value, list):
        return "[" + ", ".join(pyrepr(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{pyrepr(k)}: {pyrepr(v)}" for k, v in value.items()) + "}"
    return repr(value)
