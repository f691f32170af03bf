"""A models shard's document with the words of its descriptions taken out, so that a reworded description reuses
the library's run instead of running it again.

datamodel-code-generator writes a description into docstrings and comments as it is, but for a backslash, a
double quote and a NUL, which it escapes. So its output for the skeleton of a document (`spec.prose.Skeleton`),
with the runs of words put back, is its output for the document, provided the runs holding those characters stay
in the skeleton as written, and equal runs share a placeholder (the library may compare texts). A placeholder
that reaches the output in another form (quoted as Python) makes `restored` raise ProseLost, and the library runs
on the document itself.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace

from ..spec.prose import Skeleton, restore_text
from .model_modules import ModelModules

_ESCAPED_BY_LIBRARY = re.compile('[\\\\"\x00]')


@dataclass(frozen=True)
class Reworded:
    """A shard document's skeleton (JSON text) and the runs of words its placeholders stand for."""

    document: str
    runs: list[str]


def reworded(document: str) -> Reworded | None:
    """The skeleton of a shard's document; None when it has no prose to take out or holds the placeholders' mark."""
    skeleton = Skeleton(json.loads(document), kept=_ESCAPED_BY_LIBRARY.search, shared=True)
    text = skeleton.dumped()
    return Reworded(text, skeleton.runs) if text is not None and skeleton.runs else None


def restored(modules: ModelModules, runs: list[str]) -> ModelModules:
    """The modules and notes made from a skeleton, with the runs put back; ProseLost where one cannot be."""
    sources = {stem: restore_text(text, runs) for stem, text in modules.sources.items()}
    notes = tuple(
        replace(
            note,
            pointer=restore_text(note.pointer, runs),
            message=restore_text(note.message, runs),
            hint=note.hint and restore_text(note.hint, runs),
        )
        for note in modules.notes
    )
    return ModelModules(sources, modules.owners, notes)
