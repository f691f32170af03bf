"""The targets of the issue, checked against the rows, and the table (Markdown) of a run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from calls import SIGNATURES
from generation import EDITS, NOOP, THREE
from imports import OFFICIAL
from records import OURS, Row, advantage, find

STYLES = ("rpc", "rest", "rpcx")
BIG, SMALL, MID = 1000, 2, 200


@dataclass
class Target:
    """One target of the issue: its measured value against its threshold."""

    name: str
    value: float | None
    threshold: str
    passed: bool | None
    detail: str = ""

    def to_json(self) -> dict[str, object]:
        """A JSON-ready target."""
        return vars(self)


def _ratio_target(
    name: str, rows: list[Row], suite: str, case: str, peer: str, minimum: float
) -> Target:
    """Ours must be at least `minimum` times better than `peer` in one cell."""
    ours, other = find(rows, suite, case, OURS), find(rows, suite, case, peer)
    if not (ours and other):
        return Target(name, None, f">= {minimum:g}x", None, "not measured")
    value = advantage(ours, other)
    return Target(
        name, value, f">= {minimum:g}x", value >= minimum, f"{case}: ours vs {peer}"
    )


def _median(rows: list[Row], suite: str, case: str, subject: str) -> float | None:
    """The median of a cell, if measured."""
    row = find(rows, suite, case, subject)
    return row.sample.median if row and row.sample else None


def growth(rows: list[Row], subject: str, style: str) -> float | None:
    """Marginal seconds per operation from 200 to 1000 ops over that from 2 to 200 (1.0 = linear)."""
    t = {
        n: _median(rows, "generation", f"{style} {n} ops", subject)
        for n in (SMALL, MID, BIG)
    }
    if None in t.values():
        return None
    early = (t[MID] - t[SMALL]) / (MID - SMALL)  # type: ignore[operator]
    late = (t[BIG] - t[MID]) / (BIG - MID)  # type: ignore[operator]
    return late / early if early > 0 else None


def _generation_targets(rows: list[Row]) -> list[Target]:
    """Speed against the peers at 1000 ops, linear growth, cheap no-change regenerate."""
    found = []
    for style in STYLES:
        case = f"{style} {BIG} ops"
        found.append(
            _ratio_target(
                f"generation {case}: no slower than openapi-generator",
                rows,
                "generation",
                case,
                "openapi-generator",
                1.0,
            )
        )
        found.append(
            _ratio_target(
                f"generation {case}: >= 3.5x faster than openapi-python-client",
                rows,
                "generation",
                case,
                "openapi-python-client",
                3.5,
            )
        )
        value = growth(rows, OURS, style)
        found.append(
            Target(
                f"generation {style}: grows linearly with spec size",
                value,
                "<= 1.25 (per-op cost 200→1000 / 2→200)",
                None if value is None else value <= 1.25,
                "marginal seconds per operation, late over early",
            )
        )
        full, noop = _median(rows, "generation", case, OURS), _median(
            rows, "generation", case, NOOP
        )
        share = None if full is None or noop is None else noop / full
        found.append(
            Target(
                f"generation {case}: no-change regenerate < 1/10 of full",
                share,
                "< 0.1",
                None if share is None else share < 0.1,
            )
        )
        three, oag = _median(rows, "generation", case, THREE), _median(
            rows, "generation", case, "openapi-generator"
        )
        times = None if three is None or oag is None else three / oag
        found.append(
            Target(
                f"generation {case}: three flavors within 1.5x of openapi-generator",
                times,
                "<= 1.5 (ours, three flavors, over openapi-generator)",
                None if times is None else times <= 1.5,
            )
        )
        for edit in EDITS:
            seconds = _median(rows, "generation", case, edit)
            found.append(
                Target(
                    f"generation {case}: {edit.removeprefix('ours: ')} regenerates in <= 1 s",
                    seconds,
                    "<= 1 s",
                    None if seconds is None else seconds <= 1.0,
                )
            )
    return found


def _import_targets(rows: list[Row]) -> list[Target]:
    """Root import against the official SDK; client plus one operation flat in spec size."""
    found = [
        _ratio_target(
            "SDK root import >= 10x faster than the official SDK",
            rows,
            "import",
            "root: Outbound Bot",
            OFFICIAL,
            10.0,
        )
    ]
    for style in STYLES:
        big = _median(rows, "import", f"client+op: {style} {BIG} ops", OURS)
        small = _median(rows, "import", f"client+op: {style} {SMALL} ops", OURS)
        value = None if big is None or small is None else big / small
        found.append(
            Target(
                f"import client+op {style}: 1000 ops within 1.5x of 2 ops",
                value,
                "<= 1.5",
                None if value is None else value <= 1.5,
                "ours, ms at 1000 ops over ms at 2 ops",
            )
        )
    return found


def _call_targets(rows: list[Row]) -> list[Target]:
    """Client CPU per call against the official SDK."""
    return [
        _ratio_target(
            f"client CPU per call {sig}: <= 1/3 of the official SDK",
            rows,
            "call",
            f"client CPU per call, {sig}",
            OFFICIAL,
            3.0,
        )
        for sig in SIGNATURES
    ]


def _throughput_targets(rows: list[Row]) -> list[Target]:
    """Loopback throughput against the official client."""
    async_case = next(
        (
            r.case
            for r in rows
            if r.suite == "throughput" and r.case.startswith("async")
        ),
        "async",
    )
    return [
        _ratio_target(
            "throughput sync >= 2x the official client",
            rows,
            "throughput",
            "sync, 1 client",
            OFFICIAL,
            2.0,
        ),
        _ratio_target(
            "throughput async >= 3x the official client",
            rows,
            "throughput",
            async_case,
            OFFICIAL,
            3.0,
        ),
    ]


CHECKS: dict[str, Callable[[list[Row]], list[Target]]] = {
    "generation": _generation_targets,
    "import": _import_targets,
    "call": _call_targets,
    "throughput": _throughput_targets,
}


def targets(rows: list[Row]) -> list[Target]:
    """Every target of the suites that ran."""
    suites = {r.suite for r in rows}
    return [
        target
        for suite, check in CHECKS.items()
        if suite in suites
        for target in check(rows)
    ]


def _number(value: float, unit: str) -> str:
    """A value with its unit, 3 significant digits (instructions in thousands)."""
    if unit == "instr":
        return f"{value / 1000:,.0f}k"
    if unit == "calls/s":
        return f"{value:,.0f}"
    return f"{value:.3g}" if value < 100 else f"{value:,.0f}"


def _markdown(header: list[str], body: list[list[str]]) -> str:
    """A Markdown table."""
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join(" --- " for _ in header) + "|",
    ]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in body])


def results_table(rows: list[Row]) -> str:
    """Every cell: median, min, max and ours' advantage over that subject (>1: ours better)."""
    body = []
    for row in rows:
        ours = find(rows, row.suite, row.case, OURS)
        if not row.ok:
            body.append(
                [
                    row.suite,
                    row.case,
                    row.subject,
                    "failed",
                    "",
                    "",
                    "",
                    row.error[:160].replace("|", "/"),
                ]
            )
            continue
        assert row.sample is not None
        unit = row.sample.unit
        ratio = (
            f"{advantage(ours, row):.2f}x"
            if ours and row.subject != OURS and not row.subject.startswith("ours:")
            else ""
        )
        cells = [
            _number(v, unit)
            for v in (row.sample.median, row.sample.low, row.sample.high)
        ]
        body.append(
            [row.suite, row.case, row.subject, *cells, unit, ratio, row.sample.note]
        )
    header = [
        "suite",
        "case",
        "subject",
        "median",
        "min",
        "max",
        "unit",
        "ours ×better",
        "note",
    ]
    for line in body:
        line += [""] * (len(header) - len(line))
    return _markdown(header, body)


