"""Generated Python in black's style, formatted by ruff's black-compatible formatter in one batch.

Ruff (pinned exactly) gives black's output at a small fraction of its cost. Black stays the formatter of
record: tests/generator/test_black_stable.py checks that every committed tree is exactly what black makes
of it, and the corpus sample does the same for real-world specs. Each module's formatted text is cached
by its unformatted text (generator/cache.py): after an edit, only the modules it changed are formatted.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from pathlib import Path

from .. import cache

# The same style as black's defaults for Python 3.10; `--isolated` ignores any ruff configuration around.
RUFF_FORMAT = ["format", "--isolated", "--no-cache", "--line-length", "88", "--target-version", "py310"]
BATCH = 500  # files per ruff command line (keeps it far below the system's argument-length limit)
_PARSE_ERROR = re.compile(r"Failed to parse (?P<path>.+?):(?P<line>\d+):(?P<column>\d+): (?P<message>.*)")


class FormatError(Exception):
    """A generated module is not valid Python (a template bug); the message names the module and line."""


def format_python(sources: dict[str, str]) -> dict[str, str]:
    """Every module of `sources` (relative path → source) formatted as black would format it."""
    paths = list(sources)
    cached = dict(zip(paths, cache.load_many("format", [(sources[path],) for path in paths])))
    missing = {path: source for path, source in sources.items() if cached[path] is None}
    formatted = format_uncached(missing) if missing else {}
    cache.store_many("format", [((missing[path],), text) for path, text in formatted.items()])
    return {path: formatted[path] if text is None else text for path, text in cached.items()}


def format_uncached(sources: dict[str, str]) -> dict[str, str]:
    """`format_python` without the cache: ruff's formatter run on the modules, written to a temporary directory,
    in batches."""
    from ruff import find_ruff_bin

    with tempfile.TemporaryDirectory(prefix="acs-sdkgen-format-", dir=_scratch()) as tmp:
        root = Path(tmp)
        for path, source in sources.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(source, encoding="utf-8")
        paths = sorted(sources)
        for start in range(0, len(paths), BATCH):
            command = [find_ruff_bin(), *RUFF_FORMAT, "--", *paths[start : start + BATCH]]
            done = subprocess.run(command, cwd=root, capture_output=True, text=True)
            if done.returncode != 0:
                raise FormatError(_explain(done.stderr))
        return {path: (root / path).read_text(encoding="utf-8") for path in sources}


def _scratch() -> str | None:
    """A memory-backed directory for the formatter's copies where the system has one (creating thousands of
    files there costs nothing), else the default temporary directory."""
    shm = "/dev/shm"
    return shm if "TMPDIR" not in os.environ and os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None


def _explain(stderr: str) -> str:
    """The first parse error ruff reported, as `generated <module>:<line>: ...`; else ruff's own words."""
    for line in stderr.splitlines():
        found = _PARSE_ERROR.search(line)
        if found:
            return (
                f"generated {found['path']}:{found['line']}:{found['column']} is not valid Python "
                f"({found['message']}); this is a template bug"
            )
    return f"formatting the generated modules failed: {stderr.strip() or 'ruff gave no reason'}"
