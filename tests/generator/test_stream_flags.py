"""How a spec says which request value makes an operation stream (ir/streams.py): by convention a
boolean `stream`, or the name in `x-acs-sdkgen-stream-flag`; a flag that cannot become a keyword
argument keeps the operation always streaming and says why in an INFO diagnostic."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from acs_sdkgen.cli import main
from acs_sdkgen.frontend import read_spec

POINTER = "/paths/~1complete/post"


def _write(tmp_path: Path, flag: str | None, field: str, body_required: bool = True, param: str | None = None, param_required: bool = False) -> Path:
    """`complete` answers JSON or events; its body has the boolean `field`, its query the boolean `param`."""
    query = {"name": param, "in": "query", "required": param_required, "schema": {"type": "boolean", "default": True}}
    operation: dict[str, Any] = {
        "operationId": "complete",
        "parameters": [query] if param else [],
        "requestBody": {
            "required": body_required,
            "content": {"application/json": {"schema": {"type": "object", "properties": {field: {"type": "boolean"}}}}},
        },
        "responses": {
            "200": {
                "description": "The answer.",
                "content": {
                    "application/json": {"schema": {"type": "object", "properties": {"text": {"type": "string"}}}},
                    "text/event-stream": {"schema": {"type": "object", "properties": {"delta": {"type": "string"}}}},
                },
            }
        },
    }
    if flag is not None:
        operation["x-acs-sdkgen-stream-flag"] = flag
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "Flags", "version": "1.0.0", "x-acs-package": "flags"},
        "servers": [{"url": "https://flags.example.com"}],
        "paths": {"/complete": {"post": operation}},
    }
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return path


def _read(tmp_path: Path, flag: str | None, field: str, body_required: bool = True, param: str | None = None) -> Any:
    return read_spec(_write(tmp_path, flag, field, body_required, param))


def _flag(read: Any) -> Any:
    (op,) = read.api.operations
    return op.streaming.flag


def _infos(read: Any) -> list[str]:
    return [d.message for d in read.diagnostics.items if d.level.name == "INFO" and d.pointer == POINTER]


def test_a_body_field_named_stream_is_the_flag_by_convention(tmp_path: Path) -> None:
    flag = _flag(_read(tmp_path, None, "stream"))
    assert (flag.python_name, flag.wire_name, flag.location, flag.required, flag.default) == ("stream", "stream", "body", False, False)


def test_the_extension_names_a_parameter_flag_with_its_default(tmp_path: Path) -> None:
    read = _read(tmp_path, "WantEvents", "other", param="WantEvents")
    flag = _flag(read)
    assert (flag.python_name, flag.wire_name, flag.location, flag.required, flag.default) == ("want_events", "WantEvents", "param", False, True)
    assert _infos(read) == []


@pytest.mark.parametrize(
    ("flag", "field", "body_required", "message"),
    [
        ("timeout", "timeout", True, "the stream flag 'timeout' is a body field whose argument name 'timeout' is taken; the operation always streams"),
        ("class", "class", True, "the stream flag 'class' is a body field whose argument name 'class' is taken; the operation always streams"),
        (None, "stream", False, "no boolean parameter or field of a required JSON body named 'stream' selects the stream"),
        ("wantEvents", "stream", True, "no boolean parameter or field of a required JSON body named 'wantEvents' selects the stream"),
    ],
    ids=["name-taken", "keyword", "optional-body", "misnamed"],
)
def test_a_flag_that_cannot_be_an_argument_keeps_the_stream_and_says_why(
    tmp_path: Path, flag: str | None, field: str, body_required: bool, message: str
) -> None:
    read = _read(tmp_path, flag, field, body_required)
    assert _flag(read) is None
    (info,) = _infos(read)
    assert message in info and "x-acs-sdkgen-stream-flag" in info


def test_a_required_flag_parameter_gives_overloads_without_a_default(tmp_path: Path) -> None:
    """A required flag: `Literal[False]`, `Literal[True]` and `bool` overloads, none of them optional."""
    spec = _write(tmp_path, "stream", "other", param="stream", param_required=True)
    assert main(["generate", "--spec", str(spec), "--out", str(tmp_path / "out"), "--flavor", "pydantic", "-q"]) == 0
    for module in ("_client.py", "_async_client.py"):
        code = (tmp_path / "out" / "pydantic" / "flags" / module).read_text(encoding="utf-8")
        compile(code, module, "exec")
        hints = [line.strip() for line in code.splitlines() if line.strip().startswith("stream:") and line.endswith(",")]
        assert hints == ["stream: Literal[True],", "stream: Literal[False],", "stream: bool,", "stream: bool,"], (module, hints)
