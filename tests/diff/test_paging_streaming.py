"""`diff` and the docs changelog see an operation's pagination and streaming: starting or stopping to
page or to stream changes what a call returns (breaking), another scheme of fetching pages does not.

Each case edits one operation of a small REST spec; the expected change is asserted with `diff_apis`
on the IR that `generate` builds, through the CLI (exit code 1 on a breaking change) and through the
changelog that `generate` keeps.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from acs_sdkgen.changes.changelog import STATE_FILE, api_from_snapshot, history, snapshot
from acs_sdkgen.changes.diff import BREAKING, COMPATIBLE, diff_apis
from acs_sdkgen.cli import main
from acs_sdkgen.frontend import read_spec

Spec = dict[str, Any]
JSON = "application/json"
SSE = "text/event-stream"


def _ref(name: str) -> Spec:
    return {"$ref": f"#/components/schemas/{name}"}


def _base() -> Spec:
    """Two operations: `listThings` (pages of Thing by a cursor) and `complete` (one JSON Answer)."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "Shapes", "version": "1.0.0", "x-acs-package": "shapes"},
        "servers": [{"url": "https://shapes.example.com"}],
        "paths": {
            "/things": {
                "get": {
                    "operationId": "listThings",
                    "x-speakeasy-pagination": {
                        "type": "cursor",
                        "inputs": [{"name": "cursor", "in": "parameters", "type": "cursor"}],
                        "outputs": {"nextCursor": "$.next", "results": "$.things"},
                    },
                    "parameters": [
                        {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                        {"name": "offset", "in": "query", "schema": {"type": "integer"}},
                    ],
                    "responses": {"200": {"description": "A page.", "content": {JSON: {"schema": _ref("ThingPage")}}}},
                }
            },
            "/complete": {
                "post": {
                    "operationId": "complete",
                    "requestBody": {"required": True, "content": {JSON: {"schema": _ref("Prompt")}}},
                    "responses": {"200": {"description": "The answer.", "content": {JSON: {"schema": _ref("Answer")}}}},
                }
            },
        },
        "components": {
            "schemas": {
                "Thing": {"type": "object", "properties": {"id": {"type": "string"}}},
                "Other": {"type": "object", "properties": {"code": {"type": "string"}}},
                "ThingPage": {
                    "type": "object",
                    "properties": {"things": {"type": "array", "items": _ref("Thing")}, "next": {"type": "string"}},
                },
                "Prompt": {"type": "object", "properties": {"text": {"type": "string"}, "stream": {"type": "boolean"}}},
                "Answer": {"type": "object", "properties": {"text": {"type": "string"}}},
                "Chunk": {"type": "object", "properties": {"delta": {"type": "string"}}},
            }
        },
    }


def _listing(spec: Spec) -> Spec:
    return spec["paths"]["/things"]["get"]


def _answer(spec: Spec) -> Spec:
    return spec["paths"]["/complete"]["post"]["responses"]["200"]["content"]


def _by_offset(spec: Spec) -> None:
    _listing(spec)["x-speakeasy-pagination"] = {
        "type": "offsetLimit",
        "inputs": [{"name": "offset", "in": "parameters", "type": "offset"}],
        "outputs": {"results": "$.things"},
    }


def _other_items(spec: Spec) -> None:
    spec["components"]["schemas"]["ThingPage"]["properties"]["things"]["items"] = _ref("Other")


def _stream_only(spec: Spec) -> None:
    _answer(spec).clear()
    _answer(spec)[SSE] = {"schema": _ref("Chunk"), "x-acs-sdkgen-stream-end": "[DONE]"}


def _with_flag(spec: Spec) -> None:
    _answer(spec)[SSE] = {"schema": _ref("Chunk"), "x-acs-sdkgen-stream-end": "[DONE]"}


def _resumable(spec: Spec) -> None:
    _stream_only(spec)
    spec["paths"]["/complete"]["post"]["x-acs-sdkgen-stream-resume"] = True


Expected = tuple[str, str, str]  # kind, severity, message
FIELD_CHANGED = ("field.type_changed", BREAKING, "type of field `things` of `ThingPage` changed from `array of Thing` to `array of Other`")

