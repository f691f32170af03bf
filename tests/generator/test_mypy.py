"""The generated SDK type-checks under mypy --strict."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "package",
    ["generated/pydantic/outboundbot", "generated/dataclasses/outboundbot_lite", "generated/typeddict/outboundbot_dicts"],
)
def test_mypy_strict(package: str, tmp_path: Path) -> None:
    """mypy --strict reports no error on the generated package."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--cache-dir",
            str(tmp_path),
            package,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
