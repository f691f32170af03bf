"""What the mock answers: the spec's examples, else data generated to fit the schema; errors in the spec's shape."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from typing import Any

from .api import STATUS_CODES, MockApi, Rejection, Route
from .examples import fitting

JSON = "application/json"


@dataclass(frozen=True)
class Answer:
    """An HTTP answer: status, headers and body (`data` is the body before encoding, when it is JSON)."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    code: str = ""
    message: str = ""
    data: Any = None


def request_id(rng: random.Random) -> str:
    """An upper-case UUID like Alibaba's request IDs."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper()


def _status_key(responses: dict[str, Any], status: int) -> str | None:
    """The `responses` key documenting a status: exact, `4XX`, else `default`."""
    for key in (str(status), f"{str(status)[0]}XX", "default"):
        if key in responses:
            return key
    return None


def documented(
    api: MockApi, route: Route, status: int, rng: random.Random, code: str | None = None
) -> tuple[str, Any, Any] | None:
    """Media type, value and schema of the response documented for `status`: the example (named `code` first), else
    generated."""
    responses = route.spec.get("responses") or {}
    key = _status_key(responses, status)
    response = api.schemas.resolve(responses[key]) if key else None
    content = (response or {}).get("content") or {}
    if not content:
        return None
    media = next((m for m in content if "json" in m), next(iter(content)))
    spec = content[media] or {}
    examples = {name: api.schemas.resolve(e).get("value") for name, e in (spec.get("examples") or {}).items()}
    if code and code in examples:
        found, value = True, examples[code]
    elif "example" in spec:
        found, value = True, spec["example"]
    else:
        found, value = bool(examples and not code), next(iter(examples.values()), None)
    if found and "json" in media:  # an example that does not fit its own schema would fail the SDK's models
        found, value = fitting(api, (found, value), spec.get("schema") or {}, f"{route.op.operation_id} response {key}")
    schema = spec.get("schema") or {}
    return media, value if found else api.schemas.generate(schema, rng), schema


def success(api: MockApi, route: Route, rng: random.Random) -> tuple[int, str | None, Any]:
    """Status, media type and value of the operation's first success response."""
    statuses = [r.status for r in route.op.responses]
    status = next((int(s) for s in statuses if s.isdigit()), 200)
    found = documented(api, route, status, rng) if route.op.responses and route.op.responses[0].media_type else None
    if found is None:
        return status, None, None
    media, value, _ = found
    if api.rpc and isinstance(value, dict) and "RequestId" in value:
        value = {**value, "RequestId": request_id(rng)}
    return status, media, value


def encode(status: int, media: str | None, value: Any, headers: tuple[tuple[str, str], ...] = (), code: str = "", message: str = "") -> Answer:
    """An answer with the value encoded for its media type."""
    if media is None:
        return Answer(status, headers, b"", code, message)
    if "json" in media:
        body = json.dumps(value, ensure_ascii=False).encode()
        return Answer(status, (("Content-Type", f"{media};charset=utf-8"),) + headers, body, code, message, value)
    if media.startswith("text/"):
        return Answer(status, (("Content-Type", f"{media}; charset=utf-8"),) + headers, str(value).encode(), code, message, value)
    data = value if isinstance(value, bytes) else str(value).encode()
    return Answer(status, (("Content-Type", media),) + headers, data, code, message)


def error(api: MockApi, route: Route | None, rejection: Rejection, rng: random.Random, host: str) -> Answer:
    """The error in the spec's shape: Alibaba's JSON error for RPC specs, else the documented error body filled in."""
    status, code, message = rejection.status, rejection.code, rejection.message
    if api.rpc:
        body = {"RequestId": request_id(rng), "Code": code, "Message": message, "HostId": host, "Recommend": f"{host}/mock/diagnosis?code={code}"}
        return encode(status, JSON, body, rejection.headers, code, message)
    found = documented(api, route, status, rng) if route else None
    plain = {"code": code, "message": message}
    value = found[1] if found else plain
    if found and not isinstance(value, dict) and not api.schemas.refuses(found[2], plain):
        value = plain  # a schema that allows any value (`{}`): the usual error object, which SDKs read as one
    if isinstance(value, dict):
        value = dict(value)
        for key, old in value.items():
            if key.lower() in ("message", "detail", "error", "error_description", "title"):
                value[key] = message
            elif key.lower() == "code":
                value[key] = status if isinstance(old, int) else code
    return encode(status, found[0] if found and "json" in found[0] else JSON, value, rejection.headers, code, message)


def rejection_for(api: MockApi, route: Route | None, what: str) -> Rejection:
    """The error a code or a status names: a documented code with its status, or a status with its usual code."""
    known = api.error_of(route, what)
    if known:
        return Rejection(known[0], what, known[1])
    if what.isdigit():
        status = int(what)
        code = STATUS_CODES.get(status, f"Status{status}")
        return Rejection(status, code, f"the mock was asked to answer {status} {code}")
    return Rejection(400, what, f"the mock was asked to answer the error {what}")
