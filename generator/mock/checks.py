"""Check a request's parameters and body against its operation; every problem is named."""

from __future__ import annotations

import json
from email.parser import BytesParser
from email.policy import HTTP
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl

from .api import MockApi, Rejection, Route
from .wire import FORM, MISSING, Incoming, typed, unflatten

# Parameters every Alibaba RPC call may carry without the spec listing them.
RPC_COMMON = frozenset(
    (
        "AccessKeyId", "Action", "Format", "RegionId", "SecurityToken", "Signature", "SignatureMethod",
        "SignatureNonce", "SignatureType", "SignatureVersion", "Timestamp", "Version",
    )
)


def check_params(api: MockApi, route: Route, incoming: Incoming, path_values: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    """The typed parameter values by wire name, and the query keys the spec does not list.

    A missing required or an invalid value is a Rejection naming it.
    """
    pairs = incoming.query + incoming.form() if api.rpc else incoming.query
    cookies = _cookies(incoming.headers.get("cookie", ""))
    values: dict[str, Any] = {}
    missing, invalid = [], []
    used: set[str] = set()
    for (name, location), param in route.params.items():
        schema = param.get("schema") or {}
        if location == "query":
            explode = param.get("explode", param.get("style", "form") == "form")
            flat = api.rpc or param.get("x-acs-style") == "repeatList"
            raw, keys = unflatten(pairs, name, flat)
            used.update(keys)
            if name in keys and param.get("x-acs-style") == "repeatList":
                invalid.append(f"{name}: a repeat-list is sent as {name}.1, {name}.2, …, not as {name}=")
            if isinstance(raw, str) and api.schemas.kind(schema) == "array" and not explode:
                raw = raw.split(",")
            elif isinstance(raw, str) and api.schemas.kind(schema) == "array" and not flat:
                raw = [raw]
        elif location == "path":
            raw = path_values.get(name, MISSING)
        elif location == "header":
            raw = incoming.headers.get(name.lower(), MISSING)
        else:
            raw = cookies.get(name, MISSING)
        if raw is MISSING:
            if param.get("required"):
                missing.append(name)
            continue
        value = typed(api.schemas, schema, raw)
        invalid += [f"{name}: {problem}" for problem in api.schemas.problems(schema, value)]
        values[name] = value
    if missing:
        raise Rejection(400, "MissingParameter", f"the required parameter {', '.join(missing)} is missing ({_where(api)})")
    if invalid:
        raise Rejection(400, "InvalidParameter", "the parameter is not valid: " + "; ".join(invalid))
    return values, sorted({k for k, _ in pairs} - used - (RPC_COMMON if api.rpc else frozenset()))


def _where(api: MockApi) -> str:
    """Where an RPC or a REST parameter is sent."""
    return "query string or form body" if api.rpc else "path, query, header or cookie"


def _cookies(text: str) -> dict[str, str]:
    """The cookies of a Cookie header."""
    jar: SimpleCookie = SimpleCookie()
    jar.load(text)
    return {name: morsel.value for name, morsel in jar.items()}


def check_body(api: MockApi, route: Route, incoming: Incoming) -> Any:
    """The decoded body, checked against the operation's request body (media type, presence, schema)."""
    body = api.schemas.resolve(route.spec.get("requestBody"))
    if api.rpc or not isinstance(body, dict):
        if incoming.body and not (api.rpc and incoming.media_type == FORM):
            raise Rejection(400, "InvalidParameter", f"{route.op.operation_id} takes no request body, got {len(incoming.body)} bytes")
        return None
    if not incoming.body:
        if body.get("required"):
            raise Rejection(400, "MissingBody", f"the request body of {route.op.operation_id} is required")
        return None
    content = body.get("content") or {}
    media = incoming.media_type
    if media not in content and not any(_media_match(pattern, media) for pattern in content):
        raise Rejection(415, "UnsupportedMediaType", f"content type {media or '(none)'!r} is not one of {', '.join(sorted(content))}")
    spec_media = media if media in content else next(p for p in content if _media_match(p, media))
    value = _decode(media, incoming)
    schema = (content[spec_media] or {}).get("schema")
    if schema is not None and not isinstance(value, bytes):
        value = value if "json" in media else typed(api.schemas, schema, value)
        problems = api.schemas.problems(schema, _files_as_text(value))
        if problems:
            raise Rejection(400, "InvalidBody", "the request body does not fit its schema: " + "; ".join(problems))
    return value


def _files_as_text(value: Any) -> Any:
    """The body with each file part (bytes) as the text "(file)", for the schema's `format: binary` strings."""
    if isinstance(value, bytes):
        return "(file)"
    if isinstance(value, list):
        return [_files_as_text(item) for item in value]
    if isinstance(value, dict):
        return {key: _files_as_text(item) for key, item in value.items()}
    return value


def _grouped(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Form fields or parts by name; a repeated name gives a list."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        out[key] = [*out[key], value] if isinstance(out.get(key), list) else [out[key], value] if key in out else value
    return out


def _media_match(pattern: str, media: str) -> bool:
    """Whether a spec media range (`*/*`, `image/*`) covers a media type."""
    major, _, minor = pattern.partition("/")
    return pattern == "*/*" or (minor == "*" and media.startswith(major + "/"))


def _decode(media: str, incoming: Incoming) -> Any:
    """The body decoded by its media type: JSON, form fields, multipart parts, else the bytes."""
    try:
        if media == "application/json" or media.endswith("+json"):
            return json.loads(incoming.body)
        if media == FORM:
            return _grouped(parse_qsl(incoming.body.decode(), keep_blank_values=True, strict_parsing=True))
        if media == "multipart/form-data":
            head = b"Content-Type: " + incoming.headers["content-type"].encode() + b"\r\n\r\n"
            message = BytesParser(policy=HTTP).parsebytes(head + incoming.body)
            if not message.is_multipart():
                if incoming.body.strip() == f"--{message.get_boundary()}--".encode():
                    return {}  # only the closing delimiter: a form with no fields, as form parsers read it
                raise ValueError("no parts (is the boundary right?)")
            parts: list[tuple[str, Any]] = []
            for part in message.iter_parts():
                payload = part.get_payload(decode=True)
                if not isinstance(payload, bytes):
                    raise ValueError("a part is itself multipart")
                parts.append((str(part.get_param("name", header="content-disposition")), payload if part.get_filename() else payload.decode()))
            return _grouped(parts)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Rejection(400, "InvalidBody", f"the body is not valid {media}: {exc}") from None
    return incoming.body
