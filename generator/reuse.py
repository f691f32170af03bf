"""The front end's normalisation and IR, reused across edits that change a spec's wording alone.

The IR is built from the spec's skeleton (`spec.prose`) and cached by it, with the diagnostics the build
reported; a regeneration whose spec has the same skeleton (an edit of a description's or a summary's words)
takes the cached IR and puts its own words back, instead of normalising and building again.
"""

from __future__ import annotations

import base64
import json
import pickle
from collections.abc import Mapping
from typing import Any

from . import cache
from .diagnostics import Collector, Level, Origins
from .ir import tree as ir
from .ir.build import build_api
from .memory import collector_paused
from .spec.loader import LoadedSpec
from .spec.normalize import normalize
from .spec.prose import ProseLost, Skeleton, holders, restore, restore_text

KIND = "skeleton-ir"
Note = tuple[Level, str, str, "str | None"]


class _Recorder(Collector):
    """Keeps what the front end reports as it was reported, to be replayed with the words put back."""

    def __init__(self, file: str, origins: Origins | None) -> None:
        super().__init__(file, None, origins)
        self.notes: list[Note] = []

    def add(self, level: Level, pointer: str, message: str, hint: str | None = None) -> None:
        """Record a diagnostic, unlocated."""
        self.notes.append((level, pointer, message, hint))


def reused_api(spec: LoadedSpec, diag: Collector, pagination: Mapping[str, Any] | None) -> ir.Api | None:
    """The IR of `spec` built from its skeleton (cached, or built and cached now), its diagnostics added to `diag`;
    None when the skeleton cannot stand for the spec (it holds the placeholders' mark, or a run was lost)."""
    with collector_paused():
        skeleton = Skeleton(spec.data)
    if not skeleton.clean:
        return None
    key = (json.dumps(skeleton.doc, ensure_ascii=False, default=str), json.dumps(pagination or {}, sort_keys=True, default=str))
    if spec.origins is not None:
        key += (json.dumps(spec.origins.grafts, sort_keys=True),)
    cached = _cached(key, skeleton)
    api, places, notes = cached or _build(skeleton, spec, pagination)
    pickled = None if cached else _pickled((api, places, notes), skeleton.compared)  # before the words go back
    try:
        restore(places, skeleton.runs)
        replay = [(level, where, restore_text(text, skeleton.runs), hint and restore_text(hint, skeleton.runs)) for level, where, text, hint in notes]
    except ProseLost:
        return None
    if pickled is not None:
        cache.store(KIND, key, pickled)
    for note in replay:
        diag.add(*note)
    return api


Entry = tuple[ir.Api, list[tuple[Any, str]], list[Note]]


def _cached(key: tuple[str, ...], skeleton: Skeleton) -> Entry | None:
    """The cached build of this skeleton, if its compared runs compare alike in this wording."""
    text = cache.load(KIND, *key)
    if text is None:
        return None
    with collector_paused():
        api, places, notes, compared = pickle.loads(base64.b64decode(text))
    return (api, places, notes) if skeleton.alike(compared) else None


def _build(skeleton: Skeleton, spec: LoadedSpec, pagination: Mapping[str, Any] | None) -> Entry:
    """The IR of the skeleton, the places in it that hold placeholders, and the diagnostics its build reported."""
    recorder = _Recorder(spec.display_name, spec.origins)
    api = build_api(normalize(skeleton.doc, recorder, skeleton.canonical), recorder, pagination)
    return api, holders(api), recorder.notes


def _pickled(entry: Entry, compared: dict[int, int]) -> str:
    """An entry and the runs its build compared, as the cache's text."""
    return base64.b64encode(pickle.dumps((*entry, compared), protocol=pickle.HIGHEST_PROTOCOL)).decode()
