"""The models pass in shards: each document holds what its models reach, the same output as one run, cached per shard."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from acs_sdkgen import cache
from acs_sdkgen.cli import main
from acs_sdkgen.emit import models
from acs_sdkgen.frontend import RefOptions, read_spec

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SPEC = FIXTURES / "corpus_shapes" / "spec.yaml"  # models that refer to each other, stand alone, or clash
OUTBOUNDBOT = Path(__file__).resolve().parents[2] / "spec" / "outboundbot.yaml"


def _tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` by relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _model_entries(directory: Path) -> int:
    """How many models results the cache database in `directory` holds."""
    with sqlite3.connect(directory / cache.DATABASE) as database:
        return int(database.execute("SELECT count(*) FROM results WHERE key LIKE 'models/%'").fetchone()[0])


def test_each_model_is_owned_once_and_each_document_holds_what_its_models_reach(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every `$ref` of a shard's document names a schema of that document; each model is owned by one shard."""
    monkeypatch.setattr(models, "SHARD_MODELS", 2)
    api = read_spec(SPEC, RefOptions(), None).api
    parts = models._shard_parts(api)
    owned = [name for shard_owned, _, _, _ in parts for name in shard_owned]
    assert sorted(owned) == sorted(api.model_order) and len(parts) > 2
    for shard_owned, shard_models, stems, document in parts:
        schemas = json.loads(document)["components"]["schemas"]
        assert set(schemas) == {m.class_name for m in shard_models} == set(stems) >= set(shard_owned)
        assert set(models.REF.findall(document)) <= set(schemas)
    stems = {name: stem for _, _, shard_stems, _ in parts for name, stem in shard_stems.items()}
    assert len(set(stems.values())) == len(stems), "module names are decided over all shards"


def test_a_model_that_reaches_everything_makes_fewer_larger_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where documents would hold far more than the models (a hub reached from every model), shards grow."""
    monkeypatch.setattr(models, "SHARD_MODELS", 1)
    api = read_spec(SPEC, RefOptions(), None).api
    parts = models._shard_parts(api)
    assert sum(len(m) for _, m, _, _ in parts) <= models.MAX_REACHED * len(api.model_order) or len(parts) == 1


def test_sharded_output_is_the_same_as_one_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One model per shard or all models in one: the same bytes in every file, every flavor."""
    monkeypatch.setenv("ACS_SDKGEN_CACHE_DIR", "off")
    trees = []
    for size in (1, 10_000):
        monkeypatch.setattr(models, "SHARD_MODELS", size)
        out = tmp_path / f"out-{size}"
        assert main(["generate", "--spec", str(SPEC), "--out", str(out), "-q"]) == 0
        trees.append(_tree(out))
    assert trees[0] == trees[1]


