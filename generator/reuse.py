"""The front end's normalisation, validation and IR, reused across edits that change a spec's wording alone.

The IR is built from the spec's skeleton (`spec.prose`) and cached by it, with the diagnostics the build reported,
and so is what validating the skeleton reports (the validation reads no prose, so the skeleton's is the spec's). A
regeneration whose spec has the same skeleton (an edit of a description's or a summary's words) takes the cached IR
and notes and puts its own words back, instead of validating, normalising and building again. When there is no
entry yet, the spec's previous entry is carried over where only some operations' own parameters changed (`carry`);
else a forked child builds and caches one while this process builds the IR from the spec as usual, on the core
that would otherwise wait for it. `settle` waits for the children once the output is written.
"""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import os
import pickle
from collections.abc import Callable, Mapping
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from . import cache
from .carry import only_in_paths, carried_parameters, changed_operations
from .diagnostics import Collector, Diagnostic, Level, Origins, SpecError
from .ir import tree as ir
from .ir.build import build_api
from .memory import collector_paused
from .spec.loader import LoadedSpec
from .spec.normalize import normalize
from .spec.prose import ProseLost, Skeleton, Wording, holders, restore, restore_text, wording_of_pieces
from .spec.validate import validate_spec

KIND = "skeleton-ir"
VALIDATION_KIND = "skeleton-validation"  # what validating a skeleton reported: JSON [[level, pointer, message, hint]]
LATEST_KIND = "skeleton-latest"  # by output: the key of the last entry stored for it (JSON)
DOCUMENT_KIND = "skeleton-document"  # a skeleton's document (pickled), by the key of its entry
# Larger specs are built from the spec alone: the child building an entry beside the run would double the peak
# memory of a build that is large already (a 20 MB spec's takes 3 GB). rpc-1000 has 73,000 located nodes.
MAX_NODES = 400_000
Note = tuple[Level, str, str, "str | None"]
_caching: list[BaseProcess] = []  # children building entries


@dataclasses.dataclass
class _Entry:
    """What the front end built of a skeleton: the IR, the places in it holding placeholders, the build's notes, and
    the runs the build compared (see `Skeleton.canonical`)."""

    api: ir.Api
    places: list[tuple[Any, str]]
    notes: list[Note]
    compared: dict[int, int]


class _Recorder(Collector):
    """Keeps what the front end reports as it was reported, to be replayed with the words put back."""

    def __init__(self, file: str, origins: Origins | None) -> None:
        super().__init__(file, None, origins)
        self.notes: list[Note] = []

    def add(self, level: Level, pointer: str, message: str, hint: str | None = None) -> None:
        """Record a diagnostic, unlocated (and as any collector does)."""
        self.notes.append((level, pointer, message, hint))
        super().add(level, pointer, message, hint)


