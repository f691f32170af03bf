"""Which operations stream their answer: `text/event-stream` (typed events) and `application/octet-stream`.

Extensions (spec/README.md): `x-acs-sdkgen-stream-end` names the data that ends an event stream
(`[DONE]`), `x-acs-sdkgen-stream-resume: true` says that reconnecting with `Last-Event-ID` is safe.
"""

from __future__ import annotations

from typing import Any

from . import tree as ir
from .types import Types

EVENT_STREAM = "text/event-stream"
BINARY = "application/octet-stream"


def read_streaming(op: dict[str, Any], types: Types) -> ir.Streaming | None:
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
