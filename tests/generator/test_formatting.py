"""The formatter: black's exact output from ruff, for awkward sources too, and errors that name the module."""

from __future__ import annotations

from pathlib import Path

import black
import pytest
from acs_sdkgen.emit import formatting
from acs_sdkgen.emit.formatting import BATCH, FormatError, format_python
from acs_sdkgen.emit.templates import parameter
from tests.generator.test_black_stable import MODE

AWKWARD = {
    "long_signature.py": "def f(aaaaaaaaaaaaaaa: int, bbbbbbbbbbbbbbbbbbb: str = 'x', cccccccccccccccccccccc: list[dict[str, int]] | None = None) -> dict[str, int]: return {'k':1}\n",
    "docstring.py": 'def f():\n    """  Ends with a quote "x"   \n\n      indented   \n    """\n',
    "quotes.py": "x = 'it\\'s'\ny = 'say \"hi\"'\nz = u'unicode é'\n",
    "magic_comma.py": "call(a,)\nvalue = [1, 2, 3,]\n",
    "blank_lines.py": "import os\nclass A:\n    x = 1\n    def f(self): pass\n\n\n\n\ndef g(): pass\n",
    "after_imports.py": "from typing import Literal\n\nX = Literal['a']\n\n\nclass A:\n    pass\n",
}


def test_awkward_sources_come_out_as_black_makes_them() -> None:
    """Long signatures and hints, docstrings, quotes, magic trailing commas, blank lines: black's bytes."""
    assert format_python(AWKWARD) == {path: black.format_str(text, mode=MODE) for path, text in AWKWARD.items()}


def _literal(count: int) -> str:
    """A Literal hint of `count` values."""
    return "Literal[" + ", ".join(f'"value{i:03d}x"' for i in range(count)) + "]"


HINTS = [
    *(f"{_literal(n)} | NotGiven" for n in (3, 5, 6, 12, 40)),
    *(_literal(n) for n in (5, 6, 12)),
    "dict[str, SomeVeryLongModelNameThatGoesOnAndOn | AnotherVeryLongModelNameThatGoesOnAndOn]",
    "dict[str, list[SomeVeryLongModelNameThatGoesOnAndOnAndOnAndOnForeverAndEverAndEver]] | None",
    "SomeVeryLongModelNameThatGoesOnAndOnAndOnAndOnForeverAndEverAndEverAndEverAndEverAndEver",
    'Literal["a | b", "[c", "\\"d", "長い値の名前です長い値の名前です長い値の名前です"] | NotGiven',
]


@pytest.mark.parametrize("name", ["value", "a_rather_long_parameter_name_for_this"])
@pytest.mark.parametrize("default", ["", "NOT_GIVEN"])
@pytest.mark.parametrize("hint", HINTS)
def test_parameters_shaped_by_the_templates_come_out_as_black_lays_them_out(name: str, default: str, hint: str) -> None:
    """Long hints, unions at the top or nested, quoted brackets and bars, wide characters: black's layout."""
    def method(line: str) -> str:
        return f"class C:\n    def m(\n        self,\n        *,\n        {line}\n    ) -> None: ...\n"

    flat = method(f"{name}: {hint}" + (f" = {default}," if default else ","))
    assert format_python({"m.py": method(parameter(name, hint, default))})["m.py"] == black.format_str(flat, mode=MODE)


def test_paths_ruff_would_exclude_by_default_are_formatted() -> None:
    """A package called `build` or `dist` (ruff skips such folders when it walks a tree) is still formatted."""
    sources = {"build/dist/mod.py": "x = {'a':1}\n", "site-packages/m.py": "y=(1,)\n"}
    assert format_python(sources) == {"build/dist/mod.py": 'x = {"a": 1}\n', "site-packages/m.py": "y = (1,)\n"}


def test_more_modules_than_one_batch() -> None:
    """Sources beyond one command line's batch are all formatted."""
    sources = {f"pkg/m{i}.py": f"v{i}=[ {i} ]\n" for i in range(BATCH + 3)}
    assert format_python(sources) == {path: f"v{i} = [{i}]\n" for i, path in enumerate(sources)}


def test_invalid_python_names_the_module_and_line() -> None:
    """A template that renders invalid Python fails with the module's path and line, nothing else."""
    with pytest.raises(FormatError, match=r"generated pkg/_client.py:2:\d+ is not valid Python .*template bug"):
        format_python({"pkg/ok.py": "x = 1\n", "pkg/_client.py": "x = 1\ndef broken(:\n"})


def test_a_module_formatted_before_is_taken_from_the_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The second run formats only the module whose source changed; the cached text is ruff's own."""
    monkeypatch.setenv("ACS_SDKGEN_CACHE_DIR", str(tmp_path))
    first = format_python(AWKWARD)
    formatted: list[list[str]] = []
    real = formatting.format_uncached
    monkeypatch.setattr(formatting, "format_uncached", lambda sources: formatted.append(sorted(sources)) or real(sources))
    changed = {**AWKWARD, "quotes.py": AWKWARD["quotes.py"] + "w = 'new'\n"}
    again = format_python(changed)
    assert formatted == [["quotes.py"]]
    assert again == {**first, "quotes.py": black.format_str(changed["quotes.py"], mode=MODE)}
    monkeypatch.setenv("ACS_SDKGEN_CACHE_DIR", "off")
    assert format_python(changed) == again and len(formatted) == 2  # no cache: everything is formatted