# case → (edit of the old spec, edit of the new spec, the shape change), and other changes it makes
CASES: dict[str, tuple[Callable[[Spec], None], Callable[[Spec], None], Expected]] = {
    "stops paginating": (
        lambda s: None,
        lambda s: _listing(s).pop("x-speakeasy-pagination"),
        ("operation.not_paginated", BREAKING, "operation `list_things` now returns `ThingPage` instead of pages of `Thing`"),
    ),
    "starts paginating": (
        lambda s: _listing(s).pop("x-speakeasy-pagination"),
        lambda s: None,
        ("operation.paginated", BREAKING, "operation `list_things` now returns pages of `Thing` instead of `ThingPage`"),
    ),
    "another scheme": (
        lambda s: None,
        _by_offset,
        (
            "operation.pagination_changed",
            COMPATIBLE,
            "operation `list_things` now fetches its pages by `offset pagination (offset)` instead of `token pagination (cursor)`",
        ),
    ),
    "other items": (
        lambda s: None,
        _other_items,
        ("operation.page_items_changed", BREAKING, "the items of the pages of operation `list_things` changed from `Thing` to `Other`"),
    ),
    "starts streaming": (
        lambda s: None,
        _stream_only,
        ("operation.streaming_started", BREAKING, "operation `complete` now streams its answer: it returns `Stream[Chunk]` instead of `Answer`"),
    ),
    "stops streaming": (
        _stream_only,
        lambda s: None,
        ("operation.streaming_stopped", BREAKING, "operation `complete` no longer streams its answer: it returns `Answer` instead of `Stream[Chunk]`"),
    ),
    "streams only when asked": (
        _stream_only,
        _with_flag,
        (
            "operation.stream_changed",
            BREAKING,
            "operation `complete` now returns `Stream[Chunk] when stream=True, else Answer` instead of `Stream[Chunk]`",
        ),
    ),
    "becomes resumable": (
        _stream_only,
        _resumable,
        (
            "operation.stream_behaviour_changed",
            COMPATIBLE,
            "the stream of operation `complete` now behaves as `ends at [DONE], resumable` instead of `ends at [DONE], not resumable`",
        ),
    ),
}


def _write(tmp_path: Path, name: str, edit: Callable[[Spec], None]) -> Path:
    spec = copy.deepcopy(_base())
    edit(spec)
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return path


@pytest.mark.parametrize("case", CASES)
def test_the_change_is_reported_and_classified(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit_old, edit_new, expected = CASES[case]
    old, new = _write(tmp_path, "old", edit_old), _write(tmp_path, "new", edit_new)
    changes = diff_apis(read_spec(old).api, read_spec(new).api)
    also = [FIELD_CHANGED] if case == "other items" else []
    assert [(c.kind, c.severity, c.message) for c in changes] == [*also, expected]
    assert main(["diff", str(old), str(new)]) == (1 if expected[1] == BREAKING else 0)
    assert f"[{expected[0]}]" in capsys.readouterr().out


def test_nothing_is_reported_for_the_same_shapes(tmp_path: Path) -> None:
    api = read_spec(_write(tmp_path, "same", _with_flag)).api
    assert diff_apis(api, api) == []


def _state(tmp_path: Path, api: Any, version: int) -> Path:
    """A changelog state file holding `api`, as a generation of that format wrote it."""
    data = snapshot(api)
    if version < 2:
        for op in data["operations"]:
            del op["pagination"], op["streaming"]
    path = tmp_path / STATE_FILE
    path.write_text(json.dumps({"format": version, "api": data, "entries": []}), encoding="utf-8")
    return path


def test_the_docs_changelog_records_a_change_of_shape(tmp_path: Path) -> None:
    before = read_spec(_write(tmp_path, "old", lambda s: None)).api
    after = read_spec(_write(tmp_path, "new", _with_flag)).api
    (entry,) = history(after, "0.2.0", _state(tmp_path, before, 2)).entries
    assert [c.kind for c in entry.changes] == ["operation.streaming_started"]
    assert history(after, "0.2.0", _state(tmp_path, after, 2)).entries == ()


def test_a_snapshot_from_before_shapes_were_recorded_reports_no_shape_change(tmp_path: Path) -> None:
    """A format 1 state file has no pagination or streaming: they are not reported as new."""
    api = read_spec(_write(tmp_path, "spec", _stream_only)).api
    result = history(api, "0.2.0", _state(tmp_path, api, 1))
    assert result.compared and result.entries == ()
    assert json.loads(result.state)["format"] == 2


@pytest.mark.parametrize("fixture", ["streaming_rest", "streaming_rpc", "pagination_rest", "pagination_rpc"])
def test_pagination_and_streaming_survive_the_snapshot(fixture: str) -> None:
    """The snapshot keeps each operation's pagination and streaming (named events, flag) as they were built."""
    spec = Path(__file__).resolve().parents[1] / "fixtures" / fixture / "spec.yaml"
    api = read_spec(spec).api
    back = api_from_snapshot(json.loads(json.dumps(snapshot(api))))
    assert [(op.pagination, op.streaming) for op in back.operations] == [(op.pagination, op.streaming) for op in api.operations]
    assert any(op.pagination or op.streaming for op in back.operations)
