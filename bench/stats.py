"""Samples (repeated measurements) and their summary: median, min, max."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence


@dataclass
class Sample:
    """Repeated measurements of one quantity, in one unit."""

    unit: str
    values: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def median(self) -> float:
        """The median (NaN when empty)."""
        return statistics.median(self.values) if self.values else float("nan")

    @property
    def low(self) -> float:
        """The smallest value."""
        return min(self.values) if self.values else float("nan")

    @property
    def high(self) -> float:
        """The largest value."""
        return max(self.values) if self.values else float("nan")

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary with the raw values."""
        return {
            "unit": self.unit,
            "median": self.median,
            "min": self.low,
            "max": self.high,
            "n": len(self.values),
            "values": self.values,
            "note": self.note,
        }


def repeat(
    measure: Callable[[], float],
    runs: int,
    unit: str,
    budget: float | None = None,
    least: int = 2,
) -> Sample:
    """Call `measure` `runs` times (stopping early, after `least` runs, once `budget` seconds are spent)."""
    sample = Sample(unit)
    started = time.perf_counter()
    for _ in range(runs):
        sample.values.append(measure())
        if (
            budget is not None
            and len(sample.values) >= least
            and time.perf_counter() - started > budget
        ):
            if len(sample.values) < runs:
                sample.note = f"{len(sample.values)} of {runs} runs (time budget)"
            break
    return sample


class CommandFailed(RuntimeError):
    """A benchmarked command exited non-zero."""


def run_timed(
    argv: Sequence[str | Path],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 1800,
) -> float:
    """Wall seconds of one command in a fresh process; raise CommandFailed with its output tail on error."""
    full_env = {**os.environ, **(env or {})}
    started = time.perf_counter()
    done = subprocess.run(
        [str(a) for a in argv],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).strip().splitlines()[-8:]
        raise CommandFailed(f"exit {done.returncode}: " + " | ".join(tail))
    return elapsed


def run_json(
    argv: Sequence[str | Path],
    *,
    env: Mapping[str, str] | None = None,
    timeout: float = 900,
) -> Any:
    """Run a driver that prints one JSON document on its last line; return it parsed."""
    import json

    full_env = {**os.environ, **(env or {})}
    done = subprocess.run(
        [str(a) for a in argv],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).strip().splitlines()[-8:]
        raise CommandFailed(f"exit {done.returncode}: " + " | ".join(tail))
    return json.loads(done.stdout.strip().splitlines()[-1])
