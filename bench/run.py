"""Run the benchmark suite: set up the peers' environments, measure, print the table, write results.

Usage: .venv/bin/python bench/run.py [--only generation|import|call|throughput ...] [--quick]
Writes bench/results/latest.json and bench/results/latest.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import calls  # noqa: E402
import envs  # noqa: E402
import generation  # noqa: E402
import imports  # noqa: E402
import report  # noqa: E402
import tools  # noqa: E402
from make_specs import SIZES, STYLES, spec_path, write_specs  # noqa: E402
from records import Row  # noqa: E402

RESULTS = envs.BENCH / "results"
SPECS = RESULTS / "specs"
SUITES = ("generation", "import", "call", "throughput")
# Environments each suite needs.
NEEDS = {
    "generation": {
        "ours",
        "openapi-python-client",
        "openapi-generator",
        "datamodel-code-generator",
    },
    "import": {
        "ours",
        "openapi-python-client",
        "openapi-generator",
        "datamodel-code-generator",
        "official",
    },
    "call": {"ours", "official"},
    "throughput": {"ours", "official"},
}


def _parser() -> argparse.ArgumentParser:
    """Command line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        action="append",
        choices=SUITES,
        help="run only this suite (repeatable)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="fewer sizes, runs and calls: a smoke run, not a figure",
    )
    parser.add_argument("--styles", nargs="+", choices=STYLES, default=list(STYLES))
    parser.add_argument(
        "--sizes",
        nargs="+",
        type=int,
        help=f"generation spec sizes (default {' '.join(map(str, SIZES))})",
    )
    parser.add_argument(
        "--gen-runs", type=int, default=3, help="generation runs per tool and spec"
    )
    parser.add_argument(
        "--gen-budget",
        type=float,
        default=300,
        help="seconds per spec after which two runs suffice",
    )
    parser.add_argument(
        "--import-runs", type=int, default=15, help="fresh processes per import probe"
    )
    parser.add_argument(
        "--import-budget",
        type=float,
        default=60,
        help="seconds per probe after which 5 runs suffice",
    )
    parser.add_argument(
        "--calls",
        type=int,
        default=2000,
        help="calls per round (CPU and sync throughput)",
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="rounds per call measurement"
    )
    parser.add_argument(
        "--callgrind-calls", type=int, default=200, help="canned calls under callgrind"
    )
    parser.add_argument(
        "--concurrency", type=int, default=50, help="async tasks sharing one client"
    )
    return parser


def _quick(args: argparse.Namespace) -> None:
    """Shrink everything for a smoke run."""
    args.sizes = args.sizes or [2, 50]
    args.gen_runs, args.import_runs, args.calls, args.rounds, args.callgrind_calls = (
        1,
        3,
        300,
        2,
        20,
    )


def _log(message: str) -> None:
    """Progress on stderr, so stdout holds only the table."""
    print(message, file=sys.stderr, flush=True)


def _meta(
    args: argparse.Namespace, suites: list[str], started: float
) -> dict[str, object]:
    """What, where and when: versions, machine, load, options."""
    return {
        "suites": suites,
        "options": {k: v for k, v in vars(args).items() if k != "only"},
        "versions": envs.all_versions(),
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_avg_end": os.getloadavg(),
        },
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "seconds": round(time.time() - started, 1),
    }


def _suite(name: str, args: argparse.Namespace) -> list[Row]:
    """Run one suite."""
    sizes = args.sizes or list(SIZES)
    if name == "generation":
        specs = [spec_path(SPECS, style, n) for style in args.styles for n in sizes]
        return generation.run(specs, args.gen_runs, args.gen_budget, _log)
    if name == "import":
        import_sizes = [n for n in (2, 1000) if n in sizes] or [min(sizes), max(sizes)]
        specs = [  # the import probes name each style's first operation: the rich RPC shape has none of them
            spec_path(SPECS, style, n)
            for style in args.styles
            if style != "rpcx"
            for n in import_sizes
        ]
        return imports.run(specs, args.import_runs, args.import_budget, _log)
    if name == "call":
        return calls.run_calls(args.calls, args.rounds, args.callgrind_calls, _log)
    return calls.run_throughput(args.calls, args.rounds, args.concurrency, _log)


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = _parser().parse_args(argv)
    if args.quick:
        _quick(args)
    # Users' installed packages have bytecode caches; a bench that may not write them measures compiling.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    suites = args.only or list(SUITES)
    started = time.time()
    tools.empty_trash()  # an interrupted run's
    envs.ensure_all(set().union(*(NEEDS[s] for s in suites)), _log)
    tree = tools.snapshot_tree()
    write_specs(
        SPECS, tuple(sorted(set(args.sizes or SIZES) | {2, 1000})), tuple(args.styles)
    )
    rows: list[Row] = []
    load: dict[str, list[float]] = {}
    try:
        for suite in suites:
            load[suite] = list(os.getloadavg())
            rows += _suite(suite, args)
    finally:
        tools.empty_trash()
    found = report.targets(rows)
    meta = {
        **_meta(args, suites, started),
        "load_avg_at_suite_start": load,
        "generator_tree": tree,
    }
    text = "\n\n".join(
        [
            "## Results (ours ×better > 1: ours is faster / cheaper / has more throughput than that subject)",
            report.results_table(rows),
            "## Generation growth with spec size (medians)",
            (
                report.growth_table(rows)
                if "generation" in suites
                else "(generation not run)"
            ),
            "## Targets",
            report.targets_table(found),
            "## Versions",
            "```json\n" + json.dumps(meta["versions"], indent=2) + "\n```",
        ]
    )
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.md").write_text(text + "\n", encoding="utf-8")
    document = {
        "meta": meta,
        "rows": [r.to_json() for r in rows],
        "targets": [t.to_json() for t in found],
    }
    (RESULTS / "latest.json").write_text(
        json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    _log(
        f"wrote {RESULTS / 'latest.md'} and {RESULTS / 'latest.json'} in {time.time() - started:.0f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
