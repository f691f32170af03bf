"""The code generators under test and where their output for a synthetic spec lives."""

from __future__ import annotations

import compileall
import hashlib
import os
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

from envs import ENVS_BY_NAME, ROOT
from stats import run_timed

WORK = ROOT / "bench" / "results" / "work"
# Copies taken at the start of a run, so that edits made meanwhile are not measured: our
# generator and templates, and the committed Outbound Bot SDK (generated/pydantic/outboundbot).
TREE = WORK / "tree"
SDK = TREE / "sdk"
TRASH = WORK / "trash"  # cleared outputs, deleted when the run ends
LOW_DISK = 10 * 2**30  # below this much free space the trash is emptied at once


def snapshot_tree() -> dict[str, str]:
    """Copy our generator, templates and SDK into TREE; return the commit and if it was dirty."""
    clear(TREE)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("generator", "templates"):
        shutil.copytree(ROOT / name, TREE / name, ignore=ignore)
    # Byte-compiled, as an installed wheel is (pip compiles at install time, and the peers were installed so):
    # else every run of ours compiles its own modules first wherever PYTHONDONTWRITEBYTECODE is set.
    compileall.compile_dir(TREE / "generator", quiet=1)
    shutil.copytree(
        ROOT / "generated" / "pydantic" / "outboundbot",
        SDK / "outboundbot",
        ignore=ignore,
    )
    git = ["git", "-C", str(ROOT)]
    head = subprocess.run(
        [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    dirty = subprocess.run(
        [*git, "status", "--porcelain", "generator", "templates", "generated"],
        capture_output=True,
        text=True,
    )
    return {
        "commit": head.stdout.strip(),
        "uncommitted_changes": str(bool(dirty.stdout.strip())),
    }


@dataclass(frozen=True)
class Tool:
    """One generator: how to run it on a spec into an output directory."""

    name: str
    env: str | None

    def argv(
        self, spec: Path, out: Path, force: bool = False, flavors: tuple[str, ...] = ("pydantic",)
    ) -> list[str]:
        """The command line generating `spec` into `out` (ours: with those flavors)."""
        if self.env is None:
            extra = ["--force"] if force else []
            return [
                sys.executable,
                "-m",
                "generator",
                "generate",
                "--spec",
                str(spec),
                "--out",
                str(out),
            ] + [
                *(arg for flavor in flavors for arg in ("--flavor", flavor)),
                "-q",
                *extra,
            ]
        env = ENVS_BY_NAME[self.env]
        if self.name == "openapi-python-client":
            return [
                str(env.bin("openapi-python-client")),
                "generate",
                "--path",
                str(spec),
            ] + [
                "--output-path",
                str(out),
                "--overwrite",
            ]
        if self.name == "openapi-generator":
            return [
                str(env.bin("openapi-generator-cli")),
                "generate",
                "-g",
                "python",
                "-i",
                str(spec),
                "-o",
                str(out),
            ]
        return [
            str(env.bin("datamodel-codegen")),
            *("--input", str(spec), "--input-file-type", "openapi"),
            *(
                "--output",
                str(out / "synth_models.py"),
                "--output-model-type",
                "pydantic_v2.BaseModel",
            ),
            *("--formatters", "black", "isort", "--disable-timestamp"),
        ]

    def environ(self, cache: Path) -> dict[str, str]:
        """Environment variables of a run: our result cache, or the peer env's bin first on PATH (its hooks)."""
        if self.env is None:
            tree = {"PYTHONPATH": str(TREE)} if TREE.is_dir() else {}
            return {"ACS_SDKGEN_CACHE_DIR": str(cache), **tree}
        return {
            "PATH": f"{ENVS_BY_NAME[self.env].path / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
        }

    def run(
        self,
        spec: Path,
        out: Path,
        cache: Path,
        force: bool = False,
        flavors: tuple[str, ...] = ("pydantic",),
    ) -> float:
        """Wall seconds of one generation in a fresh process (cwd has no pyproject.toml: defaults)."""
        spec, out = spec.resolve(), out.resolve()
        out.parent.mkdir(parents=True, exist_ok=True)
        if self.name != "ours":
            out.mkdir(parents=True, exist_ok=True)
        return run_timed(
            self.argv(spec, out, force, flavors),
            cwd=out.parent,
            env=self.environ(cache),
        )


TOOLS = (
    Tool("ours", None),
    Tool("openapi-python-client", "openapi-python-client"),
    Tool("openapi-generator", "openapi-generator"),
    Tool("datamodel-code-generator", "datamodel-code-generator"),
)
TOOLS_BY_NAME = {tool.name: tool for tool in TOOLS}


def output_dir(tool: Tool, spec: Path) -> Path:
    """Where a tool's output for a spec is kept."""
    return WORK / "gen" / tool.name / spec.stem


def cache_dir(spec: Path) -> Path:
    """Our result cache for one spec (cleared before every full generation)."""
    return WORK / "cache" / spec.stem


def forget(tool: Tool, spec: Path) -> None:
    """Drop the finished-output marker before a run that replaces the output."""
    _stamp(tool, spec).unlink(missing_ok=True)


def clear(*paths: Path) -> None:
    """Move directories, if present, into the trash: they are deleted when the run ends (`empty_trash`), or now if
    the disk runs low. Deleting thousands of files right before a timed run slows that run's own file creation on
    some filesystems (on the benchmark machine's, creating 12,000 files took 4-5 s more just after 12,000 were
    deleted): the cost would fall on whichever tool runs next, in proportion to what the previous one wrote."""
    for path in paths:
        if path.exists():
            TRASH.mkdir(parents=True, exist_ok=True)
            path.rename(TRASH / f"{path.name}-{uuid.uuid4().hex}")
    if shutil.disk_usage(WORK).free < LOW_DISK:
        empty_trash()


def empty_trash() -> None:
    """Delete what `clear` moved away (untimed: at the end of a run, and of an interrupted one at the next start)."""
    shutil.rmtree(TRASH, ignore_errors=True)


def _stamp(tool: Tool, spec: Path) -> Path:
    """Marker of a finished output: holds the spec's hash."""
    return output_dir(tool, spec).with_suffix(".done")


def mark_done(tool: Tool, spec: Path) -> None:
    """Record that the output of `tool` for `spec` is complete."""
    _stamp(tool, spec).write_text(hashlib.sha256(spec.read_bytes()).hexdigest())


def ensure_output(tool: Tool, spec: Path) -> Path:
    """Generate (once) and return the tool's output directory for a spec."""
    out, stamp = output_dir(tool, spec), _stamp(tool, spec)
    if not (
        stamp.exists()
        and stamp.read_text() == hashlib.sha256(spec.read_bytes()).hexdigest()
    ):
        clear(out, cache_dir(spec))
        tool.run(spec, out, cache_dir(spec))
        mark_done(tool, spec)
    return out
