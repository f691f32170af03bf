"""Formatting of generated Python with black, options pinned here."""

from __future__ import annotations

import black

MODE = black.Mode(target_versions={black.TargetVersion.PY310}, line_length=88)


def format_python(source: str, path: str) -> str:
    """Black-format one generated module; a failure names the file (a template bug)."""
    try:
        return black.format_str(source, mode=MODE)
    except Exception as exc:
        raise RuntimeError(f"generated {path} is not valid Python ({exc}); this is a template bug") from exc
