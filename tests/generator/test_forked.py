"""Work in a forked child: its result comes back; its failure is the parent's own, raised where the parent asks."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from acs_sdkgen.forked import Later


def test_the_childs_result_comes_back() -> None:
    """The work runs in another process (it sees another pid) and its result is what `result` gives."""
    later = Later(lambda: (os.getpid(), b"x" * 1_000_000), fork=True)  # more than a pipe's buffer
    pid, data = later.result()
    assert pid != os.getpid() and data == b"x" * 1_000_000


def test_without_fork_the_work_is_done_at_once() -> None:
    """`fork=False`: the work has run when the object exists, in this process."""
    ran: list[int] = []
    later = Later(lambda: ran.append(os.getpid()) or "done", fork=False)
    assert ran == [os.getpid()] and later.result() == "done"


def test_a_failure_in_the_child_is_raised_in_the_parent(tmp_path: Path) -> None:
    """The child's exception does not cross the pipe: the parent runs the work again and raises it itself."""
    marks = tmp_path / "marks"

    def work() -> str:
        with marks.open("a") as f:
            f.write(f"{os.getpid()}\n")
        raise LookupError("no such page")

    later = Later(work, fork=True)
    with pytest.raises(LookupError, match="no such page"):
        later.result()
    assert marks.read_text().split()[-1] == str(os.getpid()) and len(marks.read_text().split()) == 2


def test_a_result_not_taken_stops_the_child() -> None:
    """Leaving the block early (the parent failed meanwhile) stops a child still at work."""
    with pytest.raises(RuntimeError), Later(lambda: time.sleep(60), fork=True) as later:
        child = later._process
        raise RuntimeError("the parent failed")
    assert child is not None and not child.is_alive() and child.exitcode is not None
