"""Generated Python is exactly what black makes of it: `black --check` would pass on every tree.

The generator formats with ruff's black-compatible formatter (`acs_sdkgen.emit.formatting`); black, pinned
exactly, is the formatter of record. These trees are where any difference between the two would show.
"""

from __future__ import annotations

from pathlib import Path

import black
import pytest

MODE = black.Mode(target_versions={black.TargetVersion.PY310}, line_length=88)  # black's defaults for 3.10
ROOT = Path(__file__).resolve().parents[2]
TREES = [ROOT / "generated", *sorted((ROOT / "tests" / "fixtures").glob("*/golden")), ROOT / "generator" / "runtime"]


def _python_files() -> list[Path]:
    """Every Python file of the committed generated trees and of the vendored runtime."""
    skipped = {"__pycache__", "build"}  # bytecode and the packaging tests' build copies (git-ignored)
    return sorted(p for tree in TREES for p in tree.rglob("*.py") if not skipped & set(p.relative_to(tree).parts))


@pytest.mark.parametrize("path", _python_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_black_leaves_it_unchanged(path: Path) -> None:
    """`black.format_str` with the generator's style returns the file as it is."""
    text = path.read_text(encoding="utf-8")
    assert black.format_str(text, mode=MODE) == text, f"{path.relative_to(ROOT)} is not black-stable"
