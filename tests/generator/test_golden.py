"""Golden snapshot of the whole generated tree for spec/outboundbot.yaml."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from acs_sdkgen.config import load_config
from acs_sdkgen.pipeline import run

from tests.generator.golden import assert_golden

ROOT = Path(__file__).resolve().parents[2]


def test_generated_tree_matches_spec(update_golden: bool) -> None:
    """generated/ is exactly what the spec, the configuration and the templates produce now."""
    config = load_config(ROOT / "pyproject.toml")
    result = run(replace(config, spec=ROOT / config.spec, out=ROOT / config.out))
    assert_golden(result.files, ROOT / config.out, update_golden)
