"""A seeded random sample of the public APIs-guru directory (specs nobody here wrote) through
`bench/corpus.py`: every spec ends in generated code that imports, covers every operation and passes
`mypy --strict` (up to a size bound), or in a located diagnostic; never an internal error or a hang.
The specs with at most SUITES_MAX_OPS operations also run the tests each generated SDK ships against
the mock of their spec, every flavor; only the failures listed in KNOWN_SUITE_FAILURES may remain."""

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
SUITES_MAX_OPS = 8  # 11 of the 40 specs: about three more minutes on two cores
# Specs whose generated tests fail against the mock, and why (a fault of the spec, or a limit not fixed yet).
KNOWN_SUITE_FAILURES: dict[str, str] = {}


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
        "--suites-max-ops", str(SUITES_MAX_OPS),
        "--results", str(results), "--report-file", str(report),
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=3000)
    assert done.returncode == 0, done.stdout + done.stderr
    records = [json.loads(line) for line in results.read_text().splitlines() if line.strip()]
    assert len(records) == SAMPLE
    corpus = corpus_module()
    allowed = {spec: "pass!suites" for spec in KNOWN_SUITE_FAILURES}
    failed = {
        r["spec"]: corpus.verdict(r) for r in records if corpus.verdict(r) not in ("pass", "refused", allowed.get(r["spec"]))
    }
    assert not failed, f"{failed}\n\n{report.read_text()}"
    small = [r for r in records if r["outcome"] == "pass" and 0 < r["operations"] <= SUITES_MAX_OPS]
    assert small and all(len(r["suites"]) == 3 for r in small), [r["spec"] for r in small]
    for record in small:
        for flavor, suite in record["suites"].items():
            assert suite["passed"] > 0 and suite["status"] != "timeout", (record["spec"], flavor, suite)
    still = {r["spec"] for r in small if corpus.check_failed(r, "suites")}
    assert still == set(KNOWN_SUITE_FAILURES), f"fixed or new: {still ^ set(KNOWN_SUITE_FAILURES)}; update the list"
    for record in records:
        if record["outcome"] == "refused":
            assert record["errors"] and all(line.startswith("ERROR ") for line in record["errors"]), record
    checked = sum("mypy" in r for r in records)
    tests = [(s["passed"], s["failed"] + s["error"]) for r in small for s in r["suites"].values()]
    print(f"corpus sample: {SAMPLE} specs (seed {SEED}), {sum(r['outcome'] == 'pass' for r in records)} generated, "
          f"{checked} type-checked, {sum(r['outcome'] == 'refused' for r in records)} refused with a diagnostic; "
          f"{len(small)} ran their SDKs' tests: {sum(p for p, _ in tests)} passed, {sum(f for _, f in tests)} failed")


def test_records_of_an_older_generator_answer_only_when_kept(tmp_path: Path) -> None:
    """A resumed run redoes specs recorded by another generator, unless --keep-older; this one's record wins."""
    corpus = corpus_module()
    results = tmp_path / "corpus.jsonl"
    lines = [
        {"spec": "a.json", "key": "old", "outcome": "internal"},
        {"spec": "b.json", "key": "old", "outcome": "pass"},
        {"spec": "a.json", "key": "new", "outcome": "pass"},
        {"spec": "a.json", "key": "older", "outcome": "refused"},
    ]
    results.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert {s: r["outcome"] for s, r in corpus.read_results(results, "new", False).items()} == {"a.json": "pass"}
    kept = corpus.read_results(results, "new", True)
    assert {s: (r["key"], r["outcome"]) for s, r in kept.items()} == {"a.json": ("new", "pass"), "b.json": ("old", "pass")}
    assert corpus._identities(list(kept.values()), "new") == "`new` (1 spec), `old` (1 spec)"
