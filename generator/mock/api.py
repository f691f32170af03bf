"""The operations the mock serves, read from the IR and the spec, and how a request finds its operation."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from ..frontend import SpecRead
from ..ir import tree as ir
from ..spec.normalize import canonical_media_types, typed_enum_values
from ..spec.refs import deref, resolve_pointer, unescape_token
from .schemas import Schemas

STATUS_CODES = {
    400: "InvalidParameter",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    415: "UnsupportedMediaType",
    429: "Throttling",
    500: "InternalError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}


class Rejection(Exception):
    """A request the mock answers with an error: HTTP status, error code, and exactly what was wrong."""

    def __init__(self, status: int, code: str, message: str, headers: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message, self.headers = status, code, message, headers


@dataclass(frozen=True)
class Route:
    """One operation: its IR, its spec object, its parameters' spec objects, and its path pattern (REST)."""

    op: ir.Operation
    spec: dict[str, Any]
    params: dict[tuple[str, str], dict[str, Any]]  # (wire name, location) -> parameter object
    pattern: re.Pattern[str] | None
    names: tuple[str, ...] = field(default=())  # path template variables, in order
    fragment: str = ""  # what follows `#` in the spec's path key (`X-Amz-Target=Service.Action`)


class MockApi:
    """Everything the mock knows about a spec: style, version, operations and schemas."""

    def __init__(self, read: SpecRead) -> None:
        self.api = read.api
        self.doc = read.spec.data
        canonical_media_types(self.doc)  # as the generator reads them (only a spec that has upper-case ones changes)
        typed_enum_values(self.doc)  # so are enum values written as another type than their schema's
        self.name = read.spec.display_name
        self.rpc = self.api.style == "rpc"
        self.schemas = Schemas(self.doc)
        self.routes = tuple(self._route(op) for op in self.api.operations)
        self.by_action = {route.op.action: route for route in self.routes}
        self.base_path = urlsplit(self.api.base_url).path.rstrip("/")

    def _route(self, op: ir.Operation) -> Route:
        """The route of one IR operation, with its spec object (path-level parameters merged)."""
        spec = resolve_pointer(self.doc, "#" + op.pointer)
        item = resolve_pointer(self.doc, "#" + op.pointer.rsplit("/", 1)[0])
        params = {}
        for raw in [*(item.get("parameters") or ()), *(spec.get("parameters") or ())]:
            param = deref(self.doc, raw)
            params[(param["name"], param["in"])] = param
        if self.rpc:
            return Route(op, spec, params, None)
        template = op.path.split("#", 1)[0]
        parts = re.split(r"(\{[^}]*\})", template)
        regex = "".join("([^/]+)" if part.startswith("{") else re.escape(part) for part in parts)
        names = tuple(part[1:-1] for part in parts if part.startswith("{"))
        key = unescape_token(op.pointer.split("/")[2])  # the path as the spec writes it, fragment included
        return Route(op, spec, params, re.compile(regex + r"/?\Z"), names, key.partition("#")[2])

    def find(self, name: str) -> Route | None:
        """The route named by operation id, action or method name."""
        return next((r for r in self.routes if name in (r.op.operation_id, r.op.action, r.op.method_name)), None)

    def match_rest(self, method: str, path: str, sent: Mapping[str, str]) -> tuple[Route, dict[str, str]]:
        """The REST route of a method and path (with or without the server URL's base path), and its path values.

        A path with fewer templated segments wins, as OpenAPI says (`/pois/by-square` before `/pois/{poisId}`).
        Operations that share a method and path tell themselves apart in the path's fragment (AWS specs write
        `/#X-Amz-Target=Service.Action`): the one whose `name=value` pairs the request `sent` (query pairs and
        lower-case headers) is chosen, else the first."""
        candidates = [path]
        if self.base_path and path.startswith(self.base_path + "/"):
            candidates.insert(0, path[len(self.base_path) :])
        allowed = set()
        for candidate in candidates:
            found = []
            for route in self.routes:
                assert route.pattern is not None
                matched = route.pattern.match(candidate)
                if matched and route.op.http_method != method:
                    allowed.add(route.op.http_method)
                elif matched:
                    found.append((route, {name: unquote(value) for name, value in zip(route.names, matched.groups())}))
            if found:
                found.sort(key=lambda f: len(f[0].names))  # stable: spec order among equally concrete paths
                return next((f for f in found if _fragment_holds(f[0].fragment, sent)), found[0])
        if allowed:
            raise Rejection(405, "MethodNotAllowed", f"{method} {path} is not an operation of the spec; allowed: {', '.join(sorted(allowed))}")
        raise Rejection(404, "NotFound", f"no operation of the spec matches the path {path}")

    def match_rpc(self, method: str, path: str, action: str | None, version: str | None) -> Route:
        """The RPC route named by the action, after checking the path, method and API version."""
        if path != "/":
            raise Rejection(404, "InvalidAction.NotFound", f"RPC requests go to path /, not {path!r}")
        if method not in ("GET", "POST"):
            raise Rejection(400, "UnsupportedHTTPMethod", f"HTTP method {method} is not supported: use POST (or GET)")
        if not action:
            raise Rejection(400, "MissingAction", "the action is named neither by the x-acs-action header nor by the Action parameter")
        route = self.by_action.get(action)
        if route is None:
            known = ", ".join(sorted(self.by_action))
            raise Rejection(404, "InvalidAction.NotFound", f"action {action!r} is not in the spec (known: {known})")
        if not version:
            raise Rejection(400, "MissingVersion", "the API version is named neither by x-acs-version nor by the Version parameter")
        if version != self.api.api_version:
            raise Rejection(400, "InvalidVersion", f"Version {version!r} is not the spec's version {self.api.api_version!r}")
        return route

    def error_of(self, route: Route | None, code: str) -> tuple[int, str] | None:
        """The documented HTTP status and message of an error code (of this operation first, then of the API)."""
        documented = next((e for e in route.op.errors if e.code == code), None) if route else None
        known = self.api.errors_by_code.get(code)
        if documented is None and known is None:
            return None
        status = documented.status if documented else known.status  # type: ignore[union-attr]
        return status, known.message if known else code


def _fragment_holds(fragment: str, sent: Mapping[str, str]) -> bool:
    """Whether a request sent each `name=value` pair of a path's fragment (`X-Amz-Target=S.A`); an empty fragment
    holds for any request."""
    pairs = [pair.partition("=") for pair in fragment.split("&") if pair]
    return all(sent.get(name, sent.get(name.lower())) == value for name, _, value in pairs)
