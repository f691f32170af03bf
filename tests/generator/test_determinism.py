"""Same spec, same generator → same bytes, whatever the hash seed; no absolute paths or timestamps."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from acs_sdkgen.output.files import files_on_disk

ROOT = Path(__file__).resolve().parents[2]


def _generate(out: Path, seed: str) -> dict[str, bytes]:
    """Run the CLI in a fresh process with the given PYTHONHASHSEED."""
    env = {**os.environ, "PYTHONHASHSEED": seed}
    subprocess.run(
        [sys.executable, "-m", "generator", "generate", "--out", str(out), "-q"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return files_on_disk(out)


def test_two_runs_under_different_hash_seeds_are_identical(tmp_path: Path) -> None:
    """Byte-identical trees from PYTHONHASHSEED=1 and PYTHONHASHSEED=4242."""
    first = _generate(tmp_path / "a", "1")
    second = _generate(tmp_path / "b", "4242")
    assert first.keys() == second.keys()
    assert [p for p in first if first[p] != second[p]] == []


def test_no_machine_paths_in_output(tmp_path: Path) -> None:
    """Nothing generated mentions the checkout's or the temp dir's absolute path."""
    files = _generate(tmp_path / "c", "0")
    for path, data in files.items():
        text = data.decode("utf-8")
        assert str(ROOT) not in text, path
        assert str(tmp_path) not in text, path
