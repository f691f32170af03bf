"""Shared pytest configuration: the golden-update switch and the local server fixtures."""

from __future__ import annotations

import os

import pytest

pytest_plugins = ["tests.support.fixtures"]
# The golden trees hold each SDK's own generated tests: they run against their mock (tests/mock), not here.
collect_ignore_glob = ["fixtures/*/golden/*"]


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--update-golden` rewrites golden trees instead of comparing them."""
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite golden trees (generated/ and test fixtures); refused under CI=true",
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    """Whether this run updates golden trees; never under CI."""
    wanted = bool(request.config.getoption("--update-golden"))
    if wanted and os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        raise pytest.UsageError(
            "--update-golden is refused under CI=true: review and commit golden changes locally"
        )
    return wanted
