"""Parameter validation and flattening, the NOT_GIVEN sentinel, percent-encoding."""

from __future__ import annotations

import pickle
import random
from urllib.parse import quote

import pytest
from acs_sdkgen.runtime import (
    NOT_GIVEN,
    NotGiven,
    Param,
    ParameterError,
    encode_query,
    percent_encode,
)
from acs_sdkgen.runtime.encoding import encode_extra_query

CREATE = (
    Param("InstanceName", "instance_name", "string", True),
    Param("MaxConcurrentConversation", "max_concurrent_conversation", "integer", True),
    Param("InstanceDescription", "instance_description", "string", False),
    Param(
        "NluServiceType",
        "nlu_service_type",
        "string",
        False,
        enum=("DialogStudio", "Authorized", "Provided", "Managed"),
    ),
    Param(
        "CallingNumber",
        "calling_number",
        "array",
        False,
        items="string",
        repeat_list=True,
    ),
)


def encode(**values: object) -> list[tuple[str, str]]:
    base: dict[str, object] = {"InstanceName": "n", "MaxConcurrentConversation": 1}
    base.update(values)
    return encode_query(CREATE, base)


def test_not_given_sentinel() -> None:
    assert not NOT_GIVEN
    assert repr(NOT_GIVEN) == "NOT_GIVEN"
    assert NotGiven() is NOT_GIVEN
    assert pickle.loads(pickle.dumps(NOT_GIVEN)) is NOT_GIVEN


def test_required_and_omitted() -> None:
    assert encode() == [("InstanceName", "n"), ("MaxConcurrentConversation", "1")]
    assert encode(InstanceDescription=NOT_GIVEN, NluServiceType=None) == encode()
    with pytest.raises(ParameterError, match="^instance_name is required$"):
        encode_query(CREATE, {"MaxConcurrentConversation": 1})
    with pytest.raises(ParameterError, match="instance_name is required"):
        encode(InstanceName=None)
    with pytest.raises(ParameterError, match="max_concurrent_conversation is required"):
        encode(MaxConcurrentConversation=NOT_GIVEN)


def test_repeat_list() -> None:
    pairs = encode(CallingNumber=["4008013260", "4008013261"])
    assert pairs[-2:] == [
        ("CallingNumber.1", "4008013260"),
        ("CallingNumber.2", "4008013261"),
    ]
    assert encode(CallingNumber=[]) == encode()
    assert encode(CallingNumber=("x",))[-1] == ("CallingNumber.1", "x")


def test_empty_string_is_kept() -> None:
    assert ("InstanceDescription", "") in encode(InstanceDescription="")


@pytest.mark.parametrize(
    "value",
    ["a\r\nb", "nul\x00", "a&b=c%20d", "😀 emoji", "  spaces  ", "+*~", "中文"],
)
def test_hostile_strings_are_sent_exactly(value: str) -> None:
    assert ("InstanceName", value) in encode(InstanceName=value)


def test_lone_surrogate_is_refused() -> None:
    with pytest.raises(ParameterError, match="instance_name"):
        encode(InstanceName="bad\ud800")


def test_types() -> None:
    with pytest.raises(
        ParameterError, match="max_concurrent_conversation must be an int, got str"
    ):
        encode(MaxConcurrentConversation="5")
    with pytest.raises(ParameterError, match="must be an int, got bool"):
        encode(MaxConcurrentConversation=True)
    with pytest.raises(ParameterError, match="must be an int, got float"):
        encode(MaxConcurrentConversation=1.5)
    with pytest.raises(ParameterError, match="instance_name must be a str, got int"):
        encode(InstanceName=5)
    with pytest.raises(
        ParameterError, match=r"calling_number must be a list or tuple, got str"
    ):
        encode(CallingNumber="4008013260")
    with pytest.raises(
        ParameterError, match=r"calling_number\[1\] must be a str, got int"
    ):
        encode(CallingNumber=["a", 1])
    with pytest.raises(ParameterError, match=r"calling_number\[0\] must not be None"):
        encode(CallingNumber=[None])


