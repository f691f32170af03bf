"""Configuration: which SDK flavors to build and their options, from pyproject.toml or the command line.

Like black, ruff and mypy, the configuration is the `[tool.acs-sdkgen]` table of the nearest
`pyproject.toml` that has one, looking upwards from the working directory (or the file `--config`
names). Paths in it are relative to that file. It may set:

    spec = "spec/outboundbot.yaml"     # spec for generate/check (else --spec is required)
    out = "generated"                  # output directory (default: generated)
    version = "0.1.0"                  # version of every generated distribution
    flavors = ["pydantic", "dataclasses", "typeddict"]   # what `generate` builds

    [tool.acs-sdkgen.flavor.dataclasses]                 # per-flavor overrides
    package = "outboundbot_lite"       # import name   (default: spec package + flavor suffix)
    distribution = "outboundbot-lite"  # pip name      (default: package with dashes)
    version = "0.1.0"
    models = "dataclasses"             # pydantic | dataclasses | typeddict
    clients = ["sync"]                 # sync and/or async

A table for a name that is not built in defines a new flavor (`models` then says which kind). On the
command line, `--flavor NAME` (repeatable) selects flavors and `--option NAME.KEY=VALUE` overrides one
option (lists are comma-separated: `--option typeddict.clients=sync`).
"""

from __future__ import annotations

import difflib
import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

MODEL_KINDS = ("pydantic", "dataclasses", "typeddict")
CLIENT_KINDS = ("sync", "async")
OPTION_KEYS = ("package", "distribution", "version", "models", "clients")


@dataclass(frozen=True)
class Flavor:
    """One SDK to produce: a directory under the output root holding an installable package."""

    name: str
    models: str
    clients: tuple[str, ...]
    package: str
    distribution: str
    version: str

    @property
    def has_async(self) -> bool:
        """Whether the flavor has an AsyncClient."""
        return "async" in self.clients

    @property
    def dependencies(self) -> tuple[str, ...]:
        """Third-party runtime requirements of the generated package."""
        return ("pydantic>=2.7,<3",) if self.models == "pydantic" else ()

    @property
    def optional_dependencies(self) -> dict[str, tuple[str, ...]]:
        """Extras of the generated package: `httpx` (for `http_client=`), except in the dependency-free flavor."""
        return {} if self.models == "dataclasses" else {"httpx": ("httpx>=0.27,<1",)}

    @property
    def requires_python(self) -> str:
        """Oldest Python the package supports (TypedDict's NotRequired needs 3.11)."""
        return ">=3.11" if self.models == "typeddict" else ">=3.10"


# Built-in flavors: (models, clients, package suffix).
BUILTIN: dict[str, tuple[str, tuple[str, ...], str]] = {
    "pydantic": ("pydantic", ("sync", "async"), ""),
    "dataclasses": ("dataclasses", ("sync", "async"), "_lite"),
    "typeddict": ("typeddict", ("sync", "async"), "_dicts"),
}


class ConfigError(Exception):
    """A bad configuration value; the message names the source and key."""


TOP_KEYS = ("spec", "out", "version", "flavors", "flavor", "pagination")
CONFIG_FILE = "pyproject.toml"
START_HINT = (
    "no spec to generate from: pass --spec path/to/openapi.yaml, or add to pyproject.toml:\n"
    '    [tool.acs-sdkgen]\n    spec = "path/to/openapi.yaml"\n    out = "generated"'
)


def did_you_mean(word: str, known: tuple[str, ...] | list[str]) -> str:
    """` (did you mean 'x'?)` for the nearest known word, else the list of known words."""
    near = difflib.get_close_matches(word, known, n=1)
    return f" (did you mean {near[0]!r}?)" if near else f" (known: {', '.join(known)})"


@dataclass(frozen=True)
class Config:
    """Everything `generate` needs besides the spec's content."""

    spec: Path | None
    out: Path
    version: str
    flavors: tuple[str, ...]
    overrides: dict[str, dict[str, Any]]
    source: str
    pagination: dict[str, Any] = field(default_factory=dict)  # paging declarations by operationId or action

    @property
    def spec_path(self) -> Path:
        """The spec file; a ConfigError that says how to start when none is configured."""
        if self.spec is None:
            raise ConfigError(START_HINT)
        return self.spec

    def resolve(self, spec_package: str) -> tuple[Flavor, ...]:
        """The selected flavors with defaults filled from the spec's package name."""
        result = []
        for name in self.flavors:
            raw = dict(self.overrides.get(name, {}))
            _, clients, suffix = BUILTIN.get(name, ("", ("sync", "async"), "_" + name))
            package = raw.get("package", spec_package + suffix)
            flavor = Flavor(
                name=name,
                models=self._model_kind(name),
                clients=tuple(raw.get("clients", clients)),
                package=package,
                distribution=raw.get("distribution", package.replace("_", "-")),
                version=raw.get("version", self.version),
            )
            result.append(_checked(flavor, self.source))
        return tuple(result)

    def model_kinds(self) -> tuple[str, ...]:
        """The kinds of models (datamodel-code-generator output types) the selected flavors use."""
        return tuple(self._model_kind(name) for name in self.flavors)

    def _model_kind(self, name: str) -> str:
        """A flavor's kind of models: its `models` option, else the built-in flavor's, else pydantic."""
        kind: str = self.overrides.get(name, {}).get("models", BUILTIN.get(name, ("pydantic",))[0])
        return kind

    def with_cli(self, flavors: list[str], options: list[str]) -> Config:
        """Apply `--flavor` and `--option NAME.KEY=VALUE` from the command line."""
        overrides = {k: dict(v) for k, v in self.overrides.items()}
        for item in options:
            name, key, value = _parse_option(item)
            overrides.setdefault(name, {})[key] = value.split(",") if key == "clients" else value
        known = (*BUILTIN, *overrides)
        for name in (*flavors, *overrides):
            if name not in known or (name not in BUILTIN and "models" not in overrides[name]):
                hint = did_you_mean(name, list(BUILTIN))
                raise ConfigError(f"unknown flavor {name!r}{hint}; a new flavor needs models = pydantic|dataclasses|typeddict")
        return replace(self, flavors=tuple(flavors) or self.flavors, overrides=overrides)


