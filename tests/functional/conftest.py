"""Fixtures shared by the functional tests: every generated flavor and each client kind it has."""

from __future__ import annotations

import pytest

from .flavors import FLAVORS, KINDS, Flavor, load_flavor


@pytest.fixture(scope="session", params=FLAVORS)
def flavor(request: pytest.FixtureRequest) -> Flavor:
    """Each generated SDK flavor: pydantic, dataclasses and typeddict."""
    return load_flavor(request.param)


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest, flavor: Flavor) -> str:
    """The sync and the async client; skipped for a flavor without that kind."""
    if request.param not in flavor.kinds:
        pytest.skip(f"the {flavor.name} flavor has no {request.param} client")
    return request.param
