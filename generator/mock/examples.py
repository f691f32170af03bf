"""Valid requests of an operation, for tests: the spec's examples, else values generated to fit the schemas."""

from __future__ import annotations

import random
from typing import Any

from .api import MockApi, Route

FILE = b"\x00\x01file bytes\xff"


def example_request(api: MockApi, route: Route, rng: random.Random) -> tuple[list[tuple[str, str, Any]], Any]:
    """`(name, location, value)` of every required parameter and of each optional one with an example, and the body."""
    params = []
    for (name, location), param in route.params.items():
        found, value = _example(api, param)
        if found or param.get("required"):
            params.append((name, location, value if found else api.schemas.generate(param.get("schema") or {}, rng)))
    return params, _body(api, route, rng)


def _example(api: MockApi, node: dict[str, Any]) -> tuple[bool, Any]:
    """`(found, value)` of a parameter's or media type's own example."""
    if "example" in node:
        return True, node["example"]
    for example in (node.get("examples") or {}).values():
        example = api.schemas.resolve(example)
        if isinstance(example, dict) and "value" in example:
            return True, example["value"]
    return False, None


def _body(api: MockApi, route: Route, rng: random.Random) -> Any:
    """The request body's example (else generated); bytes for binary bodies and file parts."""
    body = route.op.body
    if body is None:
        return None
    if body.encoding == "binary":
        return FILE
    content = (api.schemas.resolve(route.spec.get("requestBody")) or {}).get("content") or {}
    media = content.get(body.media_type) or {}
    schema = media.get("schema") or {}
    found, value = _example(api, media)
    if not found:
        value = api.schemas.generate(schema, rng)
    if body.encoding == "multipart" and isinstance(value, dict):
        for name, sub in api.schemas.properties(schema).items():
            sub = api.schemas.resolve(sub)
            items = api.schemas.resolve(sub.get("items") or {})
            if sub.get("format") == "binary":
                value[name] = FILE
            elif items.get("format") == "binary":
                value[name] = [FILE]
    return value
