"""Golden snapshot of the whole generated tree for spec/outboundbot.yaml."""

from __future__ import annotations

from pathlib import Path

from generator.pipeline import run
from tests.generator.golden import assert_golden

ROOT = Path(__file__).resolve().parents[2]


def test_generated_tree_matches_spec(update_golden: bool) -> None:
    """generated/ is exactly what the spec and templates produce now."""
    result = run(ROOT / "spec" / "outboundbot.yaml")
    assert_golden(result.files, ROOT / "generated", update_golden)
