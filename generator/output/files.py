"""The output directory: what the generator owns there (its manifest), diffs, and safe atomic writes.

`generate` owns exactly the files its last manifest in that directory lists. Only those may be
replaced or removed; any other file (the user's sources, `.git/`, the spec) is never touched.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
GENERATOR_NAME = "acs-sdkgen"
STAGING = ".acs-sdkgen-staging-"  # the prefix of the folder a run stages its files in, inside the output
INTERIM = ".interim-manifest.json"  # the staged name of the manifest written while files are swapped in

# Files that tools create inside generated trees (bytecode, editable-install metadata): not ours.
IGNORED_PARTS = ("__pycache__", ".mypy_cache", ".pytest_cache", "build", "dist")
IGNORED_SUFFIXES = (".pyc", ".egg-info")


class OutputError(Exception):
    """The output directory cannot be written safely; the message says why and what to do."""


def is_ignored(relative: str) -> bool:
    """Whether a path under the output root belongs to a tool rather than to the generator."""
    parts = relative.split("/")
    return any(p in IGNORED_PARTS or p.endswith(IGNORED_SUFFIXES) for p in parts)


def files_on_disk(root: Path, only: Iterable[str] | None = None) -> dict[str, bytes]:
    """Files under `root` keyed by POSIX relative path: every non-tool file, or those of `only` that exist."""
    if not root.is_dir():
        return {}
    if only is not None:
        present = _existing(root, set(only))
        return {p: _read(present[p].path) for p in sorted(present) if present[p].is_file()}
    found = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_file() and not is_ignored(relative):
            found[relative] = _read(str(path))
    return found


def _read(path: str) -> bytes:
    """A file's bytes, read unbuffered: for the thousands of files of an output, half the time of `Path.read_bytes`."""
    with open(path, "rb", buffering=0) as handle:
        return handle.readall()


def _existing(root: Path, paths: Iterable[str]) -> dict[str, os.DirEntry[str]]:
    """The entries at `paths` (relative, POSIX) under `root` that exist, each folder listed once (not one `stat`
    per path: thousands of them cost more than the listings)."""
    by_folder: dict[str, list[str]] = {}
    for relative in paths:
        parent, _, name = relative.rpartition("/")
        by_folder.setdefault(parent, []).append(name)
    found = {}
    for parent, names in by_folder.items():
        try:
            with os.scandir(os.path.join(root, parent)) as listing:
                entries = {entry.name: entry for entry in listing}
        except OSError:  # a folder that is missing, or a file
            continue
        found.update({f"{parent}/{name}" if parent else name: entries[name] for name in names if name in entries})
    return found


def owned_files(root: Path) -> set[str] | None:
    """The paths the last generation in `root` wrote (its manifest's list), or None without a manifest."""
    text = _manifest_bytes(root)
    return None if text is None else _owned(root, text)


def read_manifest(root: Path) -> dict[str, Any] | None:
    """The manifest the last generation in `root` wrote, its paths checked; None without one."""
    text = _manifest_bytes(root)
    return None if text is None else _checked_manifest(root, text)


def _manifest_bytes(root: Path) -> bytes | None:
    """The bytes of the manifest in `root`, None without one."""
    path = root / MANIFEST
    if not path.is_file():
        return None
    try:
        return path.read_bytes()
    except OSError as exc:
        raise OutputError(f"cannot read {path}: {_reason(exc)}") from exc


def _owned(root: Path, text: bytes) -> set[str]:
    """The paths a manifest's bytes say the generator owns: the files it lists, and itself."""
    return {*_checked_manifest(root, text)["files"], MANIFEST}


def _checked_manifest(root: Path, text: bytes) -> dict[str, Any]:
    """A manifest's bytes decoded, refused unless the generator wrote it and its paths stay inside `root`."""
    path = root / MANIFEST
    try:
        recorded = json.loads(text)
        name = recorded["generator"]["name"]
        listed = recorded["files"]
    except (ValueError, KeyError, TypeError):
        name, listed = None, None
    if name != GENERATOR_NAME or not isinstance(listed, dict):
        raise OutputError(
            f"{path} was not written by {GENERATOR_NAME}: refusing to write into {root}; "
            "choose another --out directory"
        )
    check_inside(root, listed, f"{path} lists")
    return recorded


def digest(data: bytes) -> str:
    """A file's sha256, as the manifest lists it."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Snapshot:
    """The output as a run found it: its manifest's bytes, and the digest of each file that manifest lists."""

    manifest: bytes
    digests: dict[str, str]


def snapshot(root: Path) -> Snapshot | None:
    """What `root` holds of the last generation, read beside the run (in a child) so that writing need not read
    the thousands of files again; None without a manifest, or where one cannot be read."""
    try:
        text = _manifest_bytes(root)
        if text is None:
            return None
        return Snapshot(text, {path: digest(data) for path, data in files_on_disk(root, _owned(root, text)).items()})
    except (OSError, OutputError):  # the write reads what it needs, and says what is wrong
        return None


