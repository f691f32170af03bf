"""Which operations stream their answer: `text/event-stream` (typed events) and `application/octet-stream`.

Extensions (spec/README.md): `x-acs-sdkgen-stream-end` names the data that ends an event stream
(`[DONE]`), `x-acs-sdkgen-stream-resume: true` says that reconnecting with `Last-Event-ID` is safe,
`x-acs-sdkgen-stream-flag: <name>` names the boolean parameter or body field that asks for the stream
when a success answer offers JSON too (by convention it is `stream`).
"""

from __future__ import annotations

import keyword
from typing import Any

from ..diagnostics import Collector
from . import tree as ir
from .names import snake
from .symbols import parameter_names
from .types import Types

EVENT_STREAM = "text/event-stream"
BINARY = "application/octet-stream"
FLAG = "x-acs-sdkgen-stream-flag"
CONVENTION = "stream"


def read_streaming(
    op: dict[str, Any], types: Types, params: tuple[ir.Parameter, ...], diag: Collector, pointer: str
) -> ir.Streaming | None:
    """The operation's streamed answer, None when its answer is read whole."""
    responses = op.get("responses") or {}
    ok = next((types.resolve(responses[s]) for s in sorted(map(str, responses)) if s.startswith("2")), {})
    content = ok.get("content") or {}
    if EVENT_STREAM in content:
        media = content[EVENT_STREAM] or {}
        end = media.get("x-acs-sdkgen-stream-end", op.get("x-acs-sdkgen-stream-end"))
        schema = media.get("schema") or {}
        event, models = _one(types, schema)
        named = _named_events(types, schema)
        for _, response in named:
            models |= {response.model} if response.model else set()
        return ir.Streaming(
            kind="sse",
            event=event,
            events=tuple(named),
            sentinel=None if end is None else str(end),
            resumable=bool(op.get("x-acs-sdkgen-stream-resume", False)),
            models=tuple(sorted(models)),
            flag=_flag(op, types, params, diag, pointer) if any("json" in m for m in content) else None,
        )
    if content and all(m == BINARY for m in content):
        return ir.Streaming(kind="binary", event=None, events=(), sentinel=None, resumable=False, models=())
    return None


def _one(types: Types, raw: Any) -> tuple[ir.Response, set[str]]:
    """One event's type, as a response without status."""
    if not raw:
        return ir.Response("", None, "", "Any", None, ""), set()
    hint = types.hint(raw)
    return ir.Response("", types.ref_class(raw), "", hint.text, None, ""), set(hint.models)


def _named_events(types: Types, raw: Any) -> list[tuple[str, ir.Response]]:
    """(event name, its type) when the schema is a oneOf discriminated on `event`, the SSE event name."""
    schema = types.resolve(raw) if raw else {}
    discriminator = schema.get("discriminator") or {}
    choices = schema.get("oneOf") or []
    if discriminator.get("propertyName") != "event" or not choices:
        return []
    mapping = discriminator.get("mapping") or {
        ref.rsplit("/", 1)[-1]: ref for ref in (c.get("$ref") for c in choices) if isinstance(ref, str)
    }
    return [(name, _one(types, {"$ref": target})[0]) for name, target in sorted(mapping.items())]


def _flag(
    op: dict[str, Any], types: Types, params: tuple[ir.Parameter, ...], diag: Collector, pointer: str
) -> ir.StreamFlag | None:
    """The boolean parameter or JSON body field that selects the event stream over the JSON answer."""
    name = str(op.get(FLAG, CONVENTION))
    param = next((p for p in params if p.wire_name == name and p.kind == "boolean"), None)
    if param is not None:
        default = param.default == "true"
        return ir.StreamFlag(param.python_name, name, "param", param.required, default)
    body = types.resolve(op.get("requestBody")) or {}
    schema = types.resolve(((body.get("content") or {}).get("application/json") or {}).get("schema") or {})
    field = types.resolve((schema.get("properties") or {}).get(name) or {})
    python_name = snake(name)
    if field.get("type") == "boolean" and body.get("required") is True and python_name.isidentifier():
        if keyword.iskeyword(python_name) or python_name in parameter_names() | {p.python_name for p in params}:
            message = f"the stream flag {name!r} is a body field whose argument name {python_name!r} is taken; the operation always streams"
            diag.info(pointer, f"{message} (rename the field, or name another flag with `{FLAG}`)")
            return None
        required = name in (schema.get("required") or ())
        return ir.StreamFlag(python_name, name, "body", required, field.get("default") is True)
    diag.info(
        pointer,
        f"a success answer offers JSON and {EVENT_STREAM}, but no boolean parameter or field of a required "
        f"JSON body named {name!r} selects the stream; the operation always streams. Name the flag with `{FLAG}: <name>` "
        "(spec/README.md) to get a method that returns the JSON model or a Stream by the flag's value",
    )
    return None
