"""spec/outboundbot.yaml is valid OpenAPI and states the facts of shared/outboundbot-api.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

SPEC = Path(__file__).resolve().parents[2] / "spec" / "outboundbot.yaml"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    """The parsed spec."""
    return yaml.safe_load(SPEC.read_text(encoding="utf-8"))


def _op(spec: dict[str, Any], action: str) -> dict[str, Any]:
    """The operation of one action."""
    return spec["paths"][f"/#Action={action}"]["post"]


def _params(spec: dict[str, Any], action: str) -> dict[str, dict[str, Any]]:
    """The operation's parameters by wire name."""
    return {p["name"]: p for p in _op(spec, action)["parameters"]}


def test_valid_openapi(spec: dict[str, Any]) -> None:
    """openapi-spec-validator accepts the document."""
    validate(spec)


def test_rpc_extensions(spec: dict[str, Any]) -> None:
    """Style, version, actions and endpoint rule live in x- extensions."""
    assert spec["x-acs-api-style"] == "RPC"
    assert spec["x-acs-version"] == "2019-12-26"
    assert _op(spec, "CreateInstance")["x-acs-action"] == "CreateInstance"
    assert _op(spec, "DescribeInstance")["x-acs-action"] == "DescribeInstance"
    assert (
        spec["x-acs-endpoint-rule"]["public"] == "outboundbot.{regionId}.aliyuncs.com"
    )
    assert spec["servers"][0]["variables"]["regionId"]["default"] == "cn-shanghai"
    assert spec["components"]["securitySchemes"]["AccessKey"][
        "x-acs-signature-versions"
    ] == ["v3", "v1"]


def test_create_instance_parameters(spec: dict[str, Any]) -> None:
    """Types and required flags of CreateInstance; Action is not a parameter."""
    params = _params(spec, "CreateInstance")
    assert set(params) == {
        "InstanceName",
        "MaxConcurrentConversation",
        "InstanceDescription",
        "NluServiceType",
        "ResourceGroupId",
        "CallingNumber",
    }
    assert {n for n, p in params.items() if p.get("required")} == {
        "InstanceName",
        "MaxConcurrentConversation",
    }
    assert params["MaxConcurrentConversation"]["schema"] == {
        "type": "integer",
        "format": "int32",
    }
    calling = params["CallingNumber"]
    assert calling["x-acs-style"] == "repeatList"
    assert calling["schema"] == {"type": "array", "items": {"type": "string"}}
    assert all(
        "\n\n" in p["description"] for p in params.values()
    ), "every description is bilingual"


def test_nlu_service_type_has_all_four_values(spec: dict[str, Any]) -> None:
    """The seed lists two values; the SDK knows four."""
    assert spec["components"]["schemas"]["NluServiceType"]["enum"] == [
        "DialogStudio",
        "Authorized",
        "Provided",
        "Managed",
    ]


def test_instance_times_are_int64(spec: dict[str, Any]) -> None:
    """CreationTime and CreatorId are int64; InstanceId has no uuid format."""
    props = spec["components"]["schemas"]["Instance"]["properties"]
    assert props["CreationTime"]["format"] == "int64"
    assert props["CreatorId"]["format"] == "int64"
    assert "format" not in props["InstanceId"]


def test_documented_errors(spec: dict[str, Any]) -> None:
    """Error codes by action and status, as documented."""
    responses = spec["components"]["responses"]

    def codes(action: str, status: str) -> set[str]:
        ref = _op(spec, action)["responses"][status]["$ref"].rsplit("/", 1)[1]
        return {e["code"] for e in responses[ref]["x-acs-error-codes"]}

    assert codes("CreateInstance", "400") == {
        "InvalidInstanceName.Duplicated",
        "LimitExceeded.ConcurrentConversation",
    }
    assert codes("CreateInstance", "500") == {"InternalError"}
    assert codes("DescribeInstance", "500") == {"InternalError"}
    assert "400" not in _op(spec, "DescribeInstance")["responses"]


def test_seed_examples_are_kept(spec: dict[str, Any]) -> None:
    """The success examples are the seed bodies."""
    create = _op(spec, "CreateInstance")["responses"]["200"]["content"][
        "application/json"
    ]["example"]
    describe = _op(spec, "DescribeInstance")["responses"]["200"]["content"][
        "application/json"
    ]["example"]
    assert create["Message"] == "無" and describe["Message"] == "Success"
    assert create["Instance"]["CreationTime"] == 1578469042851
    assert describe["Instance"]["InstanceId"] == "90515b5-6115-4ccf-83e2-52d5bfaf2ddf"
