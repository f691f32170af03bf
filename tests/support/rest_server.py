"""A spec-driven local HTTP server: it serves every operation of an OpenAPI document.

`RestServer(doc)` listens on 127.0.0.1 (an ephemeral port) and, for each request:

- finds the operation by method and path template (REST), or by the `Action` query parameter /
  `x-acs-action` header (Alibaba RPC specs, `x-acs-api-style: RPC`, whose paths are `/#Action=Name`);
- validates what it received against the operation: path parameters decoded and typed, required
  query, header and cookie parameters present, every documented one typed (integer, number, boolean,
  enum), repeated keys for exploded query arrays (`Name.1`, `Name.2` for RPC repeat-lists), and the
  body decoded by its content type (JSON, form, multipart, binary) and checked for presence;
- records the request (`server.requests`), with the list of problems found (`Recorded.problems`);
- answers 400 with `{"problems": [...]}` when anything is wrong, else the first success response:
  its example (`example`, or the first of `examples`, references followed), or a value synthesised
  from its schema; an empty body when the response has no content.

RPC specs: signatures are NOT checked (the Outbound Bot spec's signatures are covered by
`tests/support/acs_server.py`); the `Action`, `Version`, signature and other common parameters are
accepted without being documented.

Bodies are read in pieces (`Content-Length` or `Transfer-Encoding: chunked`) and counted: every
request records its body's size and SHA-256 (`Recorded.size`, `Recorded.sha256`). Bounded: at most
`max_requests` requests are served (later ones get 503), sockets time out after `timeout` seconds,
bodies over 1 MiB are refused, except `application/octet-stream` ones, which are counted and hashed
but not kept (`Recorded.body` stays empty). `server.faults`: statuses answered, in order, to the next
requests (after reading and recording them), to test retries. Use it as a context manager (starts a daemon thread,
stops and joins it on exit).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from .quiet_server import QuietHTTPServer

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
MAX_BODY = 1024 * 1024
# Parameters every Alibaba RPC call may carry without the spec documenting them.
RPC_COMMON = frozenset(
    {
        "Action", "Version", "Format", "AccessKeyId", "SecurityToken", "Signature", "SignatureMethod",
        "SignatureNonce", "SignatureVersion", "Timestamp", "RegionId",
    }
)


@dataclass
class Recorded:
    """One request as the server saw it."""

    method: str
    target: str
    operation_id: str | None
    path_params: dict[str, str] = field(default_factory=dict)
    query: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    decoded_body: Any = None
    problems: list[str] = field(default_factory=list)
    status: int = 0
    size: int = 0
    sha256: str = hashlib.sha256(b"").hexdigest()


def resolve(doc: dict[str, Any], node: Any) -> Any:
    """Follow local `$ref`s."""
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 64:
        target: Any = doc
        for token in node["$ref"][2:].split("/"):
            token = unquote(token.replace("~1", "/").replace("~0", "~"))
            target = target[int(token)] if isinstance(target, list) else target[token]
        node, seen = target, seen + 1
    return node


def _types(schema: dict[str, Any]) -> list[str]:
    """The JSON types a schema names (3.0 `type` string or 3.1 type array)."""
    kind = schema.get("type")
    if isinstance(kind, list):
        return [str(k) for k in kind]
    return [str(kind)] if kind else []


# A valid value of each string format the models type otherwise than `str`.
STRING_SAMPLES = {
    "date-time": "2024-01-02T03:04:05Z",
    "date": "2024-01-02",
    "time": "03:04:05",
    "binary": "AA==",
    "uri": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "duration": "PT1S",
}


def synthesise(doc: dict[str, Any], raw: Any, depth: int = 0) -> Any:
    """A small value that fits `raw` (first enum value, first union member, every property)."""
    schema = resolve(doc, raw)
    if not isinstance(schema, dict):
        return None
    if "example" in schema:
        return schema["example"]
    if isinstance(schema.get("examples"), list) and schema["examples"]:
        return schema["examples"][0]
    if "default" in schema:
        return schema["default"]
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("oneOf", "anyOf"):
        members = [m for m in schema.get(key) or [] if "null" not in _types(resolve(doc, m))]
        if members:
            value = synthesise(doc, members[0], depth + 1)
            discriminator = schema.get("discriminator") or {}
            if discriminator.get("propertyName") and isinstance(value, dict):  # the member's tag, mapped or its name
                ref = str(members[0].get("$ref", ""))
                tags = [tag for tag, target in (discriminator.get("mapping") or {}).items() if target == ref]
                value[discriminator["propertyName"]] = tags[0] if tags else ref.rsplit("/", 1)[-1]
            return value
    if schema.get("allOf"):
        merged: dict[str, Any] = {}
        for member in schema["allOf"]:
            part_schema = resolve(doc, member)
            if isinstance(part_schema, dict) and schema.get("required"):  # the composition's own `required`
                part_schema = {**part_schema, "required": [*(part_schema.get("required") or []), *schema["required"]]}
            part = synthesise(doc, part_schema, depth + 1)
            if isinstance(part, dict):
                merged.update(part)
        return merged
    kinds = [k for k in _types(schema) if k != "null"] or (["object"] if "properties" in schema else [])
    kind = kinds[0] if kinds else "object"
    if kind == "string":
        return STRING_SAMPLES.get(str(schema.get("format")), "text")
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    if kind == "array":
        return [] if depth > 4 else [synthesise(doc, schema.get("items") or {}, depth + 1)]
    if depth > 4:
        return {}
    props = schema.get("properties") or {}
    required = set(schema.get("required") or ())
    return {
        name: synthesise(doc, sub, depth + 1)
        for name, sub in props.items()
        if name in required or depth < 2
        if not resolve(doc, sub).get("writeOnly")
    }


def first_example(doc: dict[str, Any], media: dict[str, Any]) -> tuple[bool, Any]:
    """`(found, value)` of a media type object's example."""
    if "example" in media:
        return True, media["example"]
    for example in (media.get("examples") or {}).values():
        example = resolve(doc, example)
        if isinstance(example, dict) and "value" in example:
            return True, example["value"]
    return False, None


