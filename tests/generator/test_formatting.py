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


PART = formatting.PART
CUT = {
    "pkg/_client.py": (
        '"""Module docstring."""\nfrom typing import Literal\nclass Client( object ):\n    """Doc."""\n    x = 1\n'
        f"{PART}\n\n    def first(self, aaaaaaaaaaaaaaaaaaaa: int, bbbbbbbbbbbbbbbbbbbbbbbb: str='x', cccccccccccccccc: list[int]|None=None) -> None: pass\n"
        f"{PART}\n    @property\n    def second(self): return {{'a':1,}}\n"
        f"{PART}\n\n\n    async def third(self): ...\n"
        f"{PART}\n\nclass Raw:\n    def __init__(self, client: Client) -> None:\n        self.first = client.first\n"
        f"{PART}\n@decorated\ndef tail(): return [ 1,2 ]\n"
    ),
}


def _whole(sources: dict[str, str]) -> dict[str, str]:
    """What black makes of each module without its part lines."""
    return {path: black.format_str(text.replace(f"{PART}\n", ""), mode=MODE) for path, text in sources.items()}


def test_a_module_cut_into_parts_comes_out_as_black_makes_it_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """Class-level and top-level parts, decorators, a magic trailing comma, blank lines: the joined parts are black's
    output of the whole module, and no part line is left in it."""
    monkeypatch.setenv("ACS_SDKGEN_CACHE_DIR", "off")
    formatted = format_python(CUT)
    assert formatted == _whole(CUT)
    assert "acs-sdkgen part" not in formatted["pkg/_client.py"]


def test_an_edit_formats_again_only_the_part_it_changed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The second run formats the one changed method (in a file of its own), and the module is still black's."""
    monkeypatch.setenv("ACS_SDKGEN_CACHE_DIR", str(tmp_path))
    format_python(CUT)
    formatted: list[str] = []
    real = formatting.format_uncached
    monkeypatch.setattr(formatting, "format_uncached", lambda sources: formatted.extend(sources.values()) or real(sources))
    changed = {"pkg/_client.py": CUT["pkg/_client.py"].replace("return {'a':1,}", "return {'b':2,}")}
    assert format_python(changed) == _whole(changed)
    assert len(formatted) == 1 and "second" in formatted[0] and "first" not in formatted[0]


def test_parts_that_are_not_definitions_leave_the_module_formatted_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """A part line before a statement that is no definition: the module is formatted as one, without the line."""
    monkeypatch.setenv("ACS_SDKGEN_CACHE_DIR", "off")
    sources = {"m.py": f"x = 1\n{PART}\ny = [ 2 ]\n"}
    assert format_python(sources) == {"m.py": "x = 1\ny = [2]\n"}


def test_invalid_python_in_a_part_names_the_module_and_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """A broken method in a module cut into parts is reported at its line in the module (part lines are not
    written), as the same module's is when it has no parts."""
    monkeypatch.setenv("ACS_SDKGEN_CACHE_DIR", "off")
    source = f"class C:\n    x = 1\n{PART}\n    def ok(self): pass\n{PART}\n    def broken(self:\n        pass\n"
    with pytest.raises(FormatError) as whole:
        format_python({"pkg/_client.py": source.replace(f"{PART}\n", "")})
    with pytest.raises(FormatError, match=r"generated pkg/_client.py:5:\d+ is not valid Python") as cut:
        format_python({"pkg/_client.py": source})
    assert str(cut.value) == str(whole.value)
