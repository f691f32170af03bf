"""Pytest fixtures around the fake gateway; load with ``pytest_plugins = ["tests.support.fixtures"]``."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from .acs_server import AcsServer

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Remove proxy settings and every ``ALIBABA_CLOUD_*`` variable; returns the monkeypatch to set some."""
    for name in sorted(os.environ):
        if name.upper() in PROXY_VARIABLES or name.startswith("ALIBABA_CLOUD_"):
            monkeypatch.delenv(name)
    return monkeypatch


@pytest.fixture
def acs_server(clean_env: pytest.MonkeyPatch) -> Iterator[AcsServer]:
    """A started fake gateway knowing ``testid``/``testsecret`` and STS ``stsid``/``stssecret``/``ststoken``."""
    with AcsServer() as server:
        yield server
