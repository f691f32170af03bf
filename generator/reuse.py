"""The front end's normalisation and IR, reused across edits that change a spec's wording alone.

The IR is built from the spec's skeleton (`spec.prose`) and cached by it, with the diagnostics the build
reported; a regeneration whose spec has the same skeleton (an edit of a description's or a summary's words)
takes the cached IR and puts its own words back, instead of normalising and building again. When there is no
entry yet, a forked child builds and caches one while this process builds the IR from the spec as usual, on
the core that would otherwise wait for it; `settle` waits for the child once the output is written.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import pickle
from collections.abc import Mapping
from multiprocessing.process import BaseProcess
from typing import Any

from . import cache
from .diagnostics import Collector, Level, Origins
from .ir import tree as ir
from .ir.build import build_api
from .memory import collector_paused
from .spec.loader import LoadedSpec
from .spec.normalize import normalize
from .spec.prose import ProseLost, Skeleton, Wording, holders, restore, restore_text, wording_of_pieces

KIND = "skeleton-ir"
# Larger specs are built from the spec alone: the child building an entry beside the run would double the peak
# memory of a build that is large already (a 20 MB spec's takes 3 GB). rpc-1000 has 73,000 located nodes.
MAX_NODES = 400_000
Note = tuple[Level, str, str, "str | None"]
Entry = tuple[ir.Api, list[tuple[Any, str]], list[Note]]  # the IR, the places holding placeholders, its notes
_caching: list[BaseProcess] = []  # children building entries


class _Recorder(Collector):
    """Keeps what the front end reports as it was reported, to be replayed with the words put back."""

    def __init__(self, file: str, origins: Origins | None) -> None:
        super().__init__(file, None, origins)
        self.notes: list[Note] = []

    def add(self, level: Level, pointer: str, message: str, hint: str | None = None) -> None:
        """Record a diagnostic, unlocated."""
        self.notes.append((level, pointer, message, hint))


def reused_api(spec: LoadedSpec, diag: Collector, pagination: Mapping[str, Any] | None) -> ir.Api | None:
    """The IR of `spec` from the cache of its skeleton, its diagnostics added to `diag`. None when the skeleton
    cannot stand for the spec (it holds the placeholders' mark, or a word was lost) or has no entry yet (one is
    then built in a child: the caller builds the IR from the spec meanwhile), and for a spec over MAX_NODES."""
    if len(spec.lines) > MAX_NODES:
        return None
    skeleton = None  # the whole document's, made only where the spec was not read in pieces
    with collector_paused():
        if spec.pieces:  # each piece's skeleton was cached with it: only joined here
            wording = wording_of_pieces(spec.pieces)
        else:
            skeleton = Skeleton(spec.data)
            wording = skeleton.wording()
    if wording is None:
        return None
    key: tuple[str, ...] = (wording.skeleton, json.dumps(pagination or {}, sort_keys=True, default=str))
    if spec.origins is not None:
        key += (json.dumps(spec.origins.grafts, sort_keys=True),)
    entry = _cached(key, wording)
    if entry is None:
        _cache_later(key, skeleton, wording, spec, pagination)
        return None
    api, places, notes = entry
    try:
        restore(places, wording.runs)
        replay = [(level, where, restore_text(text, wording.runs), hint and restore_text(hint, wording.runs)) for level, where, text, hint in notes]
    except ProseLost:
        return None
    for note in replay:
        diag.add(*note)
    return api


def settle() -> None:
    """Wait for the children building entries (a run's last step, after its output is written)."""
    while _caching:
        _caching.pop().join()


def _cached(key: tuple[str, ...], wording: Wording) -> Entry | None:
    """The cached build of this skeleton, if its compared runs compare alike in this wording."""
    data = cache.load_bytes(KIND, *key)
    if data is None:
        return None
    try:
        with collector_paused():
            api, places, notes, compared = pickle.loads(data)
    except Exception:  # noqa: BLE001 (a damaged entry, whatever unpickling it raises, is no entry)
        return None
    return (api, places, notes) if wording.alike(compared) else None


def _cache_later(
    key: tuple[str, ...], skeleton: Skeleton | None, wording: Wording, spec: LoadedSpec, pagination: Mapping[str, Any] | None
) -> None:
    """Build the skeleton's entry and cache it in a forked child (daemonic: a run that fails does not wait for it);
    where processes cannot fork, there is no entry."""
    if "fork" in multiprocessing.get_all_start_methods():
        args = (key, skeleton, wording, spec, pagination)
        child = multiprocessing.get_context("fork").Process(target=_cache_entry, args=args, daemon=True)
        child.start()
        _caching.append(child)


def _cache_entry(
    key: tuple[str, ...], skeleton: Skeleton | None, wording: Wording, spec: LoadedSpec, pagination: Mapping[str, Any] | None
) -> None:
    """In the child: build the entry and cache it; nothing if the build fails (the spec may be invalid: the parent
    reports it), or if the whole document's skeleton has other runs than its pieces' (it cannot: checked all the
    same). An entry whose words cannot go back is found out when it is read, and not used."""
    try:
        os.nice(10)  # the run's own processes first: this one fills the time they leave
        skeleton = skeleton or Skeleton(spec.data)
        if skeleton.runs != wording.runs:
            return
        entry = _build(skeleton, spec, pagination)
        cache.store(KIND, key, pickle.dumps((*entry, skeleton.compared), protocol=pickle.HIGHEST_PROTOCOL))
    except BaseException:  # noqa: BLE001 (no entry is all a failure means here)
        return


def _build(skeleton: Skeleton, spec: LoadedSpec, pagination: Mapping[str, Any] | None) -> Entry:
    """The IR of the skeleton, the places in it that hold placeholders, and the diagnostics its build reported."""
    recorder = _Recorder(spec.display_name, spec.origins)
    api = build_api(normalize(skeleton.doc, recorder, skeleton.canonical), recorder, pagination)
    with collector_paused():
        return api, holders(api), recorder.notes
