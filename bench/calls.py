"""Per-call cost and loopback throughput of our SDK and the official one, through drivers/.

- CPU per call: client process time per DescribeInstance over a keep-alive connection to
  server.py (its own process), per round of calls.
- Instructions per call: callgrind's instruction count of a run with K canned calls minus a run
  with none, divided by K (the transport answers from memory; both runs warm up identically).
- Throughput: calls per second, one sync client calling sequentially, and one async client shared
  by concurrent tasks.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from envs import ENVS_BY_NAME, ROOT
from imports import OFFICIAL
from records import OURS, Row
from server import running_server
from stats import CommandFailed, Sample, run_json
from tools import SDK

DRIVERS = ROOT / "bench" / "drivers"
COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


@dataclass(frozen=True)
class Driver:
    """An SDK's driver script, the environment it runs in and its PYTHONPATH."""

    subject: str
    script: str
    env: str
    path: Path | None

    def argv(self, mode: str, *args: object) -> list[str]:
        """Command line of one driver mode."""
        return [
            str(ENVS_BY_NAME[self.env].python),
            str(DRIVERS / self.script),
            mode,
            *map(str, args),
        ]

    def environ(self) -> dict[str, str]:
        """PYTHONPATH for the generated package, a fixed hash seed for repeatable instruction counts."""
        return {
            "PYTHONHASHSEED": "0",
            **({"PYTHONPATH": str(self.path)} if self.path else {}),
        }

    def run(self, mode: str, *args: object) -> dict:
        """Run one mode and return its JSON result."""
        return run_json(self.argv(mode, *args), env=self.environ())


DRIVER_LIST = (
    Driver(OURS, "ours.py", "ours", SDK),
    Driver(OFFICIAL, "official.py", "official", None),
)
SIGNATURES = ("v3", "v1")


def _rows(
    suite: str, case: str, unit: str, measure: Callable[[Driver], list[float]]
) -> list[Row]:
    """One row per driver; a failing driver yields an error row."""
    higher = unit == "calls/s"
    rows = []
    for driver in DRIVER_LIST:
        try:
            sample, error = Sample(unit, measure(driver)), ""
        except (CommandFailed, subprocess.TimeoutExpired) as exc:
            sample, error = None, str(exc)
        rows.append(Row(suite, case, driver.subject, sample, error, higher))
    return rows


def _mode(mode: str, key: str, *args: object) -> Callable[[Driver], list[float]]:
    """Measure by running one driver mode and reading one list from its result."""
    return lambda driver: driver.run(mode, *args)[key]


def _canned_cpu(sig: str, calls: int, rounds: int) -> Callable[[Driver], list[float]]:
    """Measure CPU per canned call, one fresh process per round."""
    args = ("--signature", sig, "--calls", calls, "--warmup", 200)
    return lambda driver: [driver.run("canned", *args)["cpu_us"] for _ in range(rounds)]


def _instructions(sig: str, calls: int, warmup: int) -> Callable[[Driver], list[float]]:
    """Measure callgrind instructions per canned call."""
    return lambda driver: [instructions(driver, sig, calls, warmup)]


def instructions(driver: Driver, sig: str, calls: int, warmup: int) -> float:
    """Callgrind instructions per canned call: (run with `calls`) − (run with none), over `calls`."""
    counts = []
    for count in (calls, 0):
        with tempfile.TemporaryDirectory() as tmp:
            argv = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/out"]
            argv += driver.argv(
                "canned", "--signature", sig, "--calls", count, "--warmup", warmup
            )
            env = {**os.environ, **driver.environ()}
            done = subprocess.run(
                argv, env=env, capture_output=True, text=True, timeout=1800
            )
        found = COLLECTED.search(done.stderr)
        if done.returncode != 0 or not found:
            tail = done.stderr.strip().splitlines()[-3:]
            raise CommandFailed(f"callgrind exit {done.returncode}: {tail}")
        counts.append(int(found.group(1)))
    return (counts[0] - counts[1]) / calls


def run_calls(
    calls: int, rounds: int, cg_calls: int, log: Callable[[str], None] = print
) -> list[Row]:
    """Loopback client CPU, canned CPU and callgrind instructions per call, V3 and V1."""
    rows = []
    log("call: client CPU per call over loopback")
    with running_server() as port:
        for sig in SIGNATURES:
            args = ("--port", port, "--signature", sig, "--calls", calls)
            measure = _mode("cpu", "cpu_us", *args, "--rounds", rounds, "--warmup", 200)
            rows += _rows("call", f"client CPU per call, {sig}", "µs", measure)
    log("call: CPU per call, canned transport")
    for sig in SIGNATURES:
        measure = _canned_cpu(sig, calls, rounds)
        rows += _rows("call", f"CPU per call (canned), {sig}", "µs", measure)
    log("call: callgrind instructions per call (slow)")
    for sig in SIGNATURES:
        measure = _instructions(sig, cg_calls, 20)
        rows += _rows(
            "call", f"instructions per call (canned), {sig}", "instr", measure
        )
    return rows


def run_throughput(
    calls: int, rounds: int, concurrency: int, log: Callable[[str], None] = print
) -> list[Row]:
    """Calls per second against the local server: sync sequential, async concurrent (V3)."""
    log("throughput: sync and async against the local server")
    rows = []
    with running_server() as port:
        base = ("--port", port, "--calls", calls, "--rounds", rounds)
        sync = _mode("sync", "calls_per_s", *base, "--warmup", 200)
        rows += _rows("throughput", "sync, 1 client", "calls/s", sync)
        concurrent = _mode(
            "async",
            "calls_per_s",
            *base,
            *("--warmup", concurrency * 4, "--concurrency", concurrency),
        )
        rows += _rows(
            "throughput", f"async, {concurrency} tasks", "calls/s", concurrent
        )
    return rows
