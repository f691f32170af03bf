"""Build the IR from a validated spec: resolve references, normalise types, name everything."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from ..diagnostics import Collector, join_pointer
from ..spec.normalize import Normalized
from ..spec.validate import iter_operations
from . import tree as ir
from .literals import pyrepr
from .names import NameAuthority
from .paging import PagingReader
from .streams import read_streaming
from .types import (
    ANY,
    SCALAR_HINTS,
    SCHEMAS,
    Hint,
    Types,
    json_kind,
    literal_values,
    nullable,
    parameter_hint,
)

STATUS_BASES = {
    400: "BadRequestError",
    401: "AuthenticationError",
    403: "PermissionDeniedError",
    404: "NotFoundError",
    409: "ConflictError",
    429: "ThrottlingError",
    500: "InternalServerError",
    502: "BadGatewayError",
    503: "ServiceUnavailableError",
    504: "GatewayTimeoutError",
}
HTTP_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # a header or cookie name (RFC 9110 section 5.1)
IDEMPOTENT = ("get", "head", "options", "put", "delete")
PREFERRED_MEDIA = ("application/json", "application/x-www-form-urlencoded", "multipart/form-data", "application/octet-stream")
MEDIA_ENCODING = {
    "application/json": "json",
    "application/x-www-form-urlencoded": "form",
    "multipart/form-data": "multipart",
    "application/octet-stream": "binary",
}


def build_api(spec: Normalized, diag: Collector, pagination: Mapping[str, Any] | None = None) -> ir.Api:
    """Turn a validated, normalised OpenAPI document into the IR."""
    return _Builder(spec, diag, pagination or {}).api()


# The rules of a scalar parameter's schema that example values must keep (the mock checks them of each request).
SCALAR_RULES = ("pattern", "minLength", "maxLength", "minimum", "maximum", "multipleOf")


_ENCODER = json.JSONEncoder(ensure_ascii=False)  # made once: json.dumps with options makes one per call


def build_parameters(spec: Normalized, diag: Collector, path: str, method: str) -> tuple[ir.Parameter, ...]:
    """One operation's parameters as `build_api` builds them, reporting what it would report of their names."""
    builder = _Builder(spec, diag, {})
    item = builder.doc["paths"][path]
    built = builder.parameters(join_pointer("/paths", path, method), item, item[method])
    builder.report_renames()
    return built


def _json(value: Any) -> str:
    """Stable JSON text for examples and defaults."""
    return _ENCODER.encode(value)


def _summary(text: str) -> str:
    """First paragraph of a description, on one line."""
    return " ".join(text.strip().split("\n\n", 1)[0].split())


def _refs_by_class(node: Any, names: dict[str, str]) -> Any:
    """A copy of a schema whose component `$ref`s and discriminator mappings name the Python classes
    (`#/components/schemas/Instance`)."""
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            node = {**node, "$ref": _class_ref(node["$ref"], names)}
        discriminator = node.get("discriminator")
        if isinstance(discriminator, dict) and isinstance(discriminator.get("mapping"), dict):
            mapping = {  # a value may also be a bare component name
                key: _class_ref(f"#{SCHEMAS}/{ref}" if isinstance(ref, str) and ref in names else ref, names)
                for key, ref in discriminator["mapping"].items()
            }
            node = {**node, "discriminator": {**discriminator, "mapping": mapping}}
        return {key: _refs_by_class(value, names) if key != "discriminator" else value for key, value in node.items()}
    if isinstance(node, list):
        return [_refs_by_class(item, names) for item in node]
    return node


def _class_ref(ref: Any, names: dict[str, str]) -> Any:
    """A component schema reference by class name (others as they are)."""
    if isinstance(ref, str) and ref.startswith("#" + SCHEMAS + "/"):
        target = ref[len(SCHEMAS) + 2 :].replace("~1", "/").replace("~0", "~")
        return f"#{SCHEMAS}/{names.get(target, target)}"
    return ref