def _exactly(rfile: Any, size: int) -> Any:
    """`size` bytes of the body in pieces of at most 64 KiB."""
    while size:
        piece = rfile.read(min(size, 65536))
        if not piece:
            raise ConnectionError("the body ended early")
        size -= len(piece)
        yield piece


def _pieces(rfile: Any, headers: dict[str, str]) -> Any:
    """The request body's bytes in pieces: by Content-Length, or chunked."""
    if headers.get("transfer-encoding", "").lower() != "chunked":
        yield from _exactly(rfile, int(headers.get("content-length") or 0))
        return
    while True:
        size = int(rfile.readline(100).split(b";")[0].strip(), 16)
        if size == 0:
            while rfile.readline(8192) not in (b"\r\n", b"\n", b""):
                pass
            return
        yield from _exactly(rfile, size)
        rfile.readline(100)


def read_body(rfile: Any, headers: dict[str, str]) -> tuple[bytes | None, int, str]:
    """Read the whole body: its bytes (None past MAX_BODY: then only counted and hashed), size, SHA-256."""
    digest = hashlib.sha256()
    kept: bytearray | None = bytearray()
    size = 0
    for piece in _pieces(rfile, headers):
        size += len(piece)
        digest.update(piece)
        if size > MAX_BODY:
            kept = None
        elif kept is not None:
            kept += piece
    return (None if kept is None else bytes(kept)), size, digest.hexdigest()


@dataclass
class _Route:
    method: str
    pattern: re.Pattern[str] | None
    action: str | None
    pointer: str
    op: dict[str, Any]
    params: list[dict[str, Any]]


