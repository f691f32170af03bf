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
_KEY_PREFIX = f"black={black.__version__};mode={MODE!r};passes=1;".encode()


def cache_dir() -> Path | None:
    """Where formatted sources are cached, or None when caching is off."""
    configured = os.environ.get("ACS_SDKGEN_CACHE_DIR")
    if configured == "off":
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "acs-sdkgen"


PARALLEL_MIN_LINES = 4000  # below this, starting worker processes costs more than it saves


def _entry(source: str) -> Path | None:
    """The cache file for a source, or None when caching is off."""
    directory = cache_dir()
    if directory is None:
        return None
    key = hashlib.sha256(_KEY_PREFIX + source.encode()).hexdigest()
    return directory / "black" / key[:2] / key


def _cached(entry: Path | None) -> str | None:
    """A cache hit, or None."""
    if entry is None:
        return None
    try:
        return entry.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _black(item: tuple[str, str]) -> str:
    """Format one (path, source) pair; a failure names the file (a template bug)."""
    path, source = item
    try:
        # One pass: `black.format_str` formats a second time whenever the first pass changed anything,
        # which doubles the cost for generated code; tests/generator/test_black_stable.py checks that
        # every generated tree is exactly what `format_str` makes of it (black is pinned exactly).
        return black._format_str_once(source, mode=MODE)
    except Exception as exc:
        raise RuntimeError(f"generated {path} is not valid Python ({exc}); this is a template bug") from exc


def format_many(sources: dict[str, str]) -> dict[str, str]:
    """Black-format many modules: cache hits are read, misses formatted in parallel when large."""
    result: dict[str, str] = {}
    misses: dict[str, tuple[str, Path | None]] = {}
    for path, source in sources.items():
        entry = _entry(source)
        hit = _cached(entry)
        if hit is None:
            misses[path] = (source, entry)
        else:
            result[path] = hit
    items = [(path, source) for path, (source, _) in misses.items()]
    lines = sum(source.count("\n") for _, source in items)
    workers = min(len(items), os.cpu_count() or 1)
    if workers > 1 and lines >= PARALLEL_MIN_LINES:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            formatted = list(pool.map(_black, items, chunksize=1))
    else:
        formatted = [_black(item) for item in items]
    for (path, _), text in zip(items, formatted):
        result[path] = text
        entry = misses[path][1]
        if entry is not None:
            _store(entry, text)
    return result


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
