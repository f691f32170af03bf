"""Models made from a shard's skeleton, with the words put back, are the models the library makes of the shard."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from acs_sdkgen.cli import main
from acs_sdkgen.diagnostics import SpecError
from acs_sdkgen.emit import models
from acs_sdkgen.emit.model_modules import ModelModules
from acs_sdkgen.emit.model_prose import restored, reworded
from acs_sdkgen.frontend import read_spec
from acs_sdkgen.spec.prose import ProseLost

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted(
    [ROOT / "spec" / "outboundbot.yaml", *(ROOT / "tests" / "fixtures").glob("*/spec.yaml")]
    + [p for p in (ROOT / "tests" / "generator").iterdir() if p.suffix == ".yaml"]
)
LONG = " ".join(["words"] * 40)
TRICKY = {  # descriptions the library escapes, compares, or writes where a line's length matters
    "openapi": "3.0.3",
    "info": {"title": "Tricky", "version": "1"},
    "paths": {},
    "components": {
        "schemas": {
            "Quoted": {
                "type": "object",
                "description": 'Ends with a "quote"',
                "properties": {
                    "slash": {"type": "string", "description": "A pattern like \\d+ and a path C:\\dir."},
                    "triple": {"type": "string", "description": 'Holds """ three quotes.'},
                    "apostrophe": {"type": "string", "description": "It's the owner's, #1 of 'two'."},
                    "long": {"type": "integer", "description": LONG, "default": 1},
                    "lines": {"type": "string", "description": "First paragraph.\n\n  Indented second, 二.\n"},
                    "same": {"type": "string", "enum": ["a", "b"], "description": "One text."},
                    "again": {"type": "string", "enum": ["a", "b"], "description": "One text."},
                    "empty": {"type": "string", "description": ""},
                    "items": {"type": "array", "items": {"type": "string", "description": "An item."}},
                    "either": {
                        "description": "Either of two.",
                        "oneOf": [
                            {"type": "string", "description": "As text."},
                            {"type": "integer", "description": "As a number."},
                        ],
                    },
                },
            },
            "Level": {"type": "string", "enum": ["low", "high"], "description": "How high, in words."},
            "Alias": {"type": "array", "items": {"$ref": "#/components/schemas/Level"}, "description": "Levels."},
        }
    },
}


def _shards(spec: Path, kind: str) -> list[models.Shard]:
    """The shards of `kind` of a spec's models."""
    api = read_spec(spec).api
    return [models.Shard(kind, "Header.", *part) for part in models._shard_parts(api)]


def _both_ways(shard: models.Shard) -> tuple[ModelModules, ModelModules | None]:
    """A shard's modules made from its document, and from its skeleton with the words put back (None: no prose)."""
    direct = models._formatted_all([(shard, models._unformatted_modules(shard, shard.document))])[0]
    skeleton = reworded(shard.document)
    if skeleton is None:
        return direct, None
    made = models._unformatted_modules(shard, skeleton.document)
    return direct, models._formatted_all([(shard, restored(made, skeleton.runs))])[0]


@pytest.fixture(autouse=True)
def _no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every result computed."""
    monkeypatch.setenv("ACS_SDKGEN_CACHE_DIR", "off")


@pytest.mark.parametrize("kind", ["pydantic", "dataclasses", "typeddict"])
@pytest.mark.parametrize("spec", SPECS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_models_from_the_skeleton_are_the_models_of_the_document(spec: Path, kind: str) -> None:
    """Every shard of every fixture and own spec: the same modules, owners and notes both ways."""
    for shard in _shards(spec, kind):
        direct, through_skeleton = _both_ways(shard)
        assert through_skeleton in (None, direct)


@pytest.mark.parametrize("kind", ["pydantic", "dataclasses", "typeddict"])
def test_texts_the_library_escapes_compares_or_lays_out(tmp_path: Path, kind: str) -> None:
    """Quotes, backslashes, a long line, paragraphs, equal texts and union members' comments: the same both ways."""
    spec = tmp_path / "tricky.json"
    spec.write_text(json.dumps(TRICKY), encoding="utf-8")
    [shard] = _shards(spec, kind)
    direct, through_skeleton = _both_ways(shard)
    assert through_skeleton == direct
    assert "It's the owner's, #1 of 'two'." in "".join(direct.sources.values())


def test_the_skeleton_keeps_what_the_library_escapes_and_shares_equal_runs() -> None:
    """Runs holding a backslash or a double quote stay as written; equal runs share one placeholder."""
    document = json.dumps(TRICKY)
    skeleton = reworded(document)
    assert skeleton is not None
    assert "\\\\d+" in skeleton.document and 'a \\"quote\\"' in skeleton.document
    assert len(skeleton.runs) == len(set(skeleton.runs))
    assert "One text." in skeleton.runs and "One text." not in skeleton.document
    assert reworded(json.dumps({"components": {"schemas": {"A": {"type": "string"}}}})) is None  # no prose


def test_a_placeholder_quoted_as_python_is_not_put_back() -> None:
    """The library wrote a placeholder as a Python escape: the words cannot be put back."""
    with pytest.raises(ProseLost):
        restored(ModelModules({"m": "X = '\\x010\\x02'\n"}, {}), ["words"])


def test_a_reworded_model_runs_no_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After an edit of a model's description, every shard comes from its skeleton's cached result (no worker
    starts), and the output is what a generation without the cache makes."""
    monkeypatch.setenv("ACS_SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    spec, out = tmp_path / "outboundbot.yaml", tmp_path / "out"
    text = (ROOT / "spec" / "outboundbot.yaml").read_text(encoding="utf-8")
    spec.write_text(text, encoding="utf-8")
    assert main(["generate", "--spec", str(spec), "--out", str(out), "-q"]) == 0
    spec.write_text(text.replace("Creator ID.\n", "The ID of the user who created it.\n"), encoding="utf-8")
    started: list[object] = []
    real_start = models.Workers.start
    monkeypatch.setattr(models.Workers, "start", lambda *args: started.append(args))
    assert main(["generate", "--spec", str(spec), "--out", str(out), "-q"]) == 0
    assert started == []
    monkeypatch.setattr(models.Workers, "start", real_start)
    monkeypatch.setenv("ACS_SDKGEN_CACHE_DIR", "off")
    assert main(["generate", "--spec", str(spec), "--out", str(tmp_path / "fresh"), "-q"]) == 0
    assert _sdks(out) == _sdks(tmp_path / "fresh")
    assert "The ID of the user who created it." in (out / "pydantic" / "outboundbot" / "models" / "_instance.py").read_text()


def _sdks(root: Path) -> dict[str, bytes]:
    """The SDKs' files under an output directory (the docs' changelog differs by history)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.relative_to(root).parts[0] != "docs" and p.name != "manifest.json"
    }


def test_where_the_library_fails_on_the_skeleton_the_document_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    """A library run that fails on the skeleton only is not the shard's result: it is made from its document."""
    [shard] = _shards(ROOT / "spec" / "outboundbot.yaml", "pydantic")
    direct, _ = _both_ways(shard)
    real = models._unformatted_modules

    def failing_on_skeletons(shard: models.Shard, document: str) -> ModelModules:
        if document != shard.document:
            raise SpecError([])
        return real(shard, document)

    monkeypatch.setattr(models, "_unformatted_modules", failing_on_skeletons)
    assert models._model_modules(shard) == direct
