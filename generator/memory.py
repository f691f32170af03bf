"""Steps that allocate many objects and no cycles, run with the garbage collector paused."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block: collections set off by many new objects that form no
    cycles (a syntax tree, an unpickled IR, a document's copy) free nothing and cost up to half the step's time."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