def test_enum() -> None:
    assert ("NluServiceType", "Managed") in encode(NluServiceType="Managed")
    with pytest.raises(ParameterError) as info:
        encode(NluServiceType="Other")
    assert str(info.value) == (
        "nlu_service_type must be one of 'DialogStudio', 'Authorized', 'Provided', "
        "'Managed'; got 'Other'"
    )


def test_booleans_numbers_objects_and_json_arrays() -> None:
    params = (
        Param("Flag", "flag", "boolean", False),
        Param("Ratio", "ratio", "number", False),
        Param("Count", "count", "integer", False, enum=(1, 2)),
        Param("Tags", "tags", "array", False, items="string"),
        Param("Meta", "meta", "object", False),
        Param("Flat", "flat", "object", False, repeat_list=True),
        Param("Rows", "rows", "array", False, items="object", repeat_list=True),
    )
    pairs = encode_query(
        params,
        {
            "Flag": False,
            "Ratio": 2,
            "Count": 2,
            "Tags": ["a", "é"],
            "Meta": {"k": [1, True, None], "ü": "v"},
            "Flat": {"A": 1, "B": {"C": "x"}},
            "Rows": [{"Key": "k", "Value": True}],
        },
    )
    assert pairs == [
        ("Flag", "false"),
        ("Ratio", "2"),
        ("Count", "2"),
        ("Tags", '["a","é"]'),
        ("Meta", '{"k":[1,true,null],"ü":"v"}'),
        ("Flat.A", "1"),
        ("Flat.B.C", "x"),
        ("Rows.1.Key", "k"),
        ("Rows.1.Value", "true"),
    ]
    assert encode_query(params, {"Ratio": 0.5, "Flag": True}) == [
        ("Flag", "true"),
        ("Ratio", "0.5"),
    ]
    with pytest.raises(ParameterError, match="count must be one of 1, 2; got 3"):
        encode_query(params, {"Count": 3})
    with pytest.raises(ParameterError, match="finite"):
        encode_query(params, {"Ratio": float("nan")})
    with pytest.raises(ParameterError, match="meta must be a dict, got list"):
        encode_query(params, {"Meta": []})
    with pytest.raises(ParameterError, match="keys must be str"):
        encode_query(params, {"Meta": {1: "x"}})
    with pytest.raises(ParameterError, match=r"meta\['k'\] must be a str, got object"):
        encode_query(params, {"Meta": {"k": object()}})


def test_unknown_kind_is_a_generator_bug() -> None:
    with pytest.raises(ValueError):
        Param("X", "x", "date", False)


def test_param_is_a_frozen_value() -> None:
    param = Param("X", "x", "string", True)
    assert param == Param("X", "x", "string", True)
    assert hash(param) == hash(Param("X", "x", "string", True))
    assert repr(param) == (
        "Param(wire_name='X', python_name='x', kind='string', required=True, "
        "items=None, repeat_list=False, enum=None)"
    )
    with pytest.raises(AttributeError):
        param.required = False  # type: ignore[misc]


def test_extra_query() -> None:
    assert encode_extra_query({"A": "x", "B": True, "C": 3, "D": [1], "E": None}) == [
        ("A", "x"),
        ("B", "true"),
        ("C", "3"),
        ("D", "[1]"),
    ]
    with pytest.raises(ParameterError):
        encode_extra_query({"": "x"})


def test_percent_encode_matches_the_reference_rule() -> None:
    assert percent_encode("a b*c~d/e+f") == "a%20b%2Ac~d%2Fe%2Bf"
    assert percent_encode("中") == "%E4%B8%AD"
    assert percent_encode("") == ""
    rng = random.Random(1234)
    alphabet = [chr(c) for c in range(0, 0x250)] + ["😀", "中", "\u2028"]
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert percent_encode(text) == quote(text, safe="~")
