"""Strings that match a schema's `pattern`, drawn by rstr from the seeded generator; a failure is logged once."""

from __future__ import annotations

import functools
import logging
import random
import re
import string
from itertools import chain
from typing import Any

from rstr.xeger import Xeger

log = logging.getLogger("acs_sdkgen.mock")
ATTEMPTS = 20  # draws before giving up on a pattern together with the schema's length bounds
REPEAT_SPAN = 8  # `*`, `+` and open `{n,}` repeat at most this many times past their minimum
_warned: set[str] = set()


class _SeededXeger(Xeger):
    """rstr's Xeger, deterministic across processes (negated classes drawn in sorted order) and with short repeats."""

    def _handle_in(self, value: Any) -> Any:
        candidates = list(chain(*(self._handle_state(item) for item in value)))
        if candidates[0] is False:
            candidates = sorted(set(string.printable).difference(candidates[1:]))
        return self._random.choice(candidates)

    def _handle_repeat(self, start_range: int, end_range: int, value: Any) -> str:
        times = self._random.randint(start_range, min(end_range, start_range + REPEAT_SPAN))
        return "".join("".join(self._handle_state(item) for item in value) for _ in range(times))


@functools.cache
def compiles(pattern: str) -> bool:
    """Whether Python's `re` compiles `pattern`: the mock draws strings from those only, and checks no other."""
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


def fits(pattern: str, value: str) -> bool:
    """Whether `value` matches `pattern` (False for a pattern Python cannot compile)."""
    try:
        return re.search(pattern, value) is not None
    except re.error:
        return False


def matching(pattern: str, schema: dict[str, Any], rng: random.Random) -> str | None:
    """A string matching `pattern` (searched, as JSON Schema does) within the schema's length bounds, or None (logged)."""
    low, high = int(schema.get("minLength", 0)), schema.get("maxLength")
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        _warn(pattern, f"is not a Python regular expression ({exc})")
        return None
    xeger = _SeededXeger(rng, nonword="".join(sorted(set(string.printable) - set(string.ascii_letters + string.digits + "_"))))
    for _ in range(ATTEMPTS):
        try:
            value = xeger.xeger(pattern)
        except (KeyError, IndexError, ValueError, RecursionError) as exc:
            _warn(pattern, f"cannot be generated from ({type(exc).__name__}: {exc})")
            return None
        if compiled.search(value) and len(value) >= low and (high is None or len(value) <= int(high)):
            return value
    _warn(pattern, f"gave no match within length {low}..{high if high is not None else ''} in {ATTEMPTS} draws")
    return None


def _warn(pattern: str, why: str) -> None:
    """Say once per pattern that generated values ignore it."""
    if pattern not in _warned:
        _warned.add(pattern)
        log.warning("pattern %r %s: generated strings do not follow it", pattern, why)
