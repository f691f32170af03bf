"""Work done in a forked child process while the parent goes on, on a core that would otherwise be idle."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Generic, TypeVar

T = TypeVar("T")


class Later(Generic[T]):
    """The result of `work()`: computed in a forked child when `fork` is true (and the platform forks), else now.

    A child that fails or dies leaves the work to `result`, which then runs it here: its exception, if it raises
    one, is raised in the parent with its own traceback, and nothing has to cross the pipe but results.
    """

    def __init__(self, work: Callable[[], T], fork: bool) -> None:
        self._work = work
        self._results: list[T] = []  # the work's result, once known
        self._process: multiprocessing.process.BaseProcess | None = None
        if not (fork and "fork" in multiprocessing.get_all_start_methods()):
            self._results.append(work())
            return
        context = multiprocessing.get_context("fork")
        self._receiver, sender = context.Pipe(duplex=False)
        self._process = context.Process(target=_send_result, args=(work, sender), daemon=True)
        self._process.start()
        sender.close()

    def __enter__(self) -> Later[T]:
        """The pending result itself."""
        return self

    def __exit__(self, *exc: object) -> None:
        """A child whose result was not taken (the parent failed meanwhile) is stopped."""
        if self._process is not None:
            self._process.terminate()
            self._process.join()
            self._receiver.close()
            self._process = None

    def result(self) -> T:
        """The work's result; the child's when it sent one, else computed here."""
        if self._process is not None:
            try:
                done, value = self._receiver.recv()
            except (EOFError, OSError):
                done, value = False, None
            finally:
                self._receiver.close()
                self._process.join()
                self._process = None
            if done:
                self._results.append(value)
        return self._results[0] if self._results else self._work()


def _send_result(work: Callable[[], object], sender: Connection) -> None:
    """In the child: send (True, result), or (False, None) when the work raised."""
    try:
        result = (True, work())
    except BaseException:  # noqa: BLE001 (the parent runs the work again and raises it there)
        result = (False, None)
    sender.send(result)
    sender.close()
