"""A content-addressed cache of costly, deterministic results (the models pass), shared between runs.

A key is the sha256 of everything the result depends on, the generator's own code and pinned
libraries included, so a hit can only return what the same computation would return now. The cache
lives in `$ACS_SDKGEN_CACHE_DIR`, else `$XDG_CACHE_HOME/acs-sdkgen`, else `~/.cache/acs-sdkgen`; set
`ACS_SDKGEN_CACHE_DIR=off` to disable it. Entries are written atomically; an unreadable one is a miss.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from importlib import metadata
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# The libraries whose versions shape the output (recorded in every manifest).
PINNED = ("datamodel-code-generator", "jinja2", "openapi-spec-validator", "pydantic", "pyyaml", "ruff")


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


def _entry(kind: str, parts: tuple[str, ...]) -> Path | None:
    """The cache file for a result of `kind` computed from `parts`, or None when caching is off."""
    directory = cache_dir()
    if directory is None:
        return None
    digest = hashlib.sha256(code_digest())
    for part in parts:
        digest.update(part.encode() + b"\0")
    key = digest.hexdigest()
    return directory / kind / key[:2] / key


def load(kind: str, *parts: str) -> str | None:
    """A cached result, or None."""
    entry = _entry(kind, parts)
    if entry is None:
        return None
    try:
        return entry.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def store(kind: str, parts: tuple[str, ...], text: str) -> None:
    """Cache a result atomically; a cache that is off or cannot be written is simply skipped."""
    entry = _entry(kind, parts)
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
