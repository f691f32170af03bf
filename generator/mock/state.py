"""Resources that live between calls: what one operation creates, the others read, list, update and delete.

An operation's `x-acs-sdkgen-mock` extension declares its part (spec/README.md has the full table);
REST operations without it follow the convention POST /things creates, GET /things lists,
GET /things/{id} reads, PUT or PATCH /things/{id} updates and DELETE /things/{id} deletes.
"""

from __future__ import annotations

import copy
import json
import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from ..diagnostics import Collector, join_pointer
from .api import MockApi, Rejection, Route

EXTENSION = "x-acs-sdkgen-mock"
ROLES = ("create", "read", "list", "update", "delete")
GENERATORS = ("uuid", "sequence", "now-ms", "now-s", "now-iso")
KEYS = {"resource", "role", "id", "path", "generate", "unique", "limits", "not-found"}


@dataclass(frozen=True)
class Part:
    """The part one operation plays for one kind of resource."""

    resource: str
    role: str
    id: str  # the resource's id field; read, update and delete take a parameter of the same name
    path: tuple[str, ...] = ()  # where the resource (or the list) sits in the response body
    generate: dict[str, str] = field(default_factory=dict)
    unique: dict[str, str] = field(default_factory=dict)  # field -> error code
    limits: dict[str, tuple[float, str]] = field(default_factory=dict)  # field -> (maximum, error code)
    not_found: str = ""
    id_param: str = ""  # REST convention: the path parameter carrying the id


def declared_parts(api: MockApi) -> dict[str, Part]:
    """Each operation's part by operation id, from its extension or the REST convention; a malformed extension is a `SpecError`."""
    diag = Collector(api.name)
    parts = {}
    for route in api.routes:
        raw = route.spec.get(EXTENSION)
        if raw is not None:
            part = _parse(raw, join_pointer(route.op.pointer, EXTENSION), diag)
        else:
            part = None if api.rpc else _convention(api, route)
        if part is not None:
            parts[route.op.operation_id] = part
    diag.raise_if_errors()
    return parts


def _parse(raw: Any, pointer: str, diag: Collector) -> Part | None:
    """An extension's part, or None after reporting every problem in it."""
    if not isinstance(raw, dict):
        diag.error(pointer, f"{EXTENSION} must be a mapping")
        return None
    for key in sorted(set(raw) - KEYS):
        diag.error(join_pointer(pointer, key), f"unknown key {key!r}; known: {', '.join(sorted(KEYS))}")
    for key in ("resource", "role", "id"):
        if not isinstance(raw.get(key), str):
            diag.error(pointer, f"{EXTENSION} needs a string {key!r}")
    if raw.get("role") not in ROLES:
        diag.error(join_pointer(pointer, "role"), f"role must be one of {', '.join(ROLES)}")
    generate = raw.get("generate") or {}
    for name, how in generate.items():
        if how not in GENERATORS:
            diag.error(join_pointer(pointer, "generate", name), f"{how!r} is not one of {', '.join(GENERATORS)}")
    limits = {}
    for name, limit in (raw.get("limits") or {}).items():
        if not (isinstance(limit, dict) and isinstance(limit.get("max"), (int, float)) and isinstance(limit.get("error"), str)):
            diag.error(join_pointer(pointer, "limits", name), "a limit is {max: NUMBER, error: CODE}")
            continue
        limits[name] = (limit["max"], limit["error"])
    if diag.items:
        return None
    path = tuple(p for p in str(raw.get("path") or "").split(".") if p)
    return Part(raw["resource"], raw["role"], raw["id"], path, dict(generate), dict(raw.get("unique") or {}), limits, str(raw.get("not-found") or ""))


def _convention(api: MockApi, route: Route) -> Part | None:
    """The REST convention: the collection path names the resource; `id` (else the path parameter) is its id field."""
    op = route.op
    template = op.path.split("#", 1)[0].rstrip("/")
    item = bool(route.names) and template.endswith("{" + route.names[-1] + "}")
    collection = template.rsplit("/", 1)[0] if item else template
    response = next((r for r in op.responses if r.media_type and "json" in r.media_type), None)
    method = op.http_method
    role = {("POST", False): "create", ("GET", True): "read", ("GET", False): "list", ("PUT", True): "update",
            ("PATCH", True): "update", ("DELETE", True): "delete"}.get((method, item))
    if role is None or (role != "delete" and response is None) or (role == "list" and response.container != "list"):  # type: ignore[union-attr]
        return None
    if role in ("create", "read", "update") and (response.container or not response.model):  # type: ignore[union-attr]
        return None
    model = api.api.models_by_name.get(response.model) if response and response.model else None
    fields = {f.wire_name: f for f in model.fields} if model else {}
    id_param = route.names[-1] if item else ""
    id_field = "id" if "id" in fields or not item else id_param
    kind = json.loads(fields["id"].constraints).get("type") if "id" in fields else None  # the id field's JSON type
    how = "uuid" if kind == "string" else "sequence"
    generated = {"id": how} if role == "create" and "id" in fields else {}
    return Part(collection, role, id_field, (), generated, id_param=id_param)


