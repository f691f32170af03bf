"""The in-memory file set: compare with disk (unified diff) and write atomically."""

from __future__ import annotations

import difflib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

# Files that tools create inside generated trees (bytecode, editable-install metadata): not ours.
IGNORED_PARTS = ("__pycache__", ".mypy_cache", ".pytest_cache", "build", "dist")
IGNORED_SUFFIXES = (".pyc", ".egg-info")


def is_ignored(relative: str) -> bool:
    """Whether a path under the output root belongs to a tool rather than to the generator."""
    parts = relative.split("/")
    return any(p in IGNORED_PARTS or p.endswith(IGNORED_SUFFIXES) for p in parts)


def files_on_disk(root: Path) -> dict[str, bytes]:
    """Every generator-owned file under `root`, keyed by POSIX relative path."""
    if not root.is_dir():
        return {}
    found = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_file() and not is_ignored(relative):
            found[relative] = path.read_bytes()
    return found


@dataclass(frozen=True)
class Drift:
    """How a directory differs from the file set that should be there."""

    missing: tuple[str, ...]
    extra: tuple[str, ...]
    changed: tuple[str, ...]

    @property
    def clean(self) -> bool:
        """No difference at all."""
        return not (self.missing or self.extra or self.changed)


def compare(expected: dict[str, bytes], actual: dict[str, bytes]) -> Drift:
    """Classify the differences between two file sets."""
    return Drift(
        missing=tuple(sorted(expected.keys() - actual.keys())),
        extra=tuple(sorted(actual.keys() - expected.keys())),
        changed=tuple(sorted(k for k in expected.keys() & actual.keys() if expected[k] != actual[k])),
    )


def describe(drift: Drift, expected: dict[str, bytes], actual: dict[str, bytes], label: str) -> str:
    """A readable report: missing, extra and changed files, with unified diffs."""
    lines = []
    lines += [f"missing: {label}/{p}" for p in drift.missing]
    lines += [f"extra:   {label}/{p}" for p in drift.extra]
    for path in drift.changed:
        lines.append(f"changed: {label}/{path}")
        old = actual[path].decode("utf-8", "replace").splitlines(keepends=True)
        new = expected[path].decode("utf-8", "replace").splitlines(keepends=True)
        lines.append("".join(difflib.unified_diff(old, new, f"a/{label}/{path}", f"b/{label}/{path}")).rstrip("\n"))
    return "\n".join(lines)


def write_tree(root: Path, files: dict[str, bytes]) -> list[str]:
    """Make `root` hold exactly `files`: stage every changed file, then swap each in; return what changed.

    Unchanged files are not touched (their mtimes stay). Files the generator no longer produces are
    removed. All new content is written to temporary files first, so a failure while staging leaves the
    previous tree as it was.
    """
    current = files_on_disk(root)
    drift = compare(files, current)
    staged: list[tuple[str, Path]] = []
    try:
        for relative in drift.missing + drift.changed:
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            with os.fdopen(fd, "wb") as handle:
                handle.write(files[relative])
            staged.append((relative, Path(tmp)))
    except BaseException:
        for _, tmp in staged:
            tmp.unlink(missing_ok=True)
        raise
    for relative, tmp in staged:
        os.replace(tmp, root / relative)
    for relative in drift.extra:
        (root / relative).unlink()
        _prune_empty_dirs(root, (root / relative).parent)
    return sorted(drift.missing + drift.changed + drift.extra)


def _prune_empty_dirs(root: Path, directory: Path) -> None:
    """Remove directories left empty by deletions, up to (not including) root."""
    while directory != root and directory.is_dir() and not any(directory.iterdir()):
        directory.rmdir()
        directory = directory.parent
