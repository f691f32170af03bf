"""A seeded random sample of the public APIs-guru directory (specs nobody here wrote) through
`bench/corpus.py`: every spec ends in generated code that imports, covers every operation and passes
`mypy --strict` (up to a size bound), or in a located diagnostic; never an internal error or a hang."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
SAMPLE, SEED = 40, 2026  # about ten minutes on two cores, mypy included
MYPY_MAX_BYTES = 150_000


def corpus_module() -> ModuleType:
    """bench/corpus.py as a module (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("corpus", ROOT / "bench" / "corpus.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["corpus"] = module
    spec.loader.exec_module(module)
    return module


def test_corpus_sample_generates_imports_and_type_checks(tmp_path: Path) -> None:
    """Each sampled spec passes every check or is refused with a diagnostic that names the place."""
    results, report = tmp_path / "corpus.jsonl", tmp_path / "corpus-report.md"
    command = [
        sys.executable, str(ROOT / "bench" / "corpus.py"), "--sample", str(SAMPLE), "--seed", str(SEED),
        "--jobs", "2", "--timeout", "300", "--mypy", "--mypy-max-bytes", str(MYPY_MAX_BYTES),
        "--results", str(results), "--report-file", str(report),
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=3000)
    assert done.returncode == 0, done.stdout + done.stderr
    records = [json.loads(line) for line in results.read_text().splitlines() if line.strip()]
    assert len(records) == SAMPLE
    corpus = corpus_module()
    failed = {r["spec"]: corpus.verdict(r) for r in records if corpus.verdict(r) not in ("pass", "refused")}
    assert not failed, f"{failed}\n\n{report.read_text()}"
    for record in records:
        if record["outcome"] == "refused":
            assert record["errors"] and all(line.startswith("ERROR ") for line in record["errors"]), record
    checked = sum("mypy" in r for r in records)
    print(f"corpus sample: {SAMPLE} specs (seed {SEED}), {sum(r['outcome'] == 'pass' for r in records)} generated, "
          f"{checked} type-checked, {sum(r['outcome'] == 'refused' for r in records)} refused with a diagnostic")
