"""Jinja rendering of `templates/` with StrictUndefined and the filters templates may use."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import random
import re
import traceback
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2

from .. import cache
from ..ir.literals import pyrepr
from .formatting import PART

PACKAGE_DIR = Path(__file__).resolve().parents[1]


def _templates_dir() -> Path:
    """The built-in templates: inside the installed package, or the checkout's top-level `templates/`."""
    installed = PACKAGE_DIR / "templates"
    return installed if installed.is_dir() else PACKAGE_DIR.parent / "templates"


TEMPLATES_DIR = _templates_dir()


def templates_digest(directories: list[str] | list[Path]) -> str:
    """Digest of every template under these directories (user overrides first, as the loader searches them)."""
    digest = hashlib.sha256()
    for directory in map(Path, directories):
        for path in sorted(p for p in directory.rglob("*.jinja") if p.is_file()):
            digest.update(path.relative_to(directory).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()



def docstring(text: str, indent: int = 4) -> str:
    """Text safe inside a triple-quoted docstring, continuation lines indented."""
    text = text.strip().replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    pad = " " * indent
    return "\n".join((pad + line) if line.strip() else "" for line in text.splitlines()).lstrip()


LINE_LENGTH = 88
PARAMETER_INDENT = " " * 8  # a keyword parameter of a client method


def parameter(name: str, hint: str, default: str = "") -> str:
    """A client method's parameter as black lays it out: a union hint too long for the line goes in parentheses.

    The formatter keeps these parentheses; left to itself it would split such a hint differently from black.
    """
    tail = f" = {default}" if default else ""
    if _width(f"{PARAMETER_INDENT}{name}: {hint}{tail},") <= LINE_LENGTH or not _top_level_union(hint):
        return f"{name}: {hint}{tail},"
    return f"{name}: (\n{PARAMETER_INDENT}    {hint}\n{PARAMETER_INDENT}){tail},"


def _width(line: str) -> int:
    """Columns a line takes as black counts them (East Asian wide characters take two, combining ones none)."""
    if line.isascii():
        return len(line)
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def _top_level_union(hint: str) -> bool:
    """Whether `|` joins members of the hint itself (not inside brackets or string literals)."""
    depth, quote, escaped = 0, "", False
    for char in hint:
        if quote:
            escaped, quote = (not escaped and char == "\\"), ("" if char == quote and not escaped else quote)
        elif char in "\"'":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "|" and depth == 0:
            return True
    return False


def pyliteral(json_text: str) -> str:
    """The Python literal for a JSON value's text (`true` → `True`)."""
    return pyrepr(json.loads(json_text))


class NameSet(frozenset[str]):
    """A set of names whose `repr` is the same in every process (it keys cached renders)."""

    def __repr__(self) -> str:
        return f"NameSet({sorted(self)!r})"


def model_names(api: Any, *kinds: str) -> NameSet:
    """Class names of the API's models of these kinds (a set: templates test membership per response)."""
    return NameSet(model.class_name for model in api.models if model.kind in kinds)


def wire_classes(api: Any) -> frozenset[str]:
    """Classes the dataclasses' wire registry names: every object model, and the enums and unions its fields use."""
    kinds = {model.class_name: model.kind for model in api.models}
    objects = [model for model in api.models if model.kind == "object"]
    used = {field.ref for model in objects for field in model.fields if kinds.get(field.ref) in ("enum", "union")}
    return frozenset(model.class_name for model in objects) | used


JSON_KINDS = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "array": list, "object": dict}
PLACEHOLDERS: dict[str, Any] = {"integer": 1, "number": 1.0, "boolean": True, "array": [], "object": {}}


def placeholder(kind: str, name: str) -> str:
    """The stand-in value of a kind in code examples, as a Python literal (a string is its own name)."""
    return pyrepr(PLACEHOLDERS.get(kind, name))


def example_value(param: Any) -> str | None:
    """A parameter's value in code examples, as a Python literal: the spec's example when it fits the parameter's
    schema (type, format, pattern, lengths, range), else a value generated to fit the schema's rules (seeded by the
    name); None when the placeholder fits them too."""
    return _fitting_value(param.kind, param.format, json.loads(param.constraints), param.example, param.wire_name)


def field_example(field: Any) -> str | None:
    """A model field's value in example bodies, as `example_value` gives a parameter's (its JSON type and format are
    in its constraints); for a field of a model or an array, its example as the spec gives it."""
    rules = json.loads(field.constraints)
    return _fitting_value(rules.pop("type", None), rules.pop("format", None), rules, field.example, field.wire_name)


def alias_example(schema: str, name: str) -> str | None:
    """A value in example bodies for a field typed by a scalar alias (AWS's `Date: {type: string, format:
    date-time}`), from the alias's JSON Schema text, as `field_example` gives one of a field of that type."""
    alias = json.loads(schema)
    kind = alias.get("type")
    if not isinstance(kind, str):
        return None
    rules = {k: v for k, v in alias.items() if k not in ("type", "format", "example")}
    example = json.dumps(alias["example"]) if "example" in alias else None
    return _fitting_value(kind, alias.get("format"), rules, example, name)


def _fitting_value(kind: str | None, fmt: str | None, rules: dict[str, Any], example: str | None, name: str) -> str | None:
    """The example when it fits the scalar schema of `kind`, `fmt` and `rules`, else a generated value, else None
    (the placeholder fits)."""
    value = json.loads(example) if example is not None else None
    if kind not in JSON_KINDS:
        return None if value is None else pyrepr(value)
    schema = {"type": kind, **({"format": fmt} if fmt else {}), **rules}
    if value is not None and _fits(value, schema):
        return pyrepr(value)
    if kind not in ("string", "integer", "number") or _fits(PLACEHOLDERS.get(kind, name), schema):
        return None
    from ..mock.schemas import scalar

    return pyrepr(scalar(schema, kind, random.Random(name)))


