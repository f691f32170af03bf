"""The intermediate representation (IR): the only thing templates see.

The tree, built by `generator.build` from a validated spec:

    Api                      the whole SDK: identity, endpoint rule, and everything below
    ├── operations: Operation   one client method per API action (sorted by method name)
    │   ├── params: Parameter      keyword-only arguments; wire name, location, kind, required, repeat-list
    │   ├── body: RequestBody      REST: the request body (JSON, form, multipart or binary)
    │   ├── responses: Response    success responses with the model and Python type of each body
    │   └── errors: ErrorRef       documented error codes of this action with their HTTP status
    ├── security: SecurityScheme   REST: API keys, bearer tokens, basic auth the client can apply
    ├── models: Model           component schemas that become classes (objects and enums)
    │   ├── fields: ModelField      properties, with wire name, Python name and flags
    │   └── schema                  its JSON Schema, `$ref`s by class name: what the models stage renders
    └── error_codes: ErrorCode  one exception class per documented error code

Three separate flags describe every value: `required` (must be present), `nullable` (may be null;
OpenAPI 3.0 `nullable: true` and 3.1 `type: [x, "null"]` both normalise to it) and `default`
(`None` when the spec gives none, else the JSON text of the default). Every tuple is sorted
so that templates iterate deterministically. All classes are frozen: templates read, never write.
Fields marked `INTERNAL` feed the output stages but are not part of the public API that `diff` and
the changelog compare (they are left out of the changelog's snapshot).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

INTERNAL = {"internal": True}  # field metadata: not part of the public API snapshot


@dataclass(frozen=True)
class Parameter:
    """One API parameter of an operation, as a keyword-only Python argument."""

    wire_name: str
    python_name: str
    location: str  # "query" (RPC); "path", "header", "cookie" for REST specs
    kind: str  # "string" | "integer" | "number" | "boolean" | "array" | "object"
    items: str | None  # element kind for arrays
    type_hint: str  # Python annotation without the omitted sentinel, e.g. "list[str]"
    required: bool
    nullable: bool
    default: str | None
    repeat_list: bool
    enum: tuple[str, ...]  # allowed values (an array's: of its items) as Python literals (repr), empty when free
    enum_model: str | None  # class name of the referenced enum model, for docs
    description: str
    summary: str  # first paragraph of the description
    example: str | None  # JSON text of the spec's example
    format: str | None
    # JSON text of the schema's rules on a scalar value (`pattern`, lengths, range), for values in examples
    constraints: str = field(default="{}", metadata=INTERNAL)


@dataclass(frozen=True)
class RequestBody:
    """The request body of a REST operation, passed as the keyword argument `python_name`."""

    python_name: str
    media_type: str
    encoding: str  # "json" | "form" | "multipart" | "binary"
    type_hint: str
    model: str | None  # class name when the body is a model
    required: bool
    description: str
    example: str | None


@dataclass(frozen=True)
class Response:
    """One success response of an operation."""

    status: str  # "200", "201", "2XX"
    model: str | None  # class name of the parsed body's model (or of its items: see `container`)
    container: str  # "" | "list": how `model` is held
    type_hint: str  # Python type of the parsed body; "None" when there is no body
    media_type: str | None
    description: str


@dataclass(frozen=True)
class SecurityScheme:
    """How a REST client authenticates (from `components/securitySchemes`)."""

    name: str
    kind: str  # "apiKey" | "bearer" | "basic"
    location: str  # "header" | "query" | "cookie" (apiKey); "header" otherwise
    parameter: str  # header, query or cookie name (apiKey); "Authorization" otherwise


@dataclass(frozen=True)
class ErrorRef:
    """A documented error of one operation."""

    code: str
    class_name: str
    status: int


@dataclass(frozen=True)
class Pagination:
    """How an operation's results come in pages (see ir/paging.py)."""

    scheme: str  # "token" | "page" | "offset" | "next-url" | "link"
    items: tuple[str, ...]  # wire keys leading to the item array in the response
    item: Response  # one item: its model and Python type (status and media type empty)
    cursor_param: str | None  # wire name of the parameter advanced per page (token, page number, offset)
    cursor_field: tuple[str, ...]  # wire keys of the next token (token) or the next page's URL (next-url)
    total_field: tuple[str, ...]  # wire keys of the total item count (page, offset), empty when unknown
    models: tuple[str, ...]  # model classes the item type names


@dataclass(frozen=True)
class StreamFlag:
    """The boolean request value that makes an operation stream; otherwise it answers JSON."""

    python_name: str  # the method's keyword argument
    wire_name: str
    location: str  # "param" (a parameter of the operation) | "body" (a field of its JSON body)
    required: bool
    default: bool  # the value when the argument is not given


@dataclass(frozen=True)
class Streaming:
    """How an operation's answer is read as it arrives (see ir/streams.py)."""

    kind: str  # "sse" (typed server-sent events) | "binary" (bytes in chunks)
    event: Response | None  # sse: one event's type (status and media type empty)
    events: tuple[tuple[str, Response], ...]  # sse: (event name, its type) when the schema discriminates on it
    sentinel: str | None  # sse: the data that ends the stream
    resumable: bool  # sse: reconnecting with Last-Event-ID is safe
    models: tuple[str, ...]  # model classes the event types name
    flag: StreamFlag | None = None  # set when the answer streams only if the request asks for it