def growth_table(rows: list[Row]) -> str:
    """Generation seconds per size and the growth ratio, per tool and style."""
    subjects = sorted(
        {r.subject for r in rows if r.suite == "generation"},
        key=lambda s: (s != OURS, s),
    )
    sizes = sorted({int(r.case.split()[1]) for r in rows if r.suite == "generation"})
    body = []
    for style in STYLES:
        for subject in subjects:
            values = [
                _median(rows, "generation", f"{style} {n} ops", subject) for n in sizes
            ]
            if all(v is None for v in values):
                continue
            g = growth(rows, subject, style)
            cells = ["—" if v is None else f"{v:.2f}" for v in values]
            body.append([style, subject, *cells, "—" if g is None else f"{g:.2f}"])
    return _markdown(
        ["style", "tool", *[f"{n} ops (s)" for n in sizes], "growth (1 = linear)"], body
    )


def targets_table(found: list[Target]) -> str:
    """Pass/fail of every target."""
    body = []
    for t in found:
        verdict = "n/a" if t.passed is None else ("PASS" if t.passed else "FAIL")
        value = "—" if t.value is None else f"{t.value:.3g}"
        body.append([verdict, t.name, value, t.threshold, t.detail])
    return _markdown(["", "target", "value", "threshold", "detail"], body)
