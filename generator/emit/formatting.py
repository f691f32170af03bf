"""Formatting of generated Python with black (options pinned here), behind a content-hash cache.

The cache maps sha256(black version, mode, source) to the formatted text, so a hit can only ever
return what black itself would return for exactly that input and configuration. It lives in
`$ACS_SDKGEN_CACHE_DIR`, else `$XDG_CACHE_HOME/acs-sdkgen`, else `~/.cache/acs-sdkgen`; set
`ACS_SDKGEN_CACHE_DIR=off` to disable it. Entries are written atomically; a corrupt or unreadable
entry is treated as a miss.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import tempfile
from concurrent.futures import Future, ProcessPoolExecutor
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


class Formatter:
    """Black-formats modules in worker processes while the caller goes on rendering.

    `submit` reads cache hits at once and hands large batches of misses to the workers (small ones
    are formatted in place: starting workers would cost more); `result` waits for all of them.
    """

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._done: dict[str, str] = {}
        self._pending: dict[str, tuple[Future[str], Path | None]] = {}

    def __enter__(self) -> Formatter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def submit(self, sources: dict[str, str]) -> None:
        """Start formatting `sources` (path → source)."""
        misses = {}
        for path, source in sources.items():
            entry = _entry(source)
            hit = _cached(entry)
            if hit is None:
                misses[path] = (source, entry)
            else:
                self._done[path] = hit
        lines = sum(source.count("\n") for source, _ in misses.values())
        pool = self._workers() if lines >= PARALLEL_MIN_LINES else None
        for path, (source, entry) in sorted(misses.items(), key=lambda item: -len(item[1][0])):  # largest first
            if pool is None:
                self._done[path] = _black((path, source))
                _store(entry, self._done[path])
            else:
                self._pending[path] = (pool.submit(_black, (path, source)), entry)

    def result(self) -> dict[str, str]:
        """Every submitted module, formatted (a worker's error is raised here)."""
        for path, (future, entry) in self._pending.items():
            self._done[path] = future.result()
            _store(entry, self._done[path])
        self._pending.clear()
        return dict(self._done)

    def _workers(self) -> ProcessPoolExecutor | None:
        """The worker pool, started on first need; None on a single-core machine."""
        if self._pool is None and (os.cpu_count() or 1) > 1:
            self._pool = ProcessPoolExecutor(os.cpu_count(), mp_context=multiprocessing.get_context("fork"))
        return self._pool


def _store(entry: Path | None, text: str) -> None:
    """Write a cache entry atomically; a cache that is off or cannot be written is simply skipped."""
    if entry is None:
        return
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, entry)
    except OSError:
        pass
