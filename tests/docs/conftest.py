"""Docs-site tests: count the examples executed and say so at the end of the run."""

from __future__ import annotations

import pytest

EXECUTED: list[str] = []  # ids of the docs examples that ran to completion against the local server


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line with the number of docs examples executed (shown with or without -s)."""
    if EXECUTED:
        pages = len({item.split(":")[0] for item in EXECUTED})
        terminalreporter.write_line(f"docs examples executed against the local server: {len(EXECUTED)} from {pages} pages")
