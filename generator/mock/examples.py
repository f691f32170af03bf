"""Valid requests of an operation, for tests: the spec's examples, else values generated to fit the schemas."""

from __future__ import annotations

import logging
import random
from typing import Any

from .api import MockApi, Route

log = logging.getLogger("acs_sdkgen.mock")
FILE = b"\x00\x01file bytes\xff"


def example_request(api: MockApi, route: Route, rng: random.Random) -> tuple[list[tuple[str, str, Any]], Any]:
    """`(name, location, value)` of every required parameter and of each optional one with an example, and the body."""
    params = []
    for (name, location), param in route.params.items():
        schema = param.get("schema") or {}
        found, value = fitting(api, _example(api, param), schema, f"{route.op.operation_id} parameter {name}")
        if found or param.get("required"):
            params.append((name, location, value if found else api.schemas.generate(schema, rng)))
    return params, _body(api, route, rng)


def fitting(api: MockApi, example: tuple[bool, Any], schema: Any, where: str) -> tuple[bool, Any]:
    """The example when it fits its schema; else not found (the spec's own example would be refused), and logged."""
    found, value = example
    problems = api.schemas.refuses(schema, value) if found else []
    if problems:
        log.warning("the spec's example of %s does not fit its schema (%s): a generated value is sent", where, problems[0])
        return False, None
    return found, value


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
    if body.encoding == "json":
        found, value = fitting(api, (found, value), schema, f"{route.op.operation_id} request body")
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
