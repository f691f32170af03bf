"""A content-addressed cache of costly, deterministic results (models, formatted modules), shared between runs.

A key is the sha256 of everything the result depends on, the generator's own code and pinned
libraries included, so a hit can only return what the same computation would return now. The cache
is one SQLite database (one file, not one file per result: creating thousands of small files cost
more than the formatting they saved) in `$ACS_SDKGEN_CACHE_DIR`, else `$XDG_CACHE_HOME/acs-sdkgen`,
else `~/.cache/acs-sdkgen`; set `ACS_SDKGEN_CACHE_DIR=off` to disable it. Writes are transactions;
a database that cannot be opened, read or written is a miss, never an error.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sqlite3
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# The libraries whose versions shape the output (recorded in every manifest).
PINNED = ("datamodel-code-generator", "jinja2", "openapi-spec-validator", "pydantic", "pyyaml", "ruff")
DATABASE = "results.sqlite3"
BATCH = 500  # keys per query (below SQLite's bound on parameters)


def pinned_versions() -> dict[str, str]:
    """Versions of the libraries that shape the output."""
    return {name: metadata.version(name) for name in PINNED}


@functools.cache
def code_digest() -> bytes:
    """Digest of the generator's own Python code and the pinned libraries' versions."""
    digest = hashlib.sha256(repr(sorted(pinned_versions().items())).encode())
    for path in sorted(p for p in PACKAGE_DIR.rglob("*.py") if "__pycache__" not in p.parts):
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


def cache_dir() -> Path | None:
    """Where results are cached, or None when caching is off."""
    configured = os.environ.get("ACS_SDKGEN_CACHE_DIR")
    if configured == "off":
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "acs-sdkgen"


def _key(kind: str, parts: tuple[str, ...]) -> str:
    """The cache key of a result of `kind` computed from `parts`."""
    digest = hashlib.sha256(code_digest())
    for part in parts:
        digest.update(part.encode() + b"\0")
    return f"{kind}/{digest.hexdigest()}"


_databases: dict[tuple[int, Path], sqlite3.Connection] = {}  # per process: a forked worker opens its own


def _database() -> sqlite3.Connection | None:
    """This process's connection to the cache database, or None when caching is off or it cannot be opened."""
    directory = cache_dir()
    if directory is None:
        return None
    where = (os.getpid(), directory)
    if where not in _databases:
        try:
            directory.mkdir(parents=True, exist_ok=True)
            database = sqlite3.connect(directory / DATABASE, timeout=30, isolation_level=None)
            database.execute("PRAGMA journal_mode=WAL")
            database.execute("PRAGMA synchronous=NORMAL")
            database.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        except (OSError, sqlite3.Error):
            return None
        _databases[where] = database
    return _databases[where]


def load(kind: str, *parts: str) -> str | None:
    """A cached result, or None."""
    return load_many(kind, [parts])[0]


def load_bytes(kind: str, *parts: str) -> bytes | None:
    """A cached result stored as bytes, or None."""
    found = _fetched(kind, [parts])[0]
    return found if isinstance(found, bytes) else None


def load_many(kind: str, parts_list: list[tuple[str, ...]]) -> list[str | None]:
    """Cached results of many computations of `kind` (None for each miss), in one query per batch."""
    return [found if isinstance(found, str) else None for found in _fetched(kind, parts_list)]


def _fetched(kind: str, parts_list: list[tuple[str, ...]]) -> list[object]:
    """What the database holds for each computation (text, bytes, or None for a miss), in one query per batch."""
    database = _database()
    if database is None:
        return [None] * len(parts_list)
    keys = [_key(kind, parts) for parts in parts_list]
    found: dict[str, object] = {}
    try:
        for start in range(0, len(keys), BATCH):
            batch = keys[start : start + BATCH]
            marks = ", ".join("?" * len(batch))
            found.update(database.execute(f"SELECT key, value FROM results WHERE key IN ({marks})", batch).fetchall())
    except sqlite3.Error:
        return [None] * len(parts_list)
    return [found.get(key) for key in keys]


def store(kind: str, parts: tuple[str, ...], text: str | bytes) -> None:
    """Cache a result (text, or bytes for `load_bytes`); a cache that is off or cannot be written is simply skipped."""
    store_many(kind, [(parts, text)])


def store_many(kind: str, results: Sequence[tuple[tuple[str, ...], str | bytes]]) -> None:
    """Cache many results of `kind` in one transaction (all or none)."""
    database = _database()
    if database is None or not results:
        return
    try:
        with database:  # one transaction
            database.execute("BEGIN")
            database.executemany(
                "INSERT OR REPLACE INTO results (key, value) VALUES (?, ?)",
                [(_key(kind, parts), text) for parts, text in results],
            )
    except sqlite3.Error:
        pass