def check_inside(root: Path, paths: Iterable[str], source: str) -> None:
    """Refuse any path that leaves `root` (absolute, `..`, a symlink out) or enters `.git/`."""
    base = root.resolve()
    folders: dict[str, tuple[Path, bool, frozenset[str]]] = {}  # each folder resolved and listed once
    for relative in paths:
        parts = relative.split("/")
        if not relative or relative.startswith("/") or "\\" in relative or ".." in parts or ".git" in parts:
            raise OutputError(f"{source} {relative!r}: not a plain relative path inside the output directory; refusing to touch it")
        parent, _, name = relative.rpartition("/")
        known = folders.get(parent)
        if known is None:
            folder = (root / parent).resolve()
            known = folders[parent] = (folder, folder.is_relative_to(base), _symbolic_links(folder))
        folder, inside, links = known
        if not inside or (name in links and not (folder / name).resolve().is_relative_to(base)):
            raise OutputError(f"{source} {relative!r}: it resolves outside {root} (a symbolic link?); refusing to touch it")


def _symbolic_links(folder: Path) -> frozenset[str]:
    """Names of the symbolic links directly in a folder (one listing, not one lstat per file); none if it is missing."""
    try:
        with os.scandir(folder) as entries:
            return frozenset(entry.name for entry in entries if entry.is_symlink())
    except OSError:
        return frozenset()