def _as_subclass(schema: Any) -> Any:
    """An object component that is only a `$ref` to another, as an `allOf` of it: every model library then
    makes it a subclass with the target's fields (pydantic would otherwise wrap the target in a root model)."""
    if not isinstance(schema, dict) or "$ref" not in schema:
        return schema
    return {"allOf": [{"$ref": schema["$ref"]}], **{k: v for k, v in schema.items() if k != "$ref"}}


class _Builder:
    """Walks the spec once, asking the name authority for every identifier."""

    def __init__(self, spec: Normalized, diag: Collector, pagination: Mapping[str, Any]) -> None:
        self.doc = spec.doc
        self.diag = diag
        self.names = NameAuthority()
        self.schemas: dict[str, Any] = (self.doc.get("components") or {}).get("schemas") or {}
        self.origins = {name: spec.origin(name) for name in self.schemas}
        self.class_names = {name: self.names.class_name(name, self.origins[name]) for name in sorted(self.schemas)}
        self.types = Types(self.doc, self.class_names)
        self.resolve = self.types.resolve
        self.paging = PagingReader(self.types, diag, pagination)

    def api(self) -> ir.Api:
        """The root of the IR."""
        info = self.doc.get("info") or {}
        package = info.get("x-acs-package") or self.names.package_name(info.get("title", "api"))
        operations = self.operations()
        self.paging.finish()
        models = tuple(sorted(self.models(), key=lambda m: m.class_name))
        errors = self.error_codes(operations)
        rule, region = self.endpoint()
        security = self.security()
        self.report_renames()
        return ir.Api(
            title=info.get("title", package),
            summary=_summary(info.get("description", "") or info.get("title", "")),
            description=(info.get("description") or "").strip(),
            product=info.get("x-acs-product", info.get("title", package)),
            api_version=str(self.doc.get("x-acs-version", info.get("version", ""))),
            package=package,
            style="rpc" if self.doc.get("x-acs-api-style") == "RPC" else "rest",
            endpoint_rule=rule,
            default_region=region,
            base_url=self.base_url(),
            security=security,
            operations=tuple(sorted((op for op, _ in operations), key=lambda o: o.method_name)),
            models=models,
            error_codes=errors,
            openapi_version=str(self.doc.get("openapi", "3.0.3")),
            model_order=tuple(self.class_names[name] for name in self.schemas),
        )

    def report_renames(self) -> None:
        """An INFO for each name given so far that is more than a case conversion of its wire name, in pointer order."""
        for rename in sorted(self.names.renames, key=lambda r: r.pointer):
            self.diag.info(rename.pointer, f"{rename.wire_name!r} is named {rename.chosen!r}: {rename.reason}")

    def endpoint(self) -> tuple[str, str]:
        """The regional endpoint rule (with `{region_id}`) and the default region."""
        rule = (self.doc.get("x-acs-endpoint-rule") or {}).get("public", "")
        servers = self.doc.get("servers") or [{}]
        variables = servers[0].get("variables") or {}
        region = str((variables.get("regionId") or {}).get("default", ""))
        if not rule and servers[0].get("url"):
            rule = str(servers[0]["url"]).split("://", 1)[-1].rstrip("/")
        return rule.replace("{regionId}", "{region_id}"), region

    def base_url(self) -> str:
        """The first server's URL with every variable at its default."""
        servers = self.doc.get("servers") or [{}]
        url = str(servers[0].get("url", ""))
        for name, variable in (servers[0].get("variables") or {}).items():
            url = url.replace("{" + name + "}", str(variable.get("default", "")))
        return url.rstrip("/")

    def security(self) -> tuple[ir.SecurityScheme, ...]:
        """Security schemes a generic client can apply (API keys, bearer tokens, basic auth)."""
        schemes = (self.doc.get("components") or {}).get("securitySchemes") or {}
        result = []
        for name, raw in sorted(schemes.items()):
            scheme = self.resolve(raw)
            kind, scheme_type = scheme.get("type"), str(scheme.get("scheme", "")).lower()
            where, key = scheme.get("in", "header"), scheme.get("name", name)
            if kind == "apiKey" and where in ("header", "cookie") and not HTTP_TOKEN.fullmatch(str(key)):
                self.diag.warning(
                    f"/components/securitySchemes/{name}/name",
                    f"security scheme {name!r} names the {where} {key!r}, which HTTP cannot carry (a {where} name is "
                    "a token: no spaces); the client leaves it out: pass credentials with extra_headers",
                )
            elif kind == "apiKey" and key != "Authorization":
                result.append(ir.SecurityScheme(name, "apiKey", where, key))
            elif (kind == "http" and scheme_type == "bearer") or kind in ("oauth2", "openIdConnect"):
                result.append(ir.SecurityScheme(name, "bearer", "header", "Authorization"))
            elif kind == "http" and scheme_type == "basic":
                result.append(ir.SecurityScheme(name, "basic", "header", "Authorization"))
            elif not self.doc.get("x-acs-api-style"):
                self.diag.warning(f"/components/securitySchemes/{name}", f"security scheme {name!r} ({kind}) is not applied by the client; pass credentials with extra_headers")
        return tuple(result)

    def operations(self) -> list[tuple[ir.Operation, list[tuple[int, dict[str, Any]]]]]:
        """Every operation with its documented error entries, in pointer order."""
        result = []
        for pointer, path, method, op in sorted(iter_operations(self.doc)):
            op_id = op.get("operationId") or f"{method}_{path}"
            name = self.names.method_name(op_id, pointer)
            params = self.parameters(pointer, self.doc["paths"][path], op)
            body, body_models = self.request_body(op)
            responses, example, response_models = self.success(op, pointer, method)
            response = next((r.model for r in responses if r.model), None)
            returns = " | ".join(dict.fromkeys(r.type_hint for r in responses)) or "None"
            errors = self.documented_errors(op, pointer)
            description = (op.get("description") or op.get("summary") or "").strip()
            action = op.get("x-acs-action", op_id)
            pagination = self.paging.read(op, op_id, action, pointer, params)
            if pagination is not None:
                response_models |= frozenset(pagination.models)
            streaming = read_streaming(op, self.types, params, self.diag, pointer)
            if streaming is not None:
                response_models |= frozenset(streaming.models)
            result.append(
                (
                    ir.Operation(
                        operation_id=op_id,
                        action=action,
                        method_name=name,
                        constant=self.names.operation_constant(name),
                        http_method=method.upper(),
                        path=path.split("#", 1)[0] or "/",
                        summary=op.get("summary") or _summary(description),
                        description=description,
                        read_only=bool(op.get("x-acs-read-only", method in IDEMPOTENT)),
                        tags=tuple(op.get("tags") or ()),
                        params=params,
                        body=body,
                        response=response,
                        responses=responses,
                        returns=returns,
                        models_used=tuple(sorted(body_models | response_models)),
                        response_example=example,
                        errors=tuple(
                            sorted(
                                {ir.ErrorRef(e["code"], self.error_class(e["code"]), s) for s, e in errors},
                                key=lambda r: (r.status, r.code),
                            )
                        ),
                        pointer=pointer,
                        anonymous=op.get("security", self.doc.get("security")) == [],
                        error_models=self.error_models(op),
                        pagination=pagination,
                        streaming=streaming,
                    ),
                    errors,
                )
            )
        return result

    def parameters(self, pointer: str, path_item: dict[str, Any], op: dict[str, Any]) -> tuple[ir.Parameter, ...]:
        """The operation's parameters (path-level ones first, overridden by operation-level)."""
        found: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
        for owner, base in ((path_item, pointer.rsplit("/", 1)[0]), (op, pointer)):
            for i, raw in enumerate(owner.get("parameters") or []):
                param = self.resolve(raw)
                found[(param["name"], param["in"])] = (join_pointer(base, "parameters", i), param)
        items = sorted(found.values(), key=lambda item: (not item[1].get("required", False), item[0]))
        names = self.names.parameters([(p["name"], ptr) for ptr, p in items])
        return tuple(self.parameter(p, name) for (_, p), name in zip(items, names))

    def parameter(self, param: dict[str, Any], python_name: str) -> ir.Parameter:
        """One parameter, normalised."""
        raw_schema = param.get("schema") or {}
        schema = self.types.annotated(raw_schema)
        kind = json_kind(schema)
        item_schema = self.resolve(schema.get("items") or {}) if kind == "array" else {}
        items = json_kind(item_schema) if kind == "array" else None
        values = schema.get("enum") or (item_schema.get("enum") if isinstance(item_schema, dict) else None) or []
        enum = tuple(pyrepr(v) for v in values) if literal_values(values) else ()
        description = (param.get("description") or schema.get("description") or "").strip()
        example = param.get("example", schema.get("example"))
        return ir.Parameter(
            wire_name=param["name"],
            python_name=python_name,
            location=param["in"],
            kind=kind,
            items=items,
            type_hint=parameter_hint(kind, items, enum),
            required=bool(param.get("required", False)),
            nullable=nullable(schema),
            default=_json(schema["default"]) if "default" in schema else None,
            repeat_list=param.get("x-acs-style") == "repeatList" or self.repeats(param, kind, items),
            enum=enum,
            enum_model=self.types.ref_class(raw_schema),
            description=description,
            summary=_summary(description),
            example=None if example is None else _json(example),
            format=schema.get("format"),
            constraints=_json({k: schema[k] for k in SCALAR_RULES if k in schema}),
        )

    def repeats(self, param: dict[str, Any], kind: str, items: str | None) -> bool:
        """REST: a query array of scalars in form style with explode (the default) repeats its key."""
        return (
            not self.doc.get("x-acs-api-style")
            and param.get("in") == "query"
            and kind == "array"
            and items in SCALAR_HINTS
            and param.get("style", "form") == "form"
            and param.get("explode", True) is not False
        )

    def success(
        self, op: dict[str, Any], pointer: str, method: str
    ) -> tuple[tuple[ir.Response, ...], str | None, frozenset[str]]:
        """The success responses (model and Python type of each body), the first JSON example, the models named.

        An answer to HEAD has no body (HTTP), whatever the spec documents: the method returns None."""
        responses = op.get("responses") or {}
        result, example, models = [], None, frozenset[str]()
        for status in sorted(str(s) for s in responses if str(s).startswith("2")):
            response = self.resolve(responses[status])
            content = response.get("content") or {}
            if content and method == "head":
                self.diag.info(
                    join_pointer(pointer, "responses", status, "content"),
                    "an answer to HEAD has no body: the documented one is left out and the method returns None",
                )
                content = {}
            media_type = next((m for m in sorted(content) if "json" in m), next(iter(sorted(content)), None))
            media = content.get(media_type) or {} if media_type else {}
            raw = media.get("schema") or {}
            if media_type is None:
                hint, model, container = Hint("None"), None, ""
            elif "json" not in media_type:
                hint, model, container = Hint("str" if media_type.startswith("text/") else "bytes"), None, ""
            else:
                hint = self.types.hint(raw) if raw else ANY
                model, container = self.types.holds_model(raw)
            models |= hint.models
            description = (response.get("description") or "").strip()
            result.append(ir.Response(status, model, container, hint.text, media_type, description))
            if example is None and media:
                example = media.get("example")
                if example is None and media.get("examples"):
                    example = self.resolve(next(iter(media["examples"].values()))).get("value")
        text = None if example is None else json.dumps(example, ensure_ascii=False, indent=2)
        return tuple(result), text, models

    def request_body(self, op: dict[str, Any]) -> tuple[ir.RequestBody | None, frozenset[str]]:
        """The operation's request body, as one keyword argument, and the models its type names."""
        body = self.resolve(op.get("requestBody"))
        if not isinstance(body, dict) or not body.get("content"):
            return None, frozenset()
        content = body["content"]
        media_type = next((m for m in PREFERRED_MEDIA if m in content), sorted(content)[0])
        media = content[media_type] or {}
        raw = media.get("schema") or {}
        encoding = MEDIA_ENCODING.get(media_type, "json" if "json" in media_type else "binary")
        hint = Hint("bytes") if encoding == "binary" else (self.types.hint(raw) if raw else ANY)
        model, _ = self.types.holds_model(raw)
        example = media.get("example")
        name = self.names.body_argument()
        return ir.RequestBody(
            python_name=name,
            media_type=media_type,
            encoding=encoding,
            type_hint=hint.text,
            model=model,
            required=bool(body.get("required", False)),
            description=(body.get("description") or "").strip(),
            example=None if example is None else _json(example),
        ), hint.models

    def error_models(self, op: dict[str, Any]) -> tuple[tuple[str, str], ...]:
        """(status, model class) of every documented error response whose JSON body is a model."""
        found = []
        for status, response in sorted((op.get("responses") or {}).items(), key=lambda item: str(item[0])):
            if str(status) == "default" or str(status)[:1] in ("4", "5"):
                content = self.resolve(response).get("content") or {}
                media = next((content[m] for m in sorted(content) if "json" in m), None)
                model = self.types.ref_class(media.get("schema") or {}) if isinstance(media, dict) else None
                if model:
                    found.append((str(status).upper() if str(status) != "default" else "default", model))
        return tuple(found)

    def documented_errors(self, op: dict[str, Any], pointer: str) -> list[tuple[int, dict[str, Any]]]:
        """(status, entry) for every `x-acs-error-codes` entry of the operation's error responses."""
        found = []
        for status, response in sorted((op.get("responses") or {}).items()):
            if str(status).isdigit() and int(status) >= 400:
                where = response["$ref"][1:] if "$ref" in response else join_pointer(pointer, "responses", status)
                for i, entry in enumerate(self.resolve(response).get("x-acs-error-codes") or []):
                    self.error_class(entry["code"], join_pointer(where, "x-acs-error-codes", i, "code"))
                    found.append((int(status), entry))
        return found

    def error_class(self, code: str, pointer: str = "") -> str:
        """The exception class name of an error code (claimed once, where it is first documented)."""
        return self.names.class_name(code, pointer, suffix="Error", owner="x-acs-error-codes:" + code)

    def error_codes(self, operations: list[tuple[ir.Operation, list[tuple[int, dict[str, Any]]]]]) -> tuple[ir.ErrorCode, ...]:
        """Every documented error code, merged across operations."""
        merged: dict[str, tuple[int, dict[str, Any], list[str]]] = {}
        for op, errors in operations:
            for status, entry in errors:
                merged.setdefault(entry["code"], (status, entry, []))[2].append(op.method_name)
        result = []
        for code, (status, entry, users) in sorted(merged.items()):
            base = STATUS_BASES.get(status, "ClientError" if status < 500 else "ServerError")
            result.append(
                ir.ErrorCode(
                    code=code,
                    class_name=self.error_class(code),
                    base_class=base,
                    status=status,
                    message=str(entry.get("message", "")),
                    description=str(entry.get("description", "")).strip(),
                    operations=tuple(sorted(set(users))),
                )
            )
        return tuple(result)

    def models(self) -> list[ir.Model]:
        """A model per component schema."""
        result = []
        subclasses: dict[str, list[str]] = {}  # class name → the names of the schemas whose allOf extends it
        for name, raw in self.schemas.items():
            for member in raw.get("allOf") or () if isinstance(raw, dict) else ():
                base = self.types.ref_class(member) if isinstance(member, dict) and "$ref" in member else None
                if base:
                    subclasses.setdefault(base, []).append(name)
        for name, raw in sorted(self.schemas.items()):
            schema = self.resolve(raw)
            pointer = self.origins[name]
            description = (schema.get("description") or "").strip()
            kind = self.model_kind(schema)
            result.append(
                ir.Model(
                    class_name=self.class_names[name],
                    schema_name=name,
                    origin=pointer,
                    kind=kind,
                    summary=_summary(description),
                    description=description,
                    fields=self.fields(schema, pointer) if kind == "object" else (),
                    enum=tuple(_json(v) for v in schema.get("enum") or ()),
                    schema=_json(_refs_by_class(_as_subclass(raw) if kind == "object" else raw, self.class_names)),
                    tagged_subclass=self.tagged_subclass(schema, subclasses.get(self.class_names[name], [])),
                )
            )
        return result

    def tagged_subclass(self, schema: dict[str, Any], subclasses: list[str]) -> tuple[str, ...]:
        """For a base whose discriminator its subclasses inherit through `allOf` (it has no `oneOf` of its own), the
        value its examples give: (a subclass's class name, the tag property, that subclass's tag): the mapping's first
        entry, else the first subclass under its own name. The models take only a subclass there."""
        discriminator = schema.get("discriminator")
        tag = discriminator.get("propertyName") if isinstance(discriminator, dict) else None
        if not isinstance(tag, str) or not subclasses or "oneOf" in schema or "anyOf" in schema:
            return ()
        mapping = discriminator.get("mapping") if isinstance(discriminator.get("mapping"), dict) else {}
        for value, target in mapping.items():
            sub = self.types.ref_class({"$ref": target}) if isinstance(target, str) else None
            if sub:
                return (sub, tag, str(value))
        return (self.class_names[subclasses[0]], tag, subclasses[0])

    def model_kind(self, schema: dict[str, Any], seen: frozenset[int] = frozenset()) -> str:
        """What a component schema becomes: an object class, an enum, a union alias or other."""
        if "enum" in schema:
            return "enum"
        props, _ = self.merged_properties(schema, set())
        if props or (json_kind(schema) == "object" and not any(k in schema for k in ("oneOf", "anyOf"))):
            if "type" in schema or props:
                return "object"
            members = [self.resolve(m) for m in schema.get("allOf") or []]  # an allOf of scalars is an alias
            inner = [m for m in members if isinstance(m, dict) and id(m) not in seen]
            return "object" if any(self.model_kind(m, seen | {id(schema)}) == "object" for m in inner) else "other"
        if any(k in schema for k in ("oneOf", "anyOf")):
            return "union"
        return "other"

    def fields(self, schema: dict[str, Any], pointer: str) -> tuple[ir.ModelField, ...]:
        """The properties of an object schema, in spec order."""
        props, required = self.merged_properties(schema, set())
        names = self.names.fields([(w, join_pointer(pointer, "properties", w)) for w in props])
        result = []
        for (wire, raw), python_name in zip(props.items(), names):
            prop = self.types.annotated(raw)
            description = (prop.get("description") or "").strip()
            ref, container = self.types.field_ref(raw)
            result.append(
                ir.ModelField(
                    wire_name=wire,
                    python_name=python_name,
                    type_text=self.types.text(raw),
                    ref=ref,
                    container=container,
                    required=wire in required,
                    nullable=nullable(prop),
                    description=description,
                    example=_json(prop["example"]) if "example" in prop else None,
                    constraints=_json(
                        {**self.types.shape(raw), **{k: prop[k] for k in (*SCALAR_RULES, "minItems") if k in prop}}
                    ),
                )
            )
        return tuple(result)

    def merged_properties(self, schema: dict[str, Any], seen: set[int]) -> tuple[dict[str, Any], set[str]]:
        """Properties and required names of a schema, including those of its `allOf` members."""
        props: dict[str, Any] = {}
        required: set[str] = set()
        if id(schema) in seen:
            return props, required
        seen.add(id(schema))
        for member in schema.get("allOf") or []:
            more, needed = self.merged_properties(self.resolve(member), seen)
            props.update(more)
            required |= needed
        props.update(schema.get("properties") or {})
        required |= set(schema.get("required") or ())
        return props, required
