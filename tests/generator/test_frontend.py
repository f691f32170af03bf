"""The front end's validation in a forked child (on a spare core) gives what validating first gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from acs_sdkgen import frontend
from acs_sdkgen.diagnostics import SpecError
from acs_sdkgen.frontend import read_spec

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted(p for p in (ROOT / "tests" / "broken").iterdir() if p.suffix in (".yaml", ".json")) + [ROOT / "spec" / "outboundbot.yaml"]


def _outcome(spec: Path, spare_core: bool) -> tuple[str, list[str], object]:
    """What reading `spec` gives: refused or read, the diagnostics as printed, and the IR."""
    try:
        read = read_spec(spec, spare_core=spare_core)
    except SpecError as exc:
        return "refused", [d.format() for d in exc.diagnostics], None
    return "read", [d.format() for d in read.diagnostics.items], read.api


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.name)
def test_validating_beside_the_ir_gives_what_validating_first_gives(spec: Path) -> None:
    """Broken specs and valid ones: the same refusal or IR, the same diagnostics in the same order."""
    assert _outcome(spec, spare_core=True) == _outcome(spec, spare_core=False)


def test_an_invalid_spec_is_reported_as_invalid_whatever_failed_beside(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the IR cannot be built from an invalid spec, its validation errors are raised, not that failure;
    from a valid spec, the failure itself."""
    def broken(*args: object) -> None:
        raise RuntimeError("normalising failed")

    monkeypatch.setattr(frontend, "normalize", broken)
    with pytest.raises(SpecError) as refused:
        read_spec(ROOT / "tests" / "broken" / "dangling_ref.yaml", spare_core=True)
    assert ["points to nothing" in d.message for d in refused.value.diagnostics] == [True]
    with pytest.raises(RuntimeError, match="normalising failed"):
        read_spec(ROOT / "spec" / "outboundbot.yaml", spare_core=True)