def _make_root(root: Path) -> None:
    """Create the output directory, or say which path in the way is a file or cannot be made."""
    blocker = next((p for p in (root, *root.parents) if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise OutputError(f"cannot write the output to {root}: {blocker} is a file, not a directory")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the output directory {root}: {exc.strerror or exc}") from None


@contextlib.contextmanager
def locked(root: Path) -> Iterator[None]:
    """Hold an exclusive lock on the output directory, so that two runs never interleave their writes."""
    _make_root(root)
    try:
        import fcntl
    except ImportError:  # no flock on this platform: runs are not serialised
        yield
        return
    fd = os.open(root, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(f"another {GENERATOR_NAME} run is writing to {root}; try again when it has finished") from None
        yield
    finally:
        os.close(fd)


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


def compare(expected: Mapping[str, object], actual: Mapping[str, object]) -> Drift:
    """Classify the differences between two file sets (path → bytes, or path → digest)."""
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


def generated_on_disk(root: Path, files: dict[str, bytes]) -> dict[str, bytes]:
    """What `root` holds of the generator's files: those its manifest lists and those `files` would write."""
    try:
        return files_on_disk(root, (owned_files(root) or set()) | files.keys())
    except OSError as exc:
        raise OutputError(f"cannot read what {root} holds: {_reason(exc)}") from exc


def write_output(
    root: Path,
    files: dict[str, bytes],
    *,
    overwrite: bool = False,
    protected: Iterable[Path] = (),
    digests: Mapping[str, str] | None = None,
    before: Snapshot | None = None,
) -> list[str]:
    """Write a generation into `root` under its lock, touching only files the generator owns; return what changed.

    A non-empty `root` without our manifest is refused unless `overwrite`; so is a file the generator
    would write over that it does not own. `protected` paths (the spec) are never written. `digests`: the files'
    digests, if known. `before`: `root` as the run found it; used only while its manifest is still the same (no
    other run wrote there since), else what is there is read again.
    """
    with locked(root):
        text = _manifest_bytes(root)
        owned = None if text is None else _owned(root, text)
        if owned is None and any(root.iterdir()) and not overwrite:
            raise OutputError(
                f"{root} is not empty and holds no {MANIFEST} of {GENERATOR_NAME}: refusing to write into it. "
                "Choose a new or empty --out directory, or pass --overwrite to write beside the files there "
                "(files the generator did not write are never deleted)"
            )
        owned = owned or set()
        check_inside(root, files, "output file")
        guarded = {p.resolve() for p in protected}
        names = {p.name for p in guarded}  # only a path with a guarded file's name can resolve to it
        hit = sorted(p for p in files if p.rpartition("/")[2] in names and (root / p).resolve() in guarded)
        if hit:
            raise OutputError(f"{root / hit[0]} is an input of this run; the generator never writes over it: choose another --out")
        foreign = sorted(_existing(root, files.keys() - owned))
        if foreign and not overwrite:
            shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
            raise OutputError(
                f"{root} has files the generator did not write and would replace: {shown}. "
                "Move them away, or pass --overwrite to replace them"
            )
        known = before.digests if before is not None and before.manifest == text else None
        return write_tree(root, files, owned, digests, known)


def write_tree(
    root: Path,
    files: dict[str, bytes],
    owned: set[str],
    digests: Mapping[str, str] | None = None,
    known: Mapping[str, str] | None = None,
) -> list[str]:
    """Make `root` hold `files` and none of the other `owned` paths: stage every change, then swap it in.

    Files are compared by digest: `digests` (computed here if not given) against what `root` holds, of which
    `known` gives the owned files' digests where they were read already; the rest is read now.

    Unchanged files are not touched (their mtimes stay). All new content is written to a staging folder in
    `root` first, so a failure while staging leaves the previous tree as it was. A folder that `root` lacks is
    swapped in whole, in one rename (a first generation's thousands of files in a few). While files are swapped
    in, the manifest lists both generations' files, so an interrupted run still owns everything it wrote.
    """
    digests = digests if digests is not None else {path: digest(data) for path, data in files.items()}
    try:
        unread = files_on_disk(root, owned | files.keys() if known is None else files.keys() - owned)
    except OSError as exc:
        raise OutputError(f"cannot read what {root} holds: {_reason(exc)}; nothing was changed there") from exc
    drift = compare(digests, {**(known or {}), **{path: digest(data) for path, data in unread.items()}})
    stale = tuple(p for p in drift.extra if p in owned)
    changes = sorted(drift.missing + drift.changed, key=lambda path: path == MANIFEST)  # the real manifest goes in last
    if not changes and not stale:
        return []  # nothing to write: not even a staging folder (the output may be read-only)
    staging = None
    try:
        try:
            staging = tempfile.mkdtemp(prefix=STAGING, dir=root)
            folders: set[str] = set()  # made (or found) once each
            for relative in changes:
                _stage(staging, relative, files[relative], folders)
            moves, blocking = _moves(root, changes, set(stale))
            interim = None  # while files are swapped in, the manifest owns both generations' files
            if MANIFEST in changes:
                listing = {"generator": {"name": GENERATOR_NAME}, "files": dict.fromkeys(sorted(owned | files.keys()), ""), "interrupted": True}
                interim = _stage(staging, INTERIM, json.dumps(listing).encode(), folders)
        except OSError as exc:
            raise OutputError(f"cannot write into {root}: {_reason(exc)}; nothing was changed there") from exc
        try:
            if interim is not None:
                os.replace(interim, root / MANIFEST)
            for relative in blocking:  # a stale file of ours where a folder of this generation goes
                (root / relative).unlink()
            for relative in moves:
                os.replace(os.path.join(staging, relative), os.path.join(root, relative))
            for relative in stale:
                if relative not in blocking:
                    (root / relative).unlink()
                _prune_empty_dirs(root, (root / relative).parent)
        except OSError as exc:
            raise OutputError(
                f"writing into {root} stopped part-way: {_reason(exc)}. It holds part of the new files, and its "
                "manifest lists every file of both generations: run generate again once the cause is fixed"
            ) from exc
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)  # what was not swapped in: a staging or a swap failed
    return sorted(drift.missing + drift.changed + stale)


def _reason(exc: OSError) -> str:
    """What the system said of a failed file operation, and the path it failed on."""
    return f"{exc.strerror or exc}" + (f" ({exc.filename})" if exc.filename else "")


def _stage(staging: str, relative: str, data: bytes, folders: set[str]) -> str:
    """Write `data` at `relative` in the staging folder and return its path; `folders` are known to exist."""
    path = os.path.join(staging, relative)
    folder = os.path.dirname(path)
    if folder not in folders:
        os.makedirs(folder, exist_ok=True)
        folders.add(folder)
    with open(path, "xb") as handle:
        handle.write(data)
    return path


def _moves(root: Path, paths: list[str], stale: set[str]) -> tuple[list[str], list[str]]:
    """What to rename into `root` to place `paths`, in their order: each path's outermost folder that `root` lacks
    (once), else the file itself; and the `stale` files (the last generation's, not this one's) standing where a
    folder must go, to remove first. Another file where a folder must go, or a folder where a file must, stops the
    run before anything is swapped."""
    moves: dict[str, None] = {}
    blocking: list[str] = []
    lacking: dict[str, bool] = {}  # folder → whether `root` lacks it (a stale file there: it will)
    for relative in paths:
        parts = relative.split("/")
        move = relative
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if folder not in lacking:
                place = os.path.join(root, folder)
                exists = os.path.lexists(place)
                if exists and not os.path.isdir(place):
                    if folder not in stale:
                        raise OutputError(f"cannot write {root / relative}: {place} is a file, not a folder")
                    blocking.append(folder)
                    exists = False
                lacking[folder] = not exists
            if lacking[folder]:
                move = folder
                break
        place = os.path.join(root, relative)
        if move == relative and os.path.isdir(place) and not os.path.islink(place):
            raise OutputError(f"cannot write {root / relative}: it is a folder; move it away and run generate again")
        moves.setdefault(move, None)
    return list(moves), blocking


def _prune_empty_dirs(root: Path, directory: Path) -> None:
    """Remove directories left empty by deletions, up to (not including) root."""
    while directory != root and directory.is_dir() and not any(directory.iterdir()):
        directory.rmdir()
        directory = directory.parent
