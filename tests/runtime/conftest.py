"""Fixtures for the runtime tests: a local HTTP server and the repository on ``sys.path``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from runtime_http_server import Server  # noqa: E402


@pytest.fixture
def server() -> Iterator[Server]:
    """A keep-alive HTTP/1.1 server on 127.0.0.1, stopped after the test."""
    srv = Server()
    try:
        yield srv
    finally:
        srv.close()
