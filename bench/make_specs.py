"""Deterministic synthetic OpenAPI specs of N operations: RPC style (like spec/outboundbot.yaml), a richer RPC
shape (`rpcx`: responses that extend a shared base with `allOf`, nested objects, several documented errors,
path-level common parameters) and plain REST."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import yaml

SIZES = (2, 50, 200, 1000)
STYLES = ("rpc", "rest", "rpcx")
VERSION = "2019-12-26"
NOUNS = (
    "Instance", "Task", "Job", "Script", "Contact", "Number", "Group", "Record",
    "Dialogue", "Intent", "Tag", "Batch", "Campaign", "Agent", "Queue", "Skill",
)  # fmt: skip
RPC_VERBS = ("Describe", "Create", "Modify", "Delete", "List")
REST_KINDS = ("get", "list", "create", "update", "delete")
KINDS = ["Standard", "Premium", "Trial"]


def noun(index: int) -> str:
    """The resource noun of the index-th group of five operations (Instance, Task, …, Instance2, …)."""
    base, round_ = NOUNS[index % len(NOUNS)], index // len(NOUNS)
    return base + (str(round_ + 1) if round_ else "")


def _string(description: str, example: str | None = None) -> dict[str, Any]:
    """A string schema with a description."""
    schema: dict[str, Any] = {"type": "string", "description": description}
    if example is not None:
        schema["example"] = example
    return schema


def _integer(description: str, fmt: str = "int32") -> dict[str, Any]:
    """An integer schema with a description."""
    return {"type": "integer", "format": fmt, "description": description}


def resource_schema(name: str) -> dict[str, Any]:
    """The object a group of operations manages (shared by its five operations)."""
    return {
        "type": "object",
        "description": f"A {name} resource.",
        "properties": {
            f"{name}Id": _string(f"{name} ID.", f"{name.lower()}-1"),
            f"{name}Name": _string(f"{name} name."),
            "Description": _string("Free-text description."),
            "CreationTime": _integer(
                "Creation time, Unix epoch milliseconds.", "int64"
            ),
            "MaxConcurrentConversation": _integer(
                "Maximum number of concurrent conversations."
            ),
            "Kind": {"type": "string", "enum": KINDS, "description": "Service kind."},
            "Tags": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Tags.",
            },
        },
    }


def rpc_response_schema(action: str, name: str, verb: str) -> dict[str, Any]:
    """The response model of one RPC action (its own class)."""
    props: dict[str, Any] = {
        "HttpStatusCode": _integer("HTTP status code."),
        "Code": _string("Status code; OK on success."),
        "Message": _string("Message."),
        "RequestId": _string("Request ID."),
        "Success": {"type": "boolean", "description": "Whether the call succeeded."},
    }
    if verb == "List":
        props[f"{name}s"] = {
            "type": "array",
            "items": {"$ref": f"#/components/schemas/{name}"},
        }
        props["TotalCount"] = _integer("Total number of items.")
    elif verb != "Delete":
        props[name] = {"$ref": f"#/components/schemas/{name}"}
    return {
        "type": "object",
        "description": f"Result of {action}.",
        "properties": props,
    }


def _query(
    name: str, schema: dict[str, Any], required: bool = False, **extra: Any
) -> dict[str, Any]:
    """A query parameter."""
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": f"{name}.",
        "schema": schema,
        **extra,
    }


def rpc_parameters(name: str, verb: str) -> list[dict[str, Any]]:
    """The query parameters of an RPC action (two to six, by verb)."""
    ident = _query(f"{name}Id", {"type": "string"}, required=True)
    common = [
        _query("Description", {"type": "string"}),
        _query("MaxConcurrentConversation", {"type": "integer", "format": "int32"}),
    ]
    tags = {
        **_query("Tag", {"type": "array", "items": {"type": "string"}}),
        **{"style": "form", "explode": True, "x-acs-style": "repeatList"},
    }
    kind = _query("Kind", {"type": "string", "enum": KINDS})
    by_verb = {
        "Describe": [ident],
        "Create": [
            _query(f"{name}Name", {"type": "string"}, required=True),
            *common,
            kind,
            tags,
        ],
        "Modify": [ident, _query(f"{name}Name", {"type": "string"}), *common],
        "Delete": [ident, _query("Force", {"type": "boolean"})],
        "List": [
            _query("PageNumber", {"type": "integer"}),
            _query("PageSize", {"type": "integer"}),
            kind,
        ],
    }
    return by_verb[verb]


def _json_response(ref: str, description: str) -> dict[str, Any]:
    """A JSON response whose body is a component schema."""
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": ref}}},
    }


def _error_components() -> dict[str, Any]:
    """The shared error body and error responses."""
    return {
        "responses": {
            "InternalError": {
                **_json_response(
                    "#/components/schemas/ErrorResponse", "Internal error."
                ),
                "x-acs-error-codes": [
                    {
                        "code": "InternalError",
                        "message": "An error occurred.",
                        "description": "Retry.",
                    }
                ],
            }
        },
        "schemas": {
            "ErrorResponse": {
                "type": "object",
                "description": "Error body.",
                "properties": {
                    k: _string(f"{k}.")
                    for k in ("Code", "Message", "RequestId", "HostId")
                },
            }
        },
    }


def rpc_operation(
    action: str, name: str, verb: str, parameters: list[Any], errors: dict[str, Any]
) -> dict[str, Any]:
    """One RPC action: its parameters, its own response schema, and the error responses given."""
    return {
        "operationId": action,
        "tags": [name],
        "summary": f"{verb} a {name}.",
        "description": f"{verb} a {name} resource.",
        "x-acs-action": action,
        "x-acs-read-only": verb in ("Describe", "List"),
        "parameters": parameters,
        "responses": {
            "200": _json_response(f"#/components/schemas/{action}Response", "Success."),
            **errors,
        },
    }


def rpc_spec(count: int) -> dict[str, Any]:
    """An Alibaba Cloud RPC-style spec with `count` actions (DescribeInstance first, CreateInstance second)."""
    paths: dict[str, Any] = {}
    errors = _error_components()
    schemas: dict[str, Any] = {}
    for i in range(count):
        name, verb = noun(i // len(RPC_VERBS)), RPC_VERBS[i % len(RPC_VERBS)]
        action = f"{verb}{name}" + ("s" if verb == "List" else "")
        schemas.setdefault(name, resource_schema(name))
        schemas[f"{action}Response"] = rpc_response_schema(action, name, verb)
        internal = {"500": {"$ref": "#/components/responses/InternalError"}}
        paths[f"/#Action={action}"] = {
            "post": rpc_operation(action, name, verb, rpc_parameters(name, verb), internal)
        }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": f"Synthetic RPC {count}",
            "version": VERSION,
            "description": "Synthetic RPC-style API.",
            "x-acs-product": "Synth",
            "x-acs-package": "synth",
        },
        "servers": [
            {
                "url": "https://synth.{regionId}.aliyuncs.com",
                "variables": {
                    "regionId": {"default": "cn-shanghai", "description": "Region ID."}
                },
            }
        ],
        "x-acs-api-style": "RPC",
        "x-acs-version": VERSION,
        "x-acs-endpoint-rule": {
            "public": "synth.{regionId}.aliyuncs.com",
            "vpc": "synth-vpc.{regionId}.aliyuncs.com",
        },
        "security": [{"AccessKey": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "AccessKey": {"type": "apiKey", "in": "header", "name": "Authorization"}
            },
            "responses": errors["responses"],
            "schemas": {**schemas, **errors["schemas"]},
        },
    }


def rest_operation(
    name: str, kind: str
) -> tuple[str, str, dict[str, Any], dict[str, Any]]:
    """(path, method, operation, response schema) of one REST operation on resource `name`."""
    lower = name[0].lower() + name[1:]
    op_id = {
        "get": f"get{name}",
        "list": f"list{name}s",
        "create": f"create{name}",
    }.get(kind) or f"{kind}{name}"
    item = {"$ref": f"#/components/schemas/{name}"}
    body_props: dict[str, Any] = (
        {"data": item}
        if kind != "list"
        else {"results": {"type": "array", "items": item}}
    )
    body_props["requestId"] = _string("Request ID.")
    response = {
        "type": "object",
        "description": f"Result of {op_id}.",
        "properties": body_props,
    }
    path_id = {
        "name": f"{lower}Id",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
    }
    op: dict[str, Any] = {
        "operationId": op_id,
        "tags": [name],
        "summary": f"{kind} {name}.",
    }
    if kind == "list":
        op["parameters"] = [
            {"name": "pageNumber", "in": "query", "schema": {"type": "integer"}},
            {"name": "pageSize", "in": "query", "schema": {"type": "integer"}},
            {
                "name": "kind",
                "in": "query",
                "schema": {"type": "string", "enum": KINDS},
            },
        ]
    elif kind == "create":
        op["parameters"] = [
            {"name": "dryRun", "in": "query", "schema": {"type": "boolean"}}
        ]
    else:
        op["parameters"] = [
            path_id,
            {"name": "verbose", "in": "query", "schema": {"type": "boolean"}},
        ]
    if kind in ("create", "update"):
        op["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"$ref": f"#/components/schemas/{name}Input"}
                }
            },
        }
    op["responses"] = {
        "200": _json_response(
            f"#/components/schemas/{op_id[0].upper()}{op_id[1:]}Response", "Success."
        ),
        "default": _json_response("#/components/schemas/ErrorResponse", "Error."),
    }
    path = f"/{lower}s" if kind in ("list", "create") else f"/{lower}s/{{{lower}Id}}"
    method = {
        "get": "get",
        "list": "get",
        "create": "post",
        "update": "put",
        "delete": "delete",
    }[kind]
    return path, method, op, response


def rest_input_schema(name: str) -> dict[str, Any]:
    """The JSON request body of create and update."""
    return {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": _string("Name."),
            "description": _string("Description."),
            "maxConcurrentConversation": _integer("Maximum concurrent conversations."),
            "kind": {"type": "string", "enum": KINDS},
        },
    }


def rest_spec(count: int) -> dict[str, Any]:
    """A plain OpenAPI 3.0 REST spec with `count` operations (getInstance first, listInstances second)."""
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    tags: dict[str, dict[str, str]] = {}
    for i in range(count):
        name, kind = noun(i // len(REST_KINDS)), REST_KINDS[i % len(REST_KINDS)]
        path, method, op, response = rest_operation(name, kind)
        paths.setdefault(path, {})[method] = op
        tags.setdefault(name, {"name": name, "description": f"{name} resources."})
        schemas.setdefault(name, resource_schema(name))
        schemas.setdefault(f"{name}Input", rest_input_schema(name))
        op_id = op["operationId"]
        schemas[f"{op_id[0].upper()}{op_id[1:]}Response"] = response
    schemas["ErrorResponse"] = _error_components()["schemas"]["ErrorResponse"]
    return {
        "openapi": "3.0.3",
        "info": {
            "title": f"Synthetic REST {count}",
            "version": "1.0.0",
            "description": "Synthetic REST API.",
        },
        "servers": [{"url": "http://127.0.0.1:8080/v1"}],
        "tags": list(tags.values()),
        "paths": paths,
        "components": {"schemas": schemas},
    }


ERROR_STATUSES = (
    ("400", "InvalidParameter", "A parameter is not valid."),
    ("404", "ResourceNotFound", "The resource does not exist."),
    ("403", "Forbidden.RAM", "The caller is not authorised."),
    ("500", "InternalError", "An error occurred."),
)
FIELD_KINDS = (
    lambda n: _string(f"{n}."),
    lambda n: _integer(f"{n}.", "int64"),
    lambda n: {"type": "boolean", "description": f"{n}."},
    lambda n: {"type": "string", "enum": KINDS, "description": f"{n}."},
    lambda n: {"type": "array", "items": {"type": "string"}, "description": f"{n}."},
)


def rpcx_resource(name: str, index: int) -> dict[str, dict[str, Any]]:
    """A resource of 5–10 fields with a nested settings object of its own (two components)."""
    fields = {f"{name}Id": _string(f"{name} ID.", f"{name.lower()}-1")}
    for k in range(4 + index % 6):
        fields[f"Field{k}"] = FIELD_KINDS[k % len(FIELD_KINDS)](f"Field {k} of {name}")
    settings = {f"Setting{k}": FIELD_KINDS[(k + index) % len(FIELD_KINDS)](f"Setting {k}") for k in range(3 + index % 4)}
    return {
        f"{name}{index}Settings": {"type": "object", "description": f"Settings of {name}.", "properties": settings},
        f"{name}{index}": {
            "type": "object",
            "description": f"A {name} resource.",
            "properties": {**fields, "Settings": {"$ref": f"#/components/schemas/{name}{index}Settings"}},
        },
    }


def rpcx_spec(count: int) -> dict[str, Any]:
    """The richer RPC shape: every response an `allOf` of the shared base response and its own object."""
    spec = rpc_spec(count)
    schemas: dict[str, Any] = {
        "BaseResponse": {
            "type": "object",
            "description": "What every answer carries.",
            "required": ["RequestId"],
            "properties": rpc_response_schema("Base", "Base", "Delete")["properties"],
        },
        "ErrorResponse": spec["components"]["schemas"]["ErrorResponse"],
    }
    responses = {
        code: {
            **_json_response("#/components/schemas/ErrorResponse", text),
            "x-acs-error-codes": [{"code": code, "message": text, "description": text}],
        }
        for _, code, text in ERROR_STATUSES
    }
    paths: dict[str, Any] = {}
    for i in range(count):
        name, verb = noun(i // len(RPC_VERBS)), RPC_VERBS[i % len(RPC_VERBS)]
        action = f"{verb}{name}{i // len(RPC_VERBS)}" + ("s" if verb == "List" else "")
        resources = rpcx_resource(name, i // len(RPC_VERBS))
        resource = list(resources)[-1]
        schemas.update(resources)
        own = {
            f"{name}Id": _string(f"{name} ID."),
            "Item" if verb != "List" else "Items": (
                {"$ref": f"#/components/schemas/{resource}"}
                if verb != "List"
                else {"type": "array", "items": {"$ref": f"#/components/schemas/{resource}"}}
            ),
            "Extra": {"type": "object", "description": "Extra data.", "properties": {"Note": _string("Note."), "Count": _integer("Count.")}},
        }
        schemas[f"{action}Response"] = {
            "description": f"Result of {action}.",
            "allOf": [{"$ref": "#/components/schemas/BaseResponse"}, {"type": "object", "properties": own}],
        }
        parameters = [
            _query(f"{name}Id", {"type": "string"}, required=True),
            _query("Kind", {"type": "string", "enum": KINDS}),
            {**_query("Tag", {"type": "array", "items": {"type": "string"}}), "style": "form", "explode": True, "x-acs-style": "repeatList"},
        ]
        parameters += [_query(f"Option{k}", FIELD_KINDS[k % 3](f"Option {k}")) for k in range(i % 6)]
        errors = {status: {"$ref": f"#/components/responses/{code}"} for status, code, _ in ERROR_STATUSES[: 2 + i % 3]}
        paths[f"/#Action={action}"] = {
            "parameters": [_query("RegionId", {"type": "string"}, required=True), _query("ClientToken", {"type": "string"})],
            "post": rpc_operation(action, name, verb, parameters, errors),
        }
    spec["info"]["title"] = f"Synthetic rich RPC {count}"
    spec["paths"] = paths
    spec["components"]["responses"] = responses
    spec["components"]["schemas"] = schemas
    return spec


BUILDERS = {"rpc": rpc_spec, "rest": rest_spec, "rpcx": rpcx_spec}


class _PlainDumper(yaml.SafeDumper):
    """Writes shared objects out in full, as a hand-written spec would: no anchors and aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        """Never alias."""
        return True


def dump_spec(spec: dict[str, Any]) -> str:
    """A spec as YAML text, keys in their order."""
    return yaml.dump(spec, Dumper=_PlainDumper, sort_keys=False, allow_unicode=True, width=120)


def spec_path(directory: Path, style: str, count: int) -> Path:
    """Where the spec of a style and size lives."""
    return directory / f"{style}-{count}.yaml"


def write_specs(
    directory: Path, sizes: tuple[int, ...] = SIZES, styles: tuple[str, ...] = STYLES
) -> list[Path]:
    """Write every spec (only when its bytes change) and return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for style in styles:
        for count in sizes:
            path = spec_path(directory, style, count)
            text = dump_spec(BUILDERS[style](count))
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def main() -> None:
    """Write the specs into a directory (default bench/results/specs)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent / "results" / "specs",
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    args = parser.parse_args()
    for path in write_specs(args.out, tuple(args.sizes)):
        print(path)


if __name__ == "__main__":
    main()