def _fits(value: Any, schema: dict[str, Any]) -> bool:
    """Whether an example is of the schema's JSON type and keeps its rules (the checks the mock makes of a request;
    a rule the validator cannot read, such as a pattern in another regex dialect, is left unchecked)."""
    import jsonschema_rs

    kind = schema["type"]
    if not isinstance(value, JSON_KINDS.get(kind, object)) or (isinstance(value, bool) and kind != "boolean"):
        return False
    try:
        return bool(jsonschema_rs.validator_for(schema, validate_formats=True).is_valid(value))
    except ValueError:
        return True


def md_cell(text: str | None) -> str:
    """Text for one Markdown table cell."""
    if not text:
        return ""
    return " ".join(text.split()).replace("|", "\\|")


def rules(constraints: str) -> str:
    """The rules a value must keep (lengths, range, multiple, pattern, least items) from the JSON text of a parameter's
    or a field's constraints, as a sentence for the docs; "" when there are none."""
    given = json.loads(constraints)
    said = [
        _bounds(given.get("minLength"), given.get("maxLength"), "characters"),
        _bounds(given.get("minimum"), given.get("maximum"), ""),
        _bounds(given.get("minItems"), None, "items"),
        f"a multiple of {_number(given['multipleOf'])}" if "multipleOf" in given else "",
        f"matches {_code(str(given['pattern']))}" if "pattern" in given else "",
    ]
    return "Rules: " + "; ".join(s for s in said if s) + "." if any(said) else ""


def _bounds(low: Any, high: Any, unit: str) -> str:
    """`low to high units`, `at least low units`, `at most high units` or `exactly n units` (a unit, of one); ""
    without either bound."""
    if low is not None and high is not None and low != high:
        return f"{_number(low)} to {_number(high)}{_units(2, unit)}"
    if low is not None:
        return f"{'exactly' if low == high else 'at least'} {_number(low)}{_units(low, unit)}"
    return f"at most {_number(high)}{_units(high, unit)}" if high is not None else ""


def _units(count: Any, unit: str) -> str:
    """` unit` after a count: `characters`, or `character` after 1; nothing for a plain number."""
    return "" if not unit else f" {unit[:-1]}" if count == 1 else f" {unit}"


def _number(value: Any) -> str:
    """A number as JSON writes it (`1.5`, `100`), for the docs."""
    return json.dumps(value)


def _code(text: str) -> str:
    """Text as a Markdown code span, delimited by more backticks than it holds in a row."""
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def md_paragraphs(text: str) -> str:
    """Description text as Markdown paragraphs (already Markdown in the spec)."""
    return text.strip()


def environment(template_dirs: list[Path] | None = None) -> jinja2.Environment:
    """The Jinja environment: user override directories first, then the built-in templates."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in (template_dirs or [])] + [str(TEMPLATES_DIR)]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        auto_reload=False,  # a run renders thousands of pages: no `stat` of the template before each
        bytecode_cache=_bytecode_cache(),
    )
    env.filters.update(
        docstring=docstring,
        pyrepr=pyrepr,
        pyliteral=pyliteral,
        fromjson=json.loads,
        md_cell=md_cell,
        md_paragraphs=md_paragraphs,
        rules=rules,
        flatten=itertools.chain.from_iterable,  # linear, where `sum(start=())` copies the tuples it has so far
    )
    env.globals.update(
        parameter=parameter, example_value=example_value, field_example=field_example, alias_example=alias_example,
        placeholder=placeholder, model_names=model_names, wire_classes=wire_classes,
        part=PART,  # see emit/formatting.py: a large module is formatted part by part
    )
    return env


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's file cache of compiled templates; one that cannot be written is skipped, as generator/cache.py does."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Store a compiled template, or nothing when the directory cannot be written."""
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept between runs (Jinja checks each one against its source), None when caching is off."""
    directory = cache.cache_dir()
    if directory is None:
        return None
    try:
        (directory / "jinja").mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _BytecodeCache(str(directory / "jinja"))


class TemplateError(Exception):
    """A template failed to load or render; the message names the template file and line."""


def render(env: jinja2.Environment, name: str, **context: Any) -> str:
    """Render one template by name, turning any failure into a TemplateError with file and line."""
    with _located_errors(name):
        return env.get_template(name).render(**context)


def template_module(env: jinja2.Environment, name: str, context: dict[str, Any]) -> Any:
    """A template run once with `context`, for its macros (`call_macro`); failures as `render`'s."""
    with _located_errors(name):
        return env.get_template(name).make_module(context)


def call_macro(module: Any, macro: str, *args: Any) -> str:
    """The text of one macro of a `template_module`; failures as `render`'s."""
    with _located_errors(f"{module.__name__}:{macro}"):
        return str(getattr(module, macro)(*args))


@contextlib.contextmanager
def _located_errors(name: str) -> Iterator[None]:
    """Any failure of the block as a TemplateError naming the template file and line."""
    try:
        yield
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{exc.filename or exc.name or name}:{exc.lineno}: {exc.message}") from None
    except Exception as exc:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".jinja")]
        where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else name
        raise TemplateError(f"{where}: {type(exc).__name__}: {exc}") from None
