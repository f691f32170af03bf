"""Word splitting of wire names: what `snake` and `pascal` make of humps, acronyms and digits."""

from __future__ import annotations

import pytest
from acs_sdkgen.ir.names import NameAuthority, pascal, snake


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("HttpStatusCode", "http_status_code"),
        ("HTTPServer", "http_server"),
        ("APIs", "apis"),
        ("MyAPIs", "my_apis"),
        ("APIsList", "apis_list"),
        ("getURLsByID", "get_urls_by_id"),
        ("TVShows", "tv_shows"),
        ("ipv4Address", "ipv4_address"),
        ("1Forge Finance APIs", "1_forge_finance_apis"),
    ],
)
def test_snake_keeps_a_plural_acronym_one_word(wire: str, expected: str) -> None:
    """A run of capitals followed by a lone `s` is a plural acronym, not the start of a word `Is`."""
    assert snake(wire) == expected


def test_pascal_keeps_the_acronym_as_written() -> None:
    """PascalCase keeps acronyms' capitals, plural or not."""
    assert pascal("list-APIs") == "ListAPIs"
    assert pascal("http status") == "HttpStatus"


@pytest.mark.parametrize("order", [1, -1])
def test_a_field_name_is_never_another_fields_wire_name(order: int) -> None:
    """`prefs/background` beside `prefs_background`: the latter keeps its own name whatever the order, so no model
    that accepts both wire names and Python names sees one key for two fields."""
    items = [("prefs/background", "#/a"), ("prefs_background", "#/b"), ("colorMode", "#/c"), ("color_mode", "#/d")][::order]
    names = dict(zip((wire for wire, _ in items), NameAuthority().fields(items)))
    assert names == {
        "prefs/background": "prefs_background_2",
        "prefs_background": "prefs_background",
        "colorMode": "color_mode_2",
        "color_mode": "color_mode",
    }
