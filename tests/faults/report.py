"""Figures the fault and load tests collect, printed at the end of the run (``conftest.py``)."""

from __future__ import annotations

from collections import defaultdict

# (fault, action) -> {(exception, requests sent): [flavor/kind, ...]}
FAULTS: dict[tuple[str, str], dict[tuple[str, str], list[str]]] = defaultdict(
    lambda: defaultdict(list)
)
# flavor/kind -> figures of one load run
LOAD: dict[str, dict[str, object]] = {}


def fault(name: str, action: str, outcome: str, requests: str, who: str) -> None:
    """Record what one client did under one fault."""
    FAULTS[(name, action)][(outcome, requests)].append(who)


def lines() -> list[str]:
    """The load figures and the fault table as Markdown."""
    out: list[str] = []
    if LOAD:
        out += [
            "| client | calls | concurrency | errors | connections opened | "
            "fds before/peak/after | tracemalloc peak | wall |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for who, f in sorted(LOAD.items()):
            out.append(
                f"| {who} | {f['calls']} | {f['concurrency']} | {f['errors']} | "
                f"{f['connections']} | {f['fds_before']}/{f['fds_peak']}/{f['fds_after']} | "
                f"{f['peak_mib']:.1f} MiB | {f['seconds']:.2f} s |"
            )
        out.append("")
    if FAULTS:
        out += [
            "| fault | action | raised | requests sent | clients |",
            "| --- | --- | --- | --- | --- |",
        ]
        for (name, action), outcomes in sorted(FAULTS.items()):
            for (raised, requests), who in sorted(outcomes.items()):
                out.append(
                    f"| {name} | {action} | {raised} | {requests} | {len(who)} |"
                )
    return out