@dataclass(frozen=True)
class Operation:
    """One API action and the client method that calls it."""

    operation_id: str
    action: str
    method_name: str
    constant: str  # module-level name of the runtime Operation descriptor
    http_method: str
    path: str
    summary: str
    description: str
    read_only: bool
    tags: tuple[str, ...]
    params: tuple[Parameter, ...]
    body: RequestBody | None
    response: str | None  # class name of the first success response's model, for docs
    responses: tuple[Response, ...]  # success responses, by status
    returns: str  # Python return annotation of the client method
    models_used: tuple[str, ...]  # model classes named in `returns` or the body's type, sorted
    response_example: str | None  # JSON text
    errors: tuple[ErrorRef, ...]
    pointer: str
    anonymous: bool = field(default=False, metadata=INTERNAL)  # `security: []`: no credentials are sent
    error_models: tuple[tuple[str, str], ...] = field(default=(), metadata=INTERNAL)  # (status, model) of error bodies
    pagination: Pagination | None = None  # set when results come in pages
    streaming: Streaming | None = None  # set when the answer is streamed


@dataclass(frozen=True)
class ModelField:
    """One property of an object model."""

    wire_name: str
    python_name: str
    type_text: str  # human-readable type for docs, e.g. "integer (int64)", "Instance"
    ref: str | None  # class name when the field's type (or its items/values) is another model
    container: str  # "" | "list" | "dict": how `ref` is held
    required: bool
    nullable: bool
    description: str
    example: str | None
    # JSON text of the schema's rules on the value (`pattern`, lengths, range, `minItems`), for example bodies
    constraints: str = field(default="{}", metadata=INTERNAL)


@dataclass(frozen=True)
class Model:
    """A named component schema that becomes a class."""

    class_name: str
    schema_name: str
    origin: str  # JSON pointer of the schema in the user's spec (hoisted schemas: where they were inline)
    kind: str  # "object" | "enum" | "union" | "other"
    summary: str
    description: str
    fields: tuple[ModelField, ...]
    enum: tuple[str, ...]  # enum values as JSON text
    schema: str = field(default="{}", metadata=INTERNAL)  # normalised JSON Schema (JSON text), refs by class name
    # a base extended by discriminated subclasses: (subclass, tag property, its tag), what examples give for it
    tagged_subclass: tuple[str, ...] = field(default=(), metadata=INTERNAL)


@dataclass(frozen=True)
class ErrorCode:
    """A documented service error code and its exception class."""

    code: str
    class_name: str
    base_class: str  # runtime class chosen by HTTP status
    status: int
    message: str
    description: str
    operations: tuple[str, ...]  # method names that document it


@dataclass(frozen=True)
class Api:
    """The whole SDK to generate."""

    title: str
    summary: str
    description: str
    product: str
    api_version: str
    package: str  # base package name; each flavor derives its own from it
    style: str  # "rpc" | "rest"
    endpoint_rule: str  # with `{region_id}`; empty when the spec has no server
    default_region: str
    base_url: str  # REST: the first server's URL with variables at their defaults
    security: tuple[SecurityScheme, ...]  # REST: schemes the client can apply
    operations: tuple[Operation, ...]
    models: tuple[Model, ...]
    error_codes: tuple[ErrorCode, ...]
    openapi_version: str = field(default="3.0.3", metadata=INTERNAL)  # how the model schemas are to be read
    model_order: tuple[str, ...] = field(default=(), metadata=INTERNAL)  # class names in the spec's component order

    @cached_property
    def models_by_name(self) -> dict[str, Model]:
        """Models by class name (templates look models up without scanning the tuple)."""
        return {m.class_name: m for m in self.models}

    @cached_property
    def errors_by_code(self) -> dict[str, ErrorCode]:
        """Error codes by wire code."""
        return {e.code: e for e in self.error_codes}

    @cached_property
    def model_users(self) -> dict[str, tuple[str, ...]]:
        """Method names whose responses, body or enum parameters use each model (docs' "Used by")."""
        users: dict[str, list[str]] = {}
        for op in self.operations:
            names = {r.model for r in op.responses} | {p.enum_model for p in op.params}
            names.add(op.body.model if op.body else None)
            for name in sorted(n for n in names if n):
                users.setdefault(name, []).append(op.method_name)
        return {name: tuple(methods) for name, methods in users.items()}


def text_of(item: object) -> str:
    """`repr(item)`, made once per IR node: it shows every field, so the caches of rendered pages, client methods
    and changelog items are keyed by it. The IR is frozen, so the text kept beside a node stays true."""
    kept = getattr(item, "__dict__", None)
    if kept is None:
        return repr(item)
    if "_text" not in kept:
        kept["_text"] = repr(item)
    return str(kept["_text"])


def remember_texts(api: Api) -> None:
    """Make the text of each operation, model and error code now, for the processes forked next to share."""
    for item in (*api.operations, *api.models, *api.error_codes):
        text_of(item)