class Reuse:
    """The front end's results for one spec, looked up in the cache by the spec's skeleton."""

    def __init__(self, spec: LoadedSpec, pagination: Mapping[str, Any] | None, output: Path | None = None) -> None:
        """Look the spec's entries up. Nothing is found for a skeleton that cannot stand for the spec (it holds the
        placeholders' mark), nor for a spec over MAX_NODES. `output`: where the run writes, else the spec file: what
        the latest entry is recorded for."""
        self._spec, self._pagination = spec, pagination
        self._lineage = os.path.abspath(output or spec.path)
        self._skeleton: Skeleton | None = None  # the whole document's: at once where it was read whole, else on a miss
        self._wording: Wording | None = None
        self._entry: _Entry | None = None
        self._validation: list[Note] | None = None
        self._key: tuple[str, ...] = ()
        if len(spec.lines) > MAX_NODES:
            return
        with collector_paused():
            if spec.pieces:  # each piece's skeleton was cached with it: only joined here
                self._wording = wording_of_pieces(spec.pieces)
            else:
                self._skeleton = Skeleton(spec.data)
                self._wording = self._skeleton.wording()
        if self._wording is not None:
            self._key = (self._wording.skeleton, json.dumps(pagination or {}, sort_keys=True, default=str))
            if spec.origins is not None:
                self._key += (json.dumps(spec.origins.grafts, sort_keys=True),)
            self._entry = _cached(self._key, self._wording)
            self._validation = _cached_validation(self._key)
            if self._skeleton is None and (self._entry is None or self._validation is None):
                with collector_paused():  # made once, here, for the children that build and validate from it
                    self._skeleton = Skeleton(spec.data)

    def validation(self) -> list[Diagnostic] | None:
        """What validating the spec reports, from the cache; None where it holds nothing for this skeleton (or a word
        cannot go back)."""
        return None if self._validation is None else self._replayed(self._validation)

    def validate(self) -> list[Diagnostic]:
        """What validating the spec reports, validating its skeleton (and caching what that reports) where it can
        stand for the spec; SpecError where the spec is invalid, with the spec's own messages."""
        spec = self._spec
        if self._wording is not None:
            skeleton = self._whole_skeleton()  # none yet where both entries were found
            recorder = _Recorder(spec.display_name, spec.origins)
            try:
                validate_spec(dataclasses.replace(spec, data=skeleton.doc, notes=()), recorder)
            except SpecError:
                return validate_spec(spec).items
            if skeleton.runs == self._wording.runs:
                found = self._replayed(recorder.notes)
                if found is not None:
                    cache.store(VALIDATION_KIND, self._key, json.dumps([[level.name, *rest] for level, *rest in recorder.notes]))
                    return found
        return validate_spec(spec).items

    def _whole_skeleton(self) -> Skeleton:
        """The whole document's skeleton, made once."""
        if self._skeleton is None:
            with collector_paused():
                self._skeleton = Skeleton(self._spec.data)
        return self._skeleton

    def _replayed(self, notes: list[Note]) -> list[Diagnostic] | None:
        """Validation notes with the words put back, located in the spec as `validate_spec` locates its own; None where
        a word cannot go back."""
        assert self._wording is not None
        spec, runs = self._spec, self._wording.runs
        diag = Collector(spec.display_name, spec.lines, spec.origins)
        diag.items.extend(spec.notes)  # the loader's, as `validate_spec` gives them first
        try:
            replay = _reworded(notes, runs)
        except ProseLost:
            return None
        for note in replay:
            diag.add(*note)
        return diag.items

    def api(self, diag: Collector) -> ir.Api | None:
        """The IR from the entry, its build's diagnostics added to `diag` (without one, the latest entry built for the
        output, carried over an edit of some operations' parameters); None without either (an entry is then built in
        a child, where the skeleton can stand for the spec: the caller builds the IR from the spec meanwhile), or
        where a word cannot go back."""
        if self._wording is None:
            return None
        if self._entry is None:
            skeleton = self._whole_skeleton()  # made in `__init__` where the entry was missing
            self._entry = _carried(self._lineage, self._spec, self._key, skeleton, self._wording, self._pagination)
            if self._entry is None:
                _later(_cache_entry, self._lineage, self._key, skeleton, self._wording, self._spec, self._pagination)
                return None
            _later(_store, self._lineage, self._key, self._entry, skeleton.doc)  # before the words go back into it
        runs = self._wording.runs
        try:
            with collector_paused():  # each place's new text: many objects, no cycles
                restore(self._entry.places, runs)
            replay = _reworded(self._entry.notes, runs)
        except ProseLost:
            return None
        for note in replay:
            diag.add(*note)
        return self._entry.api


def _reworded(notes: list[Note], runs: list[str]) -> list[Note]:
    """Recorded notes with the runs put back into their messages and hints; ProseLost if a placeholder is left."""
    return [(level, pointer, restore_text(message, runs), hint and restore_text(hint, runs)) for level, pointer, message, hint in notes]


def settle() -> None:
    """Wait for the children building entries (a run's last step, after its output is written)."""
    while _caching:
        _caching.pop().join()


def _cached(key: tuple[str, ...], wording: Wording) -> _Entry | None:
    """The cached entry of this skeleton, if its compared runs compare alike in this wording."""
    data = cache.load_bytes(KIND, *key)
    if data is None:
        return None
    try:
        with collector_paused():
            entry = pickle.loads(data)
    except Exception:  # noqa: BLE001 (a damaged entry, whatever unpickling it raises, is no entry)
        return None
    return entry if isinstance(entry, _Entry) and wording.alike(entry.compared) else None


