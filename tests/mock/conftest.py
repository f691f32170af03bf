"""Fixtures of the mock tests: the Outbound Bot mock on a free port, and every flavor's clients pointed at it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from acs_sdkgen.frontend import read_spec
from acs_sdkgen.mock import MockServer, serve

from tests.functional.conftest import flavor, kind  # noqa: F401 - the same flavor and kind parameters
from tests.functional.flavors import REPO_ROOT, Flavor

SPEC = read_spec(REPO_ROOT / "spec" / "outboundbot.yaml")  # read once; every mock of a test serves it
KEY_ID, SECRET = "testid", "testsecret"  # obviously fake keys
LIMIT = 10  # MaxConcurrentConversation above this is refused


@pytest.fixture
def mock(clean_env: pytest.MonkeyPatch) -> Iterator[MockServer]:
    """The Outbound Bot mock with the test keys and a MaxConcurrentConversation limit of 10."""
    with serve(SPEC, access_key_id=KEY_ID, access_key_secret=SECRET, limits={"MaxConcurrentConversation": LIMIT}) as server:
        yield server


def client_options(server: MockServer, **overrides: Any) -> dict[str, Any]:
    """Constructor arguments pointing a generated RPC client at the mock."""
    return {
        "endpoint": server.url.removeprefix("http://"),
        "protocol": "http",
        "access_key_id": KEY_ID,
        "access_key_secret": SECRET,
        **overrides,
    }


Call = Callable[..., Any]


@pytest.fixture
def call(flavor: Flavor, kind: str, mock: MockServer) -> Call:  # noqa: F811
    """`call("create_instance", client={...}, **arguments)`: one call through the flavor's sync or async client."""

    def run(method: str, client: dict[str, Any] | None = None, **arguments: Any) -> Any:
        cls = flavor.client_class(kind)
        options = client_options(mock, **(client or {}))
        if kind == "sync":
            with cls(**options) as sdk:
                return getattr(sdk, method)(**arguments)

        async def go() -> Any:
            async with cls(**options) as sdk:
                return await getattr(sdk, method)(**arguments)

        return asyncio.run(go())

    return run


def write_rules(tmp_path: Path, text: str) -> Path:
    """A rules file with the given YAML."""
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return path
