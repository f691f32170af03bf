"""The symbol table: every name that templates, the runtime and the model library bring into generated
modules, listed once. The name authority's reserved words are derived from it, so a schema, a field or
a parameter can never take a name that generated code already uses.

`tests/generator/test_symbols.py` checks these lists against what the templates, `runtime.__all__`
and the generated model modules actually import and define.
"""

from __future__ import annotations

import builtins
import functools
import keyword

from ..runtime import __all__ as RUNTIME_EXPORTS

# typing and standard-library names the templates import into package modules.
TEMPLATE_IMPORTS = frozenset(
    {"annotations", "TYPE_CHECKING", "Any", "Literal", "Mapping", "cast", "overload", "import_module", "IO", "Iterable", "AsyncIterable"}
)

# Module-level names the templates define or import from the runtime's submodules.
TEMPLATE_DEFINES = frozenset(
    {
        "Client", "AsyncClient", "ERROR_CLASSES", "REGISTRY", "Registry", "RestOperation", "SyncRestAPIClient",
        "AsyncRestAPIClient", "decode", "encode", "_operations", "_dump", "_EXPORTS", "__getattr__", "__dir__",
        "ClientWithRawResponse", "AsyncClientWithRawResponse", "RawResponse", "raw_wrapper", "async_raw_wrapper",
        "SyncPage", "AsyncPage", "AsyncPager", "Paging", "Stream", "AsyncStream", "EventStream", "BinaryResponse",
        "AsyncBinaryResponse", "ServerSentEvent", "is_event_stream",
    }
)

# Names datamodel-code-generator may import into a models module, by model kind (typing names for all).
TYPING_NAMES = frozenset(
    {"Annotated", "Any", "Dict", "List", "Literal", "Optional", "TypeAlias", "Union", "NotRequired", "Required", "TypedDict"}
)
STDLIB_TYPES = frozenset(
    {
        "Enum", "IntEnum", "StrEnum", "date", "datetime", "time", "timedelta", "Decimal", "UUID", "Path",
        "IPv4Address", "IPv6Address", "IPv4Network", "IPv6Network", "IPv4Interface", "IPv6Interface",
    }
)
MODEL_LIBRARY_IMPORTS: dict[str, frozenset[str]] = {
    "pydantic": TYPING_NAMES
    | STDLIB_TYPES
    | frozenset(
        {
            "BaseModel", "ConfigDict", "Field", "RootModel", "AnyUrl", "AwareDatetime", "NaiveDatetime",
            "Base64Str", "Base64Bytes", "EmailStr", "NameEmail", "SecretStr", "Json", "IPvAnyAddress",
            "FutureDate", "PastDate", "UUID1", "UUID3", "UUID4", "UUID5", "StrictStr", "StrictInt", "StrictBool",
            "StrictFloat", "PositiveInt", "NegativeInt", "NonNegativeInt", "PositiveFloat", "constr", "conint",
            "confloat", "conlist", "field_validator", "model_validator", "builtins",
        }
    ),
    "dataclasses": TYPING_NAMES | STDLIB_TYPES | frozenset({"dataclass", "field"}),
    "typeddict": TYPING_NAMES | STDLIB_TYPES,
}

# Attributes a model field must not shadow, by model kind (TypedDicts are keyed by wire names).
MODEL_ATTRIBUTES: dict[str, frozenset[str]] = {
    "pydantic": frozenset(
        {
            "construct", "copy", "dict", "json", "parse_obj", "parse_raw", "parse_file", "schema", "schema_json",
            "update_forward_refs", "validate", "from_orm", "model_config", "model_fields", "model_computed_fields",
            "model_extra", "model_fields_set", "model_construct", "model_copy", "model_dump", "model_dump_json",
            "model_json_schema", "model_parametrized_name", "model_post_init", "model_rebuild", "model_validate",
            "model_validate_json", "model_validate_strings",
        }
    ),
    "dataclasses": frozenset(),
    "typeddict": frozenset(),
}
# Builtin type names: annotations are resolved in the class body, where a field of that name would win.
BUILTIN_TYPES = frozenset({"str", "int", "float", "bool", "bytes", "list", "dict", "set", "tuple"})

# Keyword arguments every client method takes besides the operation's own parameters.
CALL_OPTIONS = frozenset({"self", "timeout", "max_retries", "extra_query", "extra_headers", "max_items"})
BODY_ARGUMENT = "body"  # the request body's keyword argument
# Methods every client class has, and the types its method signatures name (a method `list` would hide the builtin).
CLIENT_METHODS = frozenset({"close", "aclose", "with_raw_response", "with_options", "object"}) | BUILTIN_TYPES


def is_keyword(name: str) -> bool:
    """Whether Python gives `name` a meaning of its own (hard or soft keyword)."""
    return keyword.iskeyword(name) or keyword.issoftkeyword(name)


@functools.cache
def module_names() -> frozenset[str]:
    """Names a model or error class must not take: every name some generated module imports or defines."""
    library = frozenset().union(*MODEL_LIBRARY_IMPORTS.values())
    return TEMPLATE_IMPORTS | TEMPLATE_DEFINES | frozenset(RUNTIME_EXPORTS) | library | frozenset(dir(builtins))


@functools.cache
def field_names(model_kinds: tuple[str, ...] = tuple(MODEL_ATTRIBUTES)) -> frozenset[str]:
    """Names a model field must not take in any of these model kinds (one IR serves every flavor)."""
    return BUILTIN_TYPES.union(*(MODEL_ATTRIBUTES[kind] for kind in model_kinds))


@functools.cache
def parameter_names() -> frozenset[str]:
    """Names an operation parameter must not take: the per-call options and the typing names methods use."""
    return CALL_OPTIONS | TEMPLATE_IMPORTS | {BODY_ARGUMENT}