def _carried(
    lineage: str,
    spec: LoadedSpec,
    key: tuple[str, ...],
    skeleton: Skeleton,
    wording: Wording,
    pagination: Mapping[str, Any] | None,
) -> _Entry | None:
    """The latest entry stored for `lineage` with the parameters this skeleton changed built again (`carry`); None
    where there is none, or this skeleton differs from that entry's otherwise."""
    try:
        previous = tuple(json.loads(cache.load(LATEST_KIND, lineage) or "[]"))
        if len(previous) != len(key) or previous[1:] != key[1:] or not only_in_paths(previous[0], key[0], spec.pieces):
            return None
        with collector_paused():
            doc = pickle.loads(cache.load_bytes(DOCUMENT_KIND, *previous) or pickle.dumps(None))
        changed = changed_operations(doc, skeleton.doc) if isinstance(doc, dict) and skeleton.runs == wording.runs else None
        entry = _cached(previous, wording) if changed else None  # looked up only where the edit may be carried over
        if entry is None or not changed:
            return None
        found = carried_parameters(entry.api, doc, skeleton.doc, changed, (previous[0], key[0]), spec.pieces, pagination or {})
    except Exception:  # noqa: BLE001 (a damaged record is no record; a skeleton not validated yet may be anything)
        return None
    if not found:
        return None
    gone = {id(param) for operation, _ in found for param in operation.params}
    with collector_paused():
        places = [place for place in entry.places if id(place[0]) not in gone]
    for operation, params in found:
        object.__setattr__(operation, "params", params)
        places += [place for param in params for place in holders(param)]
    return _Entry(entry.api, places, entry.notes, entry.compared)


def _cached_validation(key: tuple[str, ...]) -> list[Note] | None:
    """What validating this skeleton reported, from the cache."""
    text = cache.load(VALIDATION_KIND, *key)
    try:
        return None if text is None else [(Level[level], pointer, message, hint) for level, pointer, message, hint in json.loads(text)]
    except (ValueError, TypeError, KeyError):  # a damaged entry is no entry
        return None


def _later(work: Callable[..., None], *args: Any) -> None:
    """Run `work(*args)` in a forked child (daemonic: a run that fails does not wait for it; `settle` waits for it
    once the output is written); where processes cannot fork, not at all: there is then no entry."""
    if "fork" in multiprocessing.get_all_start_methods():
        child = multiprocessing.get_context("fork").Process(target=_quietly, args=(work, *args), daemon=True)
        child.start()
        _caching.append(child)


def _quietly(work: Callable[..., None], *args: Any) -> None:
    """In the child: `work(*args)` after the run's own processes (it fills the time they leave); nothing if it fails
    (no entry is all a failure means here: the next run builds one)."""
    try:
        os.nice(10)
        work(*args)
    except BaseException:  # noqa: BLE001
        return


def _store(lineage: str, key: tuple[str, ...], entry: _Entry, doc: Any) -> None:
    """Cache the entry of a skeleton, and record it, with the skeleton's document, as the latest for `lineage`."""
    cache.store(KIND, key, pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL))
    cache.store(DOCUMENT_KIND, key, pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL))
    cache.store(LATEST_KIND, (lineage,), json.dumps(key))


def _cache_entry(
    lineage: str,
    key: tuple[str, ...],
    skeleton: Skeleton,
    wording: Wording,
    spec: LoadedSpec,
    pagination: Mapping[str, Any] | None,
) -> None:
    """In a child (`_later`): build the entry and cache it; raises if the build fails (the spec may be invalid: the
    parent reports it); nothing if the whole document's skeleton has other runs than its pieces' (it cannot: checked
    all the same). An entry whose words cannot go back is found out when it is read, and not used."""
    if skeleton.runs != wording.runs:
        return
    recorder = _Recorder(spec.display_name, spec.origins)
    api = build_api(normalize(skeleton.doc, recorder, skeleton.canonical), recorder, pagination)
    with collector_paused():
        entry = _Entry(api, holders(api), recorder.notes, skeleton.compared)
    _store(lineage, key, entry, skeleton.doc)