def test_a_model_edit_runs_only_the_shard_it_reaches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After one schema's field description changes, only the shard that owns it is computed again (shards of
    models that reach it hold its shape, not its descriptions); after its shape changes, every shard holding it."""
    monkeypatch.setenv("ACS_SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(models, "SHARD_MODELS", 1)
    spec, out = tmp_path / "outboundbot.yaml", tmp_path / "out"
    text = OUTBOUNDBOT.read_text(encoding="utf-8")
    spec.write_text(text, encoding="utf-8")
    assert main(["generate", "--spec", str(spec), "--out", str(out), "-q"]) == 0
    before = _model_entries(tmp_path / "cache")
    edited = text.replace("Creator ID.", "Creator ID (edited).")
    assert edited.count("(edited)") == 1
    spec.write_text(edited, encoding="utf-8")
    assert main(["generate", "--spec", str(spec), "--out", str(out), "-q"]) == 0
    flavors = len(list(out.glob("*/pyproject.toml")))
    holding = [m for _, m, _, _ in models._shard_parts(read_spec(spec, RefOptions(), None).api) if "Instance" in {x.class_name for x in m}]
    assert 1 < len(holding) < len(models._shard_parts(read_spec(spec, RefOptions(), None).api))
    assert flavors == 3 and _model_entries(tmp_path / "cache") == before + flavors
    assert "(edited)" in (out / "pydantic" / "outboundbot" / "models" / "_instance.py").read_text(encoding="utf-8")
    reshaped = edited.replace("        CreatorId:\n          type: integer\n          format: int64\n", "        CreatorId:\n          type: string\n")
    assert reshaped != edited
    spec.write_text(reshaped, encoding="utf-8")
    assert main(["generate", "--spec", str(spec), "--out", str(out), "-q"]) == 0
    assert _model_entries(tmp_path / "cache") == before + flavors + flavors * len(holding)


def test_workers_start_early_for_a_first_generation_and_on_demand_after(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Into a new output the workers start at once, one per core (they warm up while the spec is read); a regeneration
    starts them only when a shard misses the cache, so that a documentation edit runs in one process, and then no
    more of them than shards missed: one more would only take CPU from the others while it warms up."""
    monkeypatch.setenv("ACS_SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    starts: list[tuple[bool, int]] = []  # per start of the workers: whether the spec had been read by then, how many
    read = [False]
    real_start, real_pass = models.Workers.start, models.ModelsPass.__init__

    def spy_start(self: models.Workers, tasks: int | None = None) -> object:
        pool = real_start(self, tasks)
        starts.append((read[0], pool._max_workers))  # type: ignore[attr-defined]
        return pool

    def spy_pass(self: models.ModelsPass, *args: Any, **kwargs: Any) -> None:
        read[0] = True
        real_pass(self, *args, **kwargs)

    monkeypatch.setattr(models.Workers, "start", spy_start)
    monkeypatch.setattr(models.ModelsPass, "__init__", spy_pass)
    spec, out = tmp_path / "outboundbot.yaml", tmp_path / "out"
    text = OUTBOUNDBOT.read_text(encoding="utf-8")
    edited = text.replace("example: 435986", "example: 435987")  # one shard of each of the three flavors misses
    runs = [(text, [(False, 4)]), (edited, [(True, 3)]), (edited, [])]  # the last with --force: every shard hits
    for step, (spec_text, expected) in enumerate(runs):
        spec.write_text(spec_text, encoding="utf-8")
        starts.clear()
        read[0] = False
        assert main(["generate", "--spec", str(spec), "--out", str(out), "-q", *(["--force"] if step == 2 else [])]) == 0
        assert starts[:1] == expected, step


def test_a_broken_cache_database_is_a_miss_not_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache file that is not a database: nothing is found, nothing is stored, generation still works."""
    monkeypatch.setenv("ACS_SDKGEN_CACHE_DIR", str(tmp_path))
    (tmp_path / cache.DATABASE).write_bytes(b"not a database" * 100)
    cache.store("format", ("x = 1\n",), "x = 1\n")
    assert cache.load("format", "x = 1\n") is None
    assert cache.load_many("format", [("a",), ("b",)]) == [None, None]
    assert main(["generate", "--spec", str(SPEC), "--out", str(tmp_path / "out"), "-q", "--flavor", "pydantic"]) == 0


def test_cached_results_round_trip_in_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many results stored in one transaction come back by their parts; other parts or kinds miss."""
    monkeypatch.setenv("ACS_SDKGEN_CACHE_DIR", str(tmp_path))
    items = [((f"source {i}",), f"formatted {i}") for i in range(cache.BATCH + 7)]
    cache.store_many("format", items)
    assert cache.load_many("format", [parts for parts, _ in items]) == [text for _, text in items]
    assert cache.load("format", "source 3") == "formatted 3"
    assert cache.load("models", "source 3") is None and cache.load("format", "other") is None


def test_what_the_library_leaves_out_is_said_at_the_model_also_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A constraint the models cannot hold (a pattern on a Decimal) is an INFO at its model, not a Python warning,
    in a worker process or not, and again when the shard comes from the cache."""
    monkeypatch.setenv("ACS_SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo: {title: Meter, version: '1'}\npaths:\n  /reading:\n    get:\n      operationId: getReading\n"
        "      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n"
        "              schema: {$ref: '#/components/schemas/Reading'}\ncomponents:\n  schemas:\n    Reading:\n"
        "      type: object\n      properties:\n        level: {type: string, format: decimal, pattern: '^[0-9]+$'}\n",
        encoding="utf-8",
    )
    expected = "INFO spec.yaml:15#/components/schemas/Reading: pydantic models: Pydantic does not take pattern on Decimal; Reading.level is generated without this constraint."
    for force in ([], ["--force"]):
        assert main(["generate", "--spec", str(spec), "--out", str(tmp_path / "out"), "--flavor", "pydantic", *force]) == 0
        err = capsys.readouterr().err
        assert expected in err.splitlines() and "Warning" not in err


def test_a_note_from_the_cache_is_at_its_place_after_an_edit_moved_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A shard's notes are cached without lines: an edit above the model moves the note with it."""
    monkeypatch.setenv("ACS_SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    spec = tmp_path / "spec.yaml"
    text = (
        "openapi: 3.0.3\ninfo: {title: Meter, version: '1'}\npaths:\n  /reading:\n    get:\n      operationId: getReading\n"
        "      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n"
        "              schema: {$ref: '#/components/schemas/Reading'}\ncomponents:\n  schemas:\n    Reading:\n"
        "      type: object\n      properties:\n        level: {type: string, format: decimal, pattern: '^[0-9]+$'}\n"
    )
    moved = text.replace("operationId: getReading\n", "operationId: getReading\n      summary: Read\n      description: It.\n")
    note = "INFO spec.yaml:{line}#/components/schemas/Reading: pydantic models: Pydantic does not take pattern on Decimal"
    for line, edited in ((15, text), (17, moved)):
        spec.write_text(edited, encoding="utf-8")
        assert main(["generate", "--spec", str(spec), "--out", str(tmp_path / "out"), "--flavor", "pydantic"]) == 0
        err = capsys.readouterr().err
        assert any(entry.startswith(note.format(line=line)) for entry in err.splitlines()), err
    assert _model_entries(tmp_path / "cache") == 1  # the second run took the shard from the cache


def test_damaged_cache_entries_are_misses_and_are_made_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Entries cut short (a database copied without its journal can hold them): the spec's pieces, the models and
    the front end's results are made again and cached anew; the output is what it was."""
    from acs_sdkgen.spec import pieces

    monkeypatch.setenv("ACS_SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(pieces, "MIN_BYTES", 0)  # the spec is read in cached pieces
    out = tmp_path / "out"
    command = ["generate", "--spec", str(OUTBOUNDBOT), "--out", str(out), "-q", "--flavor", "pydantic"]
    assert main(command) == 0 and main([*command, "--force"]) == 0  # the second caches the front end's results
    before = _tree(out)
    kinds = ("models", "models-skeleton", "yaml-piece", "skeleton-ir")
    chosen = " OR ".join(f"key LIKE '{kind}/%'" for kind in kinds)
    with sqlite3.connect(tmp_path / "cache" / cache.DATABASE) as database:
        damaged = database.execute(f"UPDATE results SET value = substr(value, 1, length(value) / 2) WHERE {chosen}").rowcount
        assert {key.partition("/")[0] for (key,) in database.execute(f"SELECT key FROM results WHERE {chosen}")} == set(kinds)
    assert damaged > 10
    assert main([*command, "--force"]) == 0
    assert _tree(out) == before
    with sqlite3.connect(tmp_path / "cache" / cache.DATABASE) as database:
        for key, value in database.execute("SELECT key, value FROM results WHERE key LIKE 'models/%' OR key LIKE 'yaml-piece/%'"):
            json.loads(value.partition("\n")[0] if key.startswith("yaml") else value)  # each one whole again


# The library makes an enum of a nullable enum in every shard whose document holds the model; where the model is only
# reached, its description is left out, and so is the enum's docstring: the shards of this spec clash.
DESCRIBED_NULLABLE_ENUM = """
openapi: 3.0.3
info: {title: Alerts, version: "1", x-acs-package: alerts}
servers: [{url: "https://example.com"}]
paths:
  /a:
    get:
      operationId: getAlert
      responses: {"200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Alert"}}}}}
components:
  schemas:
    Reason: {type: string, nullable: true, description: "Why it was closed.", enum: [null, "fixed", "ignored"]}
    Alert: {type: object, properties: {reason: {$ref: "#/components/schemas/Reason"}, id: {type: integer}}}
"""
KINDS = ["pydantic", "dataclasses", "typeddict"]


def _spec_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> Any:
    """The spec `text` read through the front end, with the cache off."""
    monkeypatch.setenv("ACS_SDKGEN_CACHE_DIR", "off")
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    return read_spec(spec, RefOptions(), None)


def _made(read: Any, shard_models: int, monkeypatch: pytest.MonkeyPatch) -> dict[str, dict[str, str]]:
    """Each kind's modules, the models cut into shards of `shard_models` (10,000: one document of every model)."""
    monkeypatch.setattr(models, "SHARD_MODELS", shard_models)
    passed = models.ModelsPass(read.api, read.diagnostics, "h", KINDS, None)
    return {kind: passed.get(kind).sources for kind in KINDS}


def test_shards_that_clash_give_way_to_the_whole_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the shards of a kind clash, the kind is made from the whole document: every kind is what one shard gives."""
    read = _spec_read(tmp_path, monkeypatch, DESCRIBED_NULLABLE_ENUM)
    expected = _made(read, 10_000, monkeypatch)
    assert "Why it was closed." in expected["pydantic"]["_reason_enum"]
    sharded = _made(read, 1, monkeypatch)
    assert len(models._shard_parts(read.api)) == 2
    shards = [models.Shard("pydantic", "h", *part) for part in models._shard_parts(read.api)]
    made = [models._model_modules(shard).sources.get("_reason_enum") for shard in shards]
    assert made[0] != made[1]  # the enum made where its model is only reached lacks the description
    assert sharded == expected


# A nullable base: the library makes each subclass a class of its own, with the base's fields repeated.
REPEATED_BASE = """
openapi: 3.0.3
info: {title: Errors, version: "1", x-acs-package: errs}
servers: [{url: "https://example.com"}]
paths:
  /a:
    get:
      operationId: getCause
      responses: {"200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Cause"}}}}}
