"""Fault, hostile-input and load tests of every generated flavor and client kind.

Reuses the ``flavor`` and ``kind`` fixtures of the functional tests; prints the fault table
and the load figures at the end of the run.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from tests.functional.conftest import flavor, kind
from tests.support import acs_server as acs_server_module

from . import report
from .clients import Runner, RunnerFactory
from .fault_server import FaultServer

__all__ = ["flavor", "kind"]


@pytest.fixture(autouse=True)
def fast_acs_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """Disable Nagle on the fake gateway's connections.

    Its handler writes the head and the body of an answer separately; with Nagle the body waits
    for the client's delayed ACK (about 40 ms a call on Linux), whatever the client.
    """
    original = acs_server_module._Handler.setup

    def setup(self: acs_server_module._Handler) -> None:
        original(self)
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    monkeypatch.setattr(acs_server_module._Handler, "setup", setup)


@pytest.fixture
def fault_server(clean_env: pytest.MonkeyPatch) -> Iterator[FaultServer]:
    """A fault-injecting server, closed after the test."""
    with FaultServer() as server:
        yield server


@pytest.fixture
def runner(flavor, kind) -> Iterator[RunnerFactory]:
    """Builds clients of the current flavor and kind; closes them after the test."""
    made: list[Runner] = []

    def factory(endpoint: str, **options: object) -> Runner:
        made.append(Runner(flavor, kind, endpoint, **options))
        return made[-1]

    yield factory
    for item in made:
        item.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the load figures and the fault table (Markdown)."""
    lines = report.lines()
    if lines:
        terminalreporter.section("faults and load")
        for line in lines:
            terminalreporter.write_line(line)