def _parse_option(item: str) -> tuple[str, str, str]:
    """Split `NAME.KEY=VALUE`."""
    target, sep, value = item.partition("=")
    name, dot, key = target.partition(".")
    if not (sep and dot and name and key):
        raise ConfigError(f"--option {item!r}: expected FLAVOR.KEY=VALUE, e.g. dataclasses.package=mysdk")
    if key not in OPTION_KEYS:
        raise ConfigError(f"--option {item!r}: unknown key {key!r}{did_you_mean(key, OPTION_KEYS)}")
    return name, key, value


def _checked(flavor: Flavor, source: str) -> Flavor:
    """Reject option values that cannot work."""
    where = f"{source}: flavor {flavor.name!r}"
    if flavor.models not in MODEL_KINDS:
        raise ConfigError(f"{where}: models = {flavor.models!r}; choose one of {', '.join(MODEL_KINDS)}")
    if not flavor.clients or any(c not in CLIENT_KINDS for c in flavor.clients):
        raise ConfigError(f"{where}: clients = {list(flavor.clients)!r}; use 'sync' and/or 'async'")
    if not flavor.package.isidentifier():
        raise ConfigError(f"{where}: package = {flavor.package!r} is not a valid Python identifier")
    return flavor


def _table(path: Path) -> dict[str, Any] | None:
    """The `[tool.acs-sdkgen]` table of a pyproject.toml, or None when it has none."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read: {exc}") from None
    table = document.get("tool", {}).get("acs-sdkgen")
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.acs-sdkgen] must be a table")
    return table


def find_config(start: Path) -> Path | None:
    """The nearest pyproject.toml with a `[tool.acs-sdkgen]` table, from `start` upwards."""
    for directory in (start, *start.parents):
        candidate = directory / CONFIG_FILE
        if candidate.is_file() and _table(candidate) is not None:
            return candidate
    return None


def load_config(pyproject: Path | None = None, cwd: Path | None = None) -> Config:
    """The configuration of `pyproject` (which must exist), else of the nearest one upwards from `cwd`."""
    if pyproject is not None and not pyproject.is_file():
        raise ConfigError(f"--config {pyproject}: no such file")
    path = pyproject or find_config((cwd or Path.cwd()).resolve())
    if path is None:
        return Config(spec=None, out=Path("generated"), version="0.1.0", flavors=("pydantic",), overrides={}, source="defaults")
    table = _table(path)
    if table is None:
        raise ConfigError(f"{path}: has no [tool.acs-sdkgen] table")
    source = f"{path} [tool.acs-sdkgen]"
    for key in table:
        if key not in TOP_KEYS:
            raise ConfigError(f"{source}: unknown key {key!r}{did_you_mean(key, TOP_KEYS)}")
    base = path.parent
    flavors = table.get("flavors", ["pydantic"])
    if not isinstance(flavors, list) or not all(isinstance(f, str) for f in flavors) or not flavors:
        raise ConfigError(f"{source}: flavors must be a non-empty list of names")
    overrides = table.get("flavor", {})
    if not isinstance(overrides, dict) or not all(isinstance(v, dict) for v in overrides.values()):
        raise ConfigError(f"{source}: flavor must hold one table per flavor, e.g. [tool.acs-sdkgen.flavor.pydantic]")
    for name, options in overrides.items():
        for key in options:
            if key not in OPTION_KEYS:
                raise ConfigError(f"{source}: flavor.{name}: unknown key {key!r}{did_you_mean(key, OPTION_KEYS)}")
    for name in flavors:
        if name not in BUILTIN and "models" not in overrides.get(name, {}):
            raise ConfigError(
                f"{source}: flavors: unknown flavor {name!r}{did_you_mean(name, list(BUILTIN))}; "
                f"a new flavor needs a [tool.acs-sdkgen.flavor.{name}] table with models = ..."
            )
    for key in ("spec", "out", "version"):
        if key in table and not isinstance(table[key], str):
            raise ConfigError(f"{source}: {key} must be a string")
    pagination = table.get("pagination", {})
    if not isinstance(pagination, dict) or not all(isinstance(v, dict) for v in pagination.values()):
        raise ConfigError(
            f'{source}: pagination must hold one table per operation, e.g. ListInstances = {{ scheme = "token" }}'
        )
    return Config(
        spec=base / table["spec"] if "spec" in table else None,
        out=base / table.get("out", "generated"),
        version=table.get("version", "0.1.0"),
        flavors=tuple(flavors),
        overrides=overrides,
        source=source,
        pagination=pagination,
    )
