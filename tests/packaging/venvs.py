"""Clean virtual environments and commands for the packaging tests."""

from __future__ import annotations

import re
import subprocess
import venv
from pathlib import Path


def canonical(name: str) -> str:
    """A distribution name normalised as pip does (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 900) -> str:
    """Run a command; fail with its output when it fails; return its standard output."""
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(map(str, args))} exited {result.returncode}:\n{result.stdout}{result.stderr}"
    return result.stdout


def clean_venv(where: Path) -> Path:
    """A new virtual environment with pip and nothing else; returns its python."""
    venv.EnvBuilder(with_pip=True).create(where)
    return where / "bin" / "python"
