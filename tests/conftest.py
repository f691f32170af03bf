"""Shared pytest configuration: the golden-update switch and the local server fixtures."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

pytest_plugins = ["tests.support.fixtures"]
# The golden trees hold each SDK's own generated tests: they run against their mock (tests/mock), not here.
collect_ignore_glob = ["fixtures/*/golden/*"]


def pytest_configure(config: pytest.Config) -> None:
    """The generator's result cache starts empty for every session, so no test sees another run's results."""
    os.environ["ACS_SDKGEN_CACHE_DIR"] = tempfile.mkdtemp(prefix="acs-sdkgen-test-cache-")


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the session's result cache."""
    shutil.rmtree(os.environ.pop("ACS_SDKGEN_CACHE_DIR", ""), ignore_errors=True)


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


_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def no_proxy_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests talk to 127.0.0.1 directly unless they set proxy variables themselves."""
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
