"""Generation time: each tool in a cold process on each synthetic spec; ours also regenerating."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from records import OURS, Row
from stats import CommandFailed, Sample
from tools import TOOLS, Tool, cache_dir, clear, forget, mark_done, output_dir

SUITE = "generation"
# Our extra rows: a second `generate` with nothing changed, and a forced re-render with a warm black cache.
NOOP = "ours: no-change regenerate"
RERENDER = "ours: re-render, warm cache"


def case_name(spec: Path) -> str:
    """`rpc-1000.yaml` → `rpc 1000 ops`."""
    style, count = spec.stem.split("-")
    return f"{style} {count} ops"


def _ours(tool: Tool, spec: Path, samples: dict[str, Sample]) -> None:
    """One full generation from scratch (empty output, empty cache), then the two regenerations."""
    out, cache = output_dir(tool, spec), cache_dir(spec)
    clear(out, cache)
    samples[OURS].values.append(tool.run(spec, out, cache))
    samples[NOOP].values.append(tool.run(spec, out, cache))
    samples[RERENDER].values.append(tool.run(spec, out, cache, force=True))


def _peer(tool: Tool, spec: Path, samples: dict[str, Sample]) -> None:
    """One generation into an empty directory."""
    out = output_dir(tool, spec)
    clear(out)
    samples[tool.name].values.append(tool.run(spec, out, cache_dir(spec)))


def measure_spec(
    spec: Path, runs: int, budget: float, log: Callable[[str], None]
) -> list[Row]:
    """Interleave the tools `runs` times on one spec (fewer, but at least two, past `budget` seconds)."""
    names = [t.name for t in TOOLS] + [NOOP, RERENDER]
    samples = {name: Sample("s") for name in names}
    errors: dict[str, str] = {}
    started = time.perf_counter()
    for run in range(runs):
        for tool in TOOLS:
            if tool.name in errors:
                continue
            forget(tool, spec)
            try:
                (_ours if tool.name == OURS else _peer)(tool, spec, samples)
                mark_done(tool, spec)
            except CommandFailed as exc:
                errors[tool.name] = str(exc)
                if tool.name == OURS:
                    errors[NOOP] = errors[RERENDER] = "full generation failed"
        spent = time.perf_counter() - started
        log(f"  {spec.stem} run {run + 1}: {spent:.0f}s so far")
        if run >= 1 and spent > budget and run + 1 < runs:
            for sample in samples.values():
                sample.note = f"{run + 1} of {runs} runs (time budget)"
            break
    case = case_name(spec)
    return [
        Row(
            SUITE,
            case,
            name,
            None if name in errors else samples[name],
            errors.get(name, ""),
        )
        for name in names
    ]


def run(
    specs: list[Path], runs: int, budget: float, log: Callable[[str], None] = print
) -> list[Row]:
    """Every spec, small to large."""
    rows: list[Row] = []
    for spec in specs:
        log(f"generation: {spec.name}")
        rows += measure_spec(spec, runs, budget, log)
    return rows
