"""Python literals for generated code and docs (shared by the IR builder and the templates)."""

from __future__ import annotations

import json
from typing import Any


def pyrepr(value: Any) -> str:
    """A Python literal with double quotes where possible (black would do the same)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(pyrepr(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{pyrepr(k)}: {pyrepr(v)}" for k, v in value.items()) + "}"
    return repr(value)
