"""Git in a test's own repository, with a fixed identity and no signing."""

from __future__ import annotations

import subprocess
from pathlib import Path

IDENTITY = ("-c", "user.name=Test User", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false")


def git(*args: str, cwd: Path) -> str:
    """Run git in `cwd`; fail with its output when it fails; return its standard output."""
    done = subprocess.run(["git", *IDENTITY, *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"git {' '.join(args)} exited {done.returncode}:\n{done.stdout}{done.stderr}"
    return done.stdout
