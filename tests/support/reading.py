"""Specs read through the front end in tests: what a read gives, and how often a step of it ran."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from acs_sdkgen import reuse
from acs_sdkgen.diagnostics import SpecError
from acs_sdkgen.frontend import read_spec


def outcome(spec: Path, reused: bool) -> tuple[str, list[str], object]:
    """What reading `spec` gives: refused or read, the diagnostics as printed (with their lines), and the IR; once
    the children storing cache entries beside the read, if any, are done."""
    try:
        read = read_spec(spec, reuse=reused)
    except SpecError as exc:
        return "refused", [d.format() for d in exc.diagnostics], None
    finally:
        reuse.settle()
    return "read", [d.format() for d in read.diagnostics.items], read.api


def counted_calls(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[tuple[Any, ...]]:
    """The arguments of each call of `module.name` from now on (until the test ends), the function still working."""
    calls: list[tuple[Any, ...]] = []
    original = getattr(module, name)

    def counted(*args: Any) -> Any:
        calls.append(args)
        return original(*args)

    monkeypatch.setattr(module, name, counted)
    return calls
