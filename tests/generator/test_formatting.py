"""The background formatter: black's output, in place or in workers, cached, and errors that name the file."""

from __future__ import annotations

from pathlib import Path

import black
import pytest
from acs_sdkgen.emit.formatting import MODE, PARALLEL_MIN_LINES, Formatter


def _module(n: int) -> str:
    """An unformatted module of about `n` lines."""
    return "".join(f"def f{i}( a,b ):\n  return {{'k':a+b}}\n" for i in range(n // 2))


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private, empty cache."""
    monkeypatch.setenv("ACS_SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_small_and_large_batches_give_blacks_output(cache: Path) -> None:
    """A batch under the threshold is formatted in place, a large one by workers: same result as black."""
    small, large = {"a.py": _module(10)}, {"b.py": _module(PARALLEL_MIN_LINES), "c.py": _module(20)}
    with Formatter() as formatter:
        formatter.submit(small)
        formatter.submit(large)
        result = formatter.result()
    assert result == {path: black.format_str(text, mode=MODE) for path, text in {**small, **large}.items()}
    assert len(list(cache.rglob("*"))) >= 3  # entries written


def test_a_cache_hit_is_returned_without_formatting(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Second time round, black is not called at all."""
    with Formatter() as formatter:
        formatter.submit({"a.py": _module(10)})
        first = formatter.result()
    monkeypatch.setattr(black, "_format_str_once", lambda *a, **k: pytest.fail("black ran on a cache hit"))
    with Formatter() as formatter:
        formatter.submit({"a.py": _module(10)})
        assert formatter.result() == first


@pytest.mark.parametrize("lines", [10, PARALLEL_MIN_LINES], ids=["in place", "in a worker"])
def test_invalid_python_names_the_file(lines: int) -> None:
    """A template that renders invalid Python fails with the module's path."""
    with Formatter() as formatter, pytest.raises(RuntimeError, match="pkg/_client.py is not valid Python"):
        formatter.submit({"pkg/_client.py": _module(lines) + "def broken(:\n"})
        formatter.result()