components:
  schemas:
    Kind: {type: string, description: "A broad kind.", enum: [A, B]}
    ItemId: {type: string, title: ItemId, description: "The item's id."}
    PlainError:
      type: object
      nullable: true
      additionalProperties: true
      description: "An error."
      title: PlainError
      required: [kind, code]
      properties:
        kind: {$ref: "#/components/schemas/Kind"}
        code: {type: string, description: "The particular error code."}
    Cause:
      type: object
      additionalProperties: true
      title: Cause
      description: "An error of one item."
      required: [kind, code, item_id]
      allOf:
        - {$ref: "#/components/schemas/PlainError"}
        - {type: object, properties: {item_id: {$ref: "#/components/schemas/ItemId"}}}
"""


def test_a_model_that_repeats_its_bases_fields_has_their_descriptions_in_its_shard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shard's document keeps the descriptions of its models' `allOf` bases, though it leaves out those of the other
    models it reaches: every kind is what one shard gives (plaid.com's `Cause` lost its fields' docstrings)."""
    read = _spec_read(tmp_path, monkeypatch, REPEATED_BASE)
    expected = _made(read, 10_000, monkeypatch)
    assert all("The particular error code." in expected[kind]["_cause"] for kind in KINDS)
    sharded = _made(read, 1, monkeypatch)
    assert len(models._shard_parts(read.api)) == 4
    assert sharded == expected