class RestServer:
    """Serves every operation of `doc` on 127.0.0.1; see the module docstring."""

    def __init__(self, doc: dict[str, Any], *, max_requests: int = 500, timeout: float = 5.0) -> None:
        self.doc = doc
        self.rpc = doc.get("x-acs-api-style") == "RPC"
        self.max_requests = max_requests
        self.timeout = timeout
        self.requests: list[Recorded] = []
        self.served = 0
        self.faults: list[int] = []
        self._lock = threading.Lock()
        self.routes = self._routes()
        self._httpd: QuietHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- routing ---------------------------------------------------------------------------------
    def _routes(self) -> list[_Route]:
        routes = []
        for path, item in (self.doc.get("paths") or {}).items():
            item = resolve(self.doc, item)
            shared = item.get("parameters") or []
            for method in HTTP_METHODS:
                op = item.get(method)
                if not isinstance(op, dict):
                    continue
                params: dict[tuple[str, str], dict[str, Any]] = {}
                for raw in [*shared, *(op.get("parameters") or [])]:
                    param = resolve(self.doc, raw)
                    params[(param["name"], param["in"])] = param
                template = path.split("#", 1)[0] or "/"
                regex = "".join(
                    "(?P<p%d>[^/]+)" % i if part.startswith("{") else re.escape(part)
                    for i, part in enumerate(re.split(r"(\{[^}]*\})", template))
                )
                routes.append(
                    _Route(
                        method=method.upper(),
                        pattern=None if self.rpc else re.compile(regex + r"\Z"),
                        action=op.get("x-acs-action") if self.rpc else None,
                        pointer=path,
                        op=op,
                        params=list(params.values()),
                    )
                )
        return routes

    def _match(self, method: str, path: str, query: list[tuple[str, str]], headers: dict[str, str]) -> tuple[_Route | None, dict[str, str]]:
        if self.rpc:
            action = headers.get("x-acs-action") or dict(query).get("Action")
            for route in self.routes:
                if route.action == action and route.method == method:
                    return route, {}
            return None, {}
        for route in self.routes:
            found = route.pattern.match(path) if route.pattern else None
            if route.method == method and found:
                names = re.findall(r"\{([^}]*)\}", route.pointer.split("#", 1)[0])
                return route, {n: unquote(v) for n, v in zip(names, found.groups())}
        return None, {}

    # -- validation ------------------------------------------------------------------------------
    def _check_value(self, where: str, schema_raw: Any, text: str, problems: list[str]) -> None:
        schema = resolve(self.doc, schema_raw or {})
        kinds = [k for k in _types(schema) if k != "null"]
        kind = kinds[0] if kinds else ("string" if "enum" in schema else None)
        try:
            if kind == "integer":
                value: Any = int(text)
            elif kind == "number":
                value = float(text)
            elif kind == "boolean":
                if text not in ("true", "false"):
                    raise ValueError(text)
                value = text == "true"
            else:
                value = text
        except ValueError:
            problems.append(f"{where}: {text!r} is not a valid {kind}")
            return
        if schema.get("enum") and value not in schema["enum"] and text not in [str(e) for e in schema["enum"]]:
            problems.append(f"{where}: {text!r} is not one of {schema['enum']}")

    def _check_params(self, route: _Route, record: Recorded) -> None:
        problems = record.problems
        query: dict[str, list[str]] = {}
        for name, value in record.query:
            query.setdefault(name, []).append(value)
        documented = set()
        for param in route.params:
            name, where = param["name"], param["in"]
            schema = resolve(self.doc, param.get("schema") or {})
            label = f"{where} parameter {name!r}"
            if where == "path":
                values = [record.path_params[name]] if name in record.path_params else []
            elif where == "query":
                values = query.get(name, [])
                if "array" in _types(schema):
                    indexed = sorted((k for k in query if re.fullmatch(re.escape(name) + r"\.\d+", k)), key=lambda k: int(k.rsplit(".", 1)[1]))
                    values = values + [query[k][0] for k in indexed]
                    documented.update(indexed)
                    if param.get("explode") is False and values:
                        values = values[0].split(",")
            elif where == "header":
                values = [record.headers[name.lower()]] if name.lower() in record.headers else []
            else:
                values = [record.cookies[name]] if name in record.cookies else []
            documented.add(name)
            if not values:
                if param.get("required"):
                    problems.append(f"{label} is required but missing")
                continue
            item_schema = schema.get("items") if "array" in _types(schema) else schema
            if "array" not in _types(schema) and len(values) > 1:
                problems.append(f"{label} sent {len(values)} times")
            for value in values:
                self._check_value(label, item_schema, value, problems)
        if self.rpc:
            for name in query:
                if name not in documented and name not in RPC_COMMON:
                    problems.append(f"undocumented query parameter {name!r}")

    def _check_body(self, route: _Route, record: Recorded) -> None:
        body = resolve(self.doc, route.op.get("requestBody"))
        if not isinstance(body, dict):
            if record.body:
                record.problems.append("a body was sent to an operation without requestBody")
            return
        if not record.size:
            if body.get("required"):
                record.problems.append("the request body is required but empty")
            return
        ctype = record.headers.get("content-type", "")
        base = ctype.split(";")[0].strip().lower()
        content = body.get("content") or {}
        if base not in content:
            record.problems.append(f"content type {base!r} is not one of {sorted(content)}")
            return
        if record.size > len(record.body):  # a streamed binary body, counted and hashed only
            return
        try:
            if "json" in base:
                record.decoded_body = json.loads(record.body)
            elif base == "application/x-www-form-urlencoded":
                pairs = parse_qsl(record.body.decode(), keep_blank_values=True, strict_parsing=True)
                form: dict[str, Any] = {}
                for k, v in pairs:
                    form[k] = [*form[k], v] if isinstance(form.get(k), list) else ([form[k], v] if k in form else v)
                record.decoded_body = form
            elif base == "multipart/form-data":
                message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + record.body)
                if not message.is_multipart():
                    raise ValueError("not a multipart body")
                parts: dict[str, Any] = {}
                for part in message.iter_parts():
                    name = part.get_param("name", header="content-disposition")
                    payload = part.get_payload(decode=True)
                    parts[str(name)] = payload if part.get_filename() else payload.decode()
                record.decoded_body = parts
            else:
                record.decoded_body = record.body
        except (ValueError, UnicodeDecodeError) as exc:
            record.problems.append(f"body is not valid {base}: {exc}")
            return
        schema = resolve(self.doc, (content[base] or {}).get("schema") or {})
        if base == "multipart/form-data" and isinstance(record.decoded_body, dict):
            for name, sub in (schema.get("properties") or {}).items():
                sub = resolve(self.doc, sub)
                binary = sub.get("format") == "binary" or resolve(self.doc, sub.get("items") or {}).get("format") == "binary"
                if binary and name in record.decoded_body and not isinstance(record.decoded_body[name], bytes):
                    record.problems.append(f"multipart part {name!r} should be a file part (format: binary), got a text part")
        if isinstance(record.decoded_body, dict):
            for name in schema.get("required") or ():
                if name not in record.decoded_body:
                    record.problems.append(f"body property {name!r} is required but missing")

    # -- answering -------------------------------------------------------------------------------
    def answer(self, route: _Route) -> tuple[int, str | None, bytes]:
        """Status, content type and body of the first success response."""
        responses = route.op.get("responses") or {}
        codes = sorted(str(c) for c in responses if str(c).startswith("2"))
        if not codes:
            codes = [c for c in responses if c == "default"]
        if not codes:
            return 204, None, b""
        code = codes[0]
        status = 200 if not code.isdigit() else int(code)
        response = resolve(self.doc, responses[code])
        content = response.get("content") or {}
        if not content or status == 204 or route.method == "HEAD":
            return status, None, b""
        media_type = next((m for m in content if "json" in m), next(iter(content)))
        media = content[media_type] or {}
        found, value = first_example(self.doc, media)
        if not found:
            value = synthesise(self.doc, media.get("schema") or {})
        if "json" in media_type:
            return status, media_type, json.dumps(value, ensure_ascii=False).encode()
        if media_type.startswith("text/"):
            return status, media_type + "; charset=utf-8", str(value).encode()
        return status, media_type, b"\x00\x01binary\xff"

    def handle(
        self, method: str, target: str, headers: dict[str, str], body: bytes, size: int = -1, sha256: str = ""
    ) -> tuple[int, str | None, bytes]:
        """Validate and record one request; return the answer (`size`, `sha256`: of a body not kept)."""
        split = urlsplit(target)
        query = parse_qsl(split.query, keep_blank_values=True)
        cookies = {}
        if "cookie" in headers:
            jar: SimpleCookie = SimpleCookie()
            jar.load(headers["cookie"])
            cookies = {k: unquote(m.value) for k, m in jar.items()}
        route, path_params = self._match(method, split.path, query, headers)
        record = Recorded(method, target, None, path_params, query, headers, cookies, body)
        record.size = len(body) if size < 0 else size
        record.sha256 = sha256 or hashlib.sha256(body).hexdigest()
        with self._lock:
            self.requests.append(record)
            self.served += 1
            count = self.served
            fault = self.faults.pop(0) if self.faults else None
        if count > self.max_requests:
            record.status = 503
            return 503, "application/json", b'{"problems": ["request limit reached"]}'
        if fault is not None:
            record.status = fault
            return fault, "application/json", json.dumps({"problems": [f"fault {fault}"]}).encode()
        if route is None:
            record.problems.append(f"no operation matches {method} {split.path}")
            record.status = 404
            return 404, "application/json", json.dumps({"problems": record.problems}).encode()
        record.operation_id = route.op.get("operationId")
        self._check_params(route, record)
        self._check_body(route, record)
        if record.problems:
            record.status = 400
            return 400, "application/json", json.dumps({"problems": record.problems}).encode()
        record.status, ctype, payload = self.answer(route)
        return record.status, ctype, payload

    # -- lifecycle -------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """`http://127.0.0.1:PORT`."""
        assert self._httpd is not None, "the server is not started"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def start(self) -> RestServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = server.timeout

            def _serve(self) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                binary = headers.get("content-type", "").split(";")[0].strip().lower() == "application/octet-stream"
                try:
                    kept, size, digest = read_body(self.rfile, headers)
                except (ConnectionError, ValueError):  # the client gave up mid-body
                    self.close_connection = True
                    return
                if kept is None and not binary:
                    self.send_error(413)
                    return
                status, ctype, payload = server.handle(
                    self.command, self.path, headers, kept or b"", size, digest
                )
                self.send_response(status)
                if ctype:
                    self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_TRACE = _serve

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence the log
                return

        self._httpd = QuietHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="rest-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self) -> RestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def take(self) -> list[Recorded]:
        """The requests recorded since the last call, and forget them."""
        with self._lock:
            taken, self.requests = self.requests, []
        return taken
