"""Formatting of generated Python with black (options pinned here), behind a content-hash cache.

The cache maps sha256(black version, mode, source) to the formatted text, so a hit can only ever
return what black itself would return for exactly that input and configuration. It lives in
`$ACS_SDKGEN_CACHE_DIR`, else `$XDG_CACHE_HOME/acs-sdkgen`, else `~/.cache/acs-sdkgen`; set
`ACS_SDKGEN_CACHE_DIR=off` to disable it. Entries are written atomically; a corrupt or unreadable
entry is treated as a miss.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import black

MODE = black.Mode(target_versions={black.TargetVersion.PY310}, line_length=88)
_KEY_PREFIX = f"black={black.__version__};mode={MODE!r};".encode()


def cache_dir() -> Path | None:
    """Where formatted sources are cached, or None when caching is off."""
    configured = os.environ.get("ACS_SDKGEN_CACHE_DIR")
    if configured == "off":
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "acs-sdkgen"


def format_python(source: str, path: str) -> str:
    """Black-format one generated module; a failure names the file (a template bug)."""
    directory = cache_dir()
    entry = None
    if directory is not None:
        key = hashlib.sha256(_KEY_PREFIX + source.encode()).hexdigest()
        entry = directory / "black" / key[:2] / key
        try:
            return entry.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            pass
    try:
        formatted = black.format_str(source, mode=MODE)
    except Exception as exc:
        raise RuntimeError(f"generated {path} is not valid Python ({exc}); this is a template bug") from exc
    if entry is not None:
        _store(entry, formatted)
    return formatted


def _store(entry: Path, text: str) -> None:
    """Write a cache entry atomically; a cache that cannot be written is simply skipped."""
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, entry)
    except OSError:
        pass
