"""Which operations paginate: each extension in use in the wild, ours, and the configuration; never guessed."""

from __future__ import annotations

from pathlib import Path

import pytest
from acs_sdkgen.config import ConfigError, load_config
from acs_sdkgen.diagnostics import SpecError
from acs_sdkgen.frontend import RefOptions, read_spec
from acs_sdkgen.ir.paging import declaration

ROOT = Path(__file__).resolve().parents[2]
RPC = ROOT / "tests" / "fixtures" / "pagination_rpc" / "spec.yaml"
REST = ROOT / "tests" / "fixtures" / "pagination_rest" / "spec.yaml"


def _paging(spec: Path, configured: dict[str, object] | None = None) -> dict[str, object]:
    read = read_spec(spec, RefOptions(), configured)
    return {op.operation_id: op.pagination for op in read.api.operations}


def test_each_extension_gives_its_scheme_and_names() -> None:
    found = _paging(REST)
    summary = {
        name: (p.scheme, p.items, p.item.type_hint, p.cursor_param, p.cursor_field)
        for name, p in found.items()
        if p is not None
    }
    assert summary == {
        "listPets": ("token", ("data",), "Pet", "cursor", ("next_cursor",)),
        "listOrders": ("page", ("orders",), "Order", "page", ()),
        "listOffers": ("offset", ("offers",), "str", "offset", ()),
        "listEvents": ("next-url", ("value",), "Event", None, ("nextLink",)),
        "listLogs": ("link", (), "str", None, ()),
    }


def test_our_extension_finds_a_nested_item_array_and_defaults_the_names() -> None:
    found = _paging(RPC)
    calls, instances = found["DescribeCalls"], found["ListInstances"]
    assert (calls.scheme, calls.items, calls.item.model, calls.cursor_param, calls.total_field) == (
        "page",
        ("Calls", "Call"),
        "CallRecord",
        "PageNumber",
        ("TotalCount",),
    )
    assert (instances.cursor_param, instances.cursor_field) == ("NextToken", ("NextToken",))
    assert found["ListJobs"] is None


def test_an_undeclared_paging_look_is_only_an_info() -> None:
    read = read_spec(RPC)
    infos = [d.format() for d in read.diagnostics.items if "looks paginated" in d.format()]
    assert len(infos) == 1 and "ListJobs" in infos[0] and "NextToken" in infos[0]


def test_the_configuration_declares_an_operation_by_operation_id_or_action() -> None:
    found = _paging(RPC, {"ListJobs": {"scheme": "token", "items": "Jobs"}})
    jobs = found["ListJobs"]
    assert (jobs.scheme, jobs.items, jobs.item.type_hint, jobs.cursor_param) == ("token", ("Jobs",), "str", "NextToken")
    read = read_spec(RPC, RefOptions(), {"ListJobs": {"scheme": "token"}})
    assert not [d for d in read.diagnostics.items if "looks paginated" in d.format()]


@pytest.mark.parametrize(
    ("configured", "message"),
    [
        ({"ListJob": {"scheme": "token"}}, "names 'ListJob', which is no operationId or action"),
        ({"ListJobs": {"scheme": "cursor"}}, "scheme 'cursor' (one of token, page, offset, next-url, link)"),
        ({"ListJobs": {"scheme": "token", "itmes": "Jobs"}}, "unknown keys ['itmes']"),
        ({"ListJobs": {"scheme": "page"}}, "names the parameter 'PageNumber', which the operation does not have"),
        ({"ListJobs": {"scheme": "token", "items": "Nope"}}, "no item array 'Nope' in the success response"),
    ],
)
def test_a_bad_declaration_is_an_error_that_says_what(configured: dict[str, object], message: str) -> None:
    with pytest.raises(SpecError) as caught:
        read_spec(RPC, RefOptions(), configured)
    assert any(message in d.format() for d in caught.value.diagnostics), [d.format() for d in caught.value.diagnostics]


def test_converters_read_fern_cursor_and_ms_single_page() -> None:
    fern = {"x-fern-pagination": {"cursor": "$request.after", "next_cursor": "$response.meta.next", "results": "$response.items"}}
    assert declaration(fern, None) == (
        {"scheme": "token", "items": "items", "token": "after", "next-token": "meta.next"},
        "x-fern-pagination",
    )
    assert declaration({"x-ms-pageable": {"nextLinkName": None}}, None)[0] == {"scheme": "", "items": "value"}


def test_configuration_table_is_read_and_checked(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.acs-sdkgen]\nspec = "api.yaml"\n\n[tool.acs-sdkgen.pagination]\nListJobs = { scheme = "token", items = "Jobs" }\n'
    )
    assert load_config(cwd=tmp_path).pagination == {"ListJobs": {"scheme": "token", "items": "Jobs"}}
    (tmp_path / "pyproject.toml").write_text('[tool.acs-sdkgen]\npagination = "token"\n')
    with pytest.raises(ConfigError, match="pagination must hold one table per operation"):
        load_config(cwd=tmp_path)


def test_another_generators_extension_that_cannot_be_followed_is_a_warning(tmp_path: Path) -> None:
    """x-ms-pageable naming an item array the response lacks (Microsoft Graph, Azure Stack): the spec still
    generates, the operation returns one page, and the warning says where and why."""
    text = REST.read_text(encoding="utf-8")
    broken = text.replace("x-ms-pageable:\n", "x-ms-pageable:\n        itemName: nowhere\n", 1)
    assert broken != text
    spec = tmp_path / "spec.yaml"
    spec.write_text(broken, encoding="utf-8")
    read = read_spec(spec, RefOptions(), None)
    warnings = [d.format() for d in read.diagnostics.items if d.format().startswith("WARNING")]
    assert any("no item array 'nowhere' in the success response; the operation returns one page" in w for w in warnings), warnings
    assert sum(op.pagination is None for op in read.api.operations) == sum(p is None for p in _paging(REST).values()) + 1