class Store:
    """Every resource created so far, by kind and id; thread-safe."""

    def __init__(self, api: MockApi, limits: dict[str, float] | None = None) -> None:
        self.api = api
        self.parts = declared_parts(api)
        self.limits = dict(limits or {})
        self._items: dict[str, dict[str, dict[str, Any]]] = {}
        self._sequence = 0
        self._lock = threading.Lock()

    def apply(self, route: Route, params: dict[str, Any], body: Any, answer: Any, rng: random.Random) -> Any:
        """The answer's value with the operation's part played (None when the operation plays none)."""
        part = self.parts.get(route.op.operation_id)
        if part is None:
            return answer
        with self._lock:
            items = self._items.setdefault(part.resource, {})
            if part.role == "create":
                return self._create(part, route, params, body, answer, items, rng)
            if part.role == "list":
                return _placed(answer, part.path, [copy.deepcopy(v) for v in items.values()])
            key = str(params.get(part.id_param or part.id, ""))
            if key not in items:
                code = part.not_found or (f"Invalid{part.id}.NotFound" if self.api.rpc else "NotFound")
                raise Rejection(404, code, f"{part.id} {key!r} does not exist (create it first)")
            if part.role == "delete":
                del items[key]
                return answer
            if part.role == "update":
                items[key].update(_given(body if isinstance(body, dict) else params, set(items[key]), part))
            return _placed(answer, part.path, copy.deepcopy(items[key]))

    def _create(self, part: Part, route: Route, params: dict[str, Any], body: Any, answer: Any, items: dict[str, Any], rng: random.Random) -> Any:
        """Check uniqueness and limits, fill the generated fields, keep the resource and answer it."""
        template = _at(answer, part.path)
        resource = copy.deepcopy(template) if isinstance(template, dict) else {}
        fields = set(resource)
        for name, _ in route.params:
            resource.pop(name, None)
        resource.update(_given(body if isinstance(body, dict) else params, fields, part))
        for name, (maximum, code) in part.limits.items():
            maximum = self.limits.get(name, maximum)
            value = resource.get(name)
            if isinstance(value, (int, float)) and value > maximum:
                raise self._documented(route, code, f"{name}={value} is above the limit {maximum:g}")
        for name, code in part.unique.items():
            if any(other.get(name) == resource.get(name) for other in items.values()):
                raise self._documented(route, code, f"{name}={resource.get(name)!r} is taken")
        for name, how in part.generate.items():
            resource[name] = self._generated(how, rng)
        resource.setdefault(part.id, self._generated("uuid", rng))
        items[str(resource[part.id])] = resource
        return _placed(answer, part.path, copy.deepcopy(resource))

    def _documented(self, route: Route, code: str, why: str) -> Rejection:
        """A documented error (400 when the spec does not document it) with why it happened."""
        status, message = self.api.error_of(route, code) or (400, code)
        return Rejection(status, code, f"{message} ({why})")

    def _generated(self, how: str, rng: random.Random) -> Any:
        """A generated field's value."""
        if how == "sequence":
            self._sequence += 1
            return self._sequence
        if how == "uuid":
            return str(uuid.UUID(int=rng.getrandbits(128), version=4))
        if how == "now-ms":
            return int(time.time() * 1000)
        if how == "now-s":
            return int(time.time())
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _given(source: dict[str, Any], fields: set[str], part: Part) -> dict[str, Any]:
    """The request values that are fields of the resource (all of them when its fields are unknown)."""
    names = fields | set(part.unique) | set(part.limits)
    return {k: v for k, v in source.items() if (k in names or not fields) and k != part.id_param}


def _at(value: Any, path: tuple[str, ...]) -> Any:
    """The member of a body at a path."""
    for name in path:
        value = value.get(name) if isinstance(value, dict) else None
    return value


def _placed(answer: Any, path: tuple[str, ...], resource: Any) -> Any:
    """The answer with `resource` at `path` (the whole answer when the path is empty)."""
    if not path:
        return resource
    out = copy.copy(answer) if isinstance(answer, dict) else {}
    out[path[0]] = _placed(out.get(path[0]), path[1:], resource)
    return out
