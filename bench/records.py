"""Result rows shared by the suites: one sample of one subject in one case of one suite."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stats import Sample

OURS = "ours"


@dataclass
class Row:
    """A measured (or failed) cell of the table."""

    suite: str
    case: str
    subject: str
    sample: Sample | None
    error: str = ""
    higher_is_better: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the row holds a measurement."""
        return self.sample is not None and bool(self.sample.values)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready row."""
        return {
            "suite": self.suite,
            "case": self.case,
            "subject": self.subject,
            "sample": self.sample.to_json() if self.sample else None,
            "error": self.error,
            "higher_is_better": self.higher_is_better,
            **self.extra,
        }


def find(rows: list[Row], suite: str, case: str, subject: str) -> Row | None:
    """The row of a cell, if measured."""
    for row in rows:
        if (row.suite, row.case, row.subject) == (suite, case, subject) and row.ok:
            return row
    return None


def advantage(ours: Row, peer: Row) -> float:
    """How many times better ours is than the peer (>1: ours is faster or has more throughput)."""
    assert ours.sample and peer.sample
    if ours.higher_is_better:
        return ours.sample.median / peer.sample.median
    return peer.sample.median / ours.sample.median
