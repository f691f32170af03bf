"""Runtime test fixtures: a local HTTP server; the repository and helpers importable."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
for folder in (HERE.parents[1], HERE):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from runtime_http_server import Server  # noqa: E402


@pytest.fixture
def server() -> Iterator[Server]:
    """A keep-alive HTTP/1.1 server on 127.0.0.1, stopped after the test."""
    srv = Server()
    try:
        yield srv
    finally:
        srv.close()
