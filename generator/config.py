"""Configuration: which SDK flavors to build and their options, from pyproject.toml or the command line.

The `[tool.acs-sdkgen]` table of a `pyproject.toml` (or an `acs-sdkgen.toml` beside the spec, same keys
at top level) may set:

    spec = "spec/outboundbot.yaml"     # default spec for generate/check
    out = "generated"                  # output directory
    version = "0.1.0"                  # version of every generated distribution
    flavors = ["pydantic", "dataclasses", "typeddict"]   # what `generate` builds

    [tool.acs-sdkgen.flavor.dataclasses]                 # per-flavor overrides
    package = "outboundbot_lite"       # import name   (default: spec package + flavor suffix)
    distribution = "outboundbot-lite"  # pip name      (default: package with dashes)
    version = "0.1.0"
    models = "dataclasses"             # pydantic | dataclasses | typeddict
    clients = ["sync"]                 # sync and/or async

On the command line, `--flavor NAME` (repeatable) selects flavors and `--option NAME.KEY=VALUE`
overrides one option (lists are comma-separated: `--option typeddict.clients=sync`).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
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
    def requires_python(self) -> str:
        """Oldest Python the package supports (TypedDict's NotRequired needs 3.11)."""
        return ">=3.11" if self.models == "typeddict" else ">=3.10"


# Built-in flavors: (models, clients, package suffix).
BUILTIN: dict[str, tuple[str, tuple[str, ...], str]] = {
    "pydantic": ("pydantic", ("sync", "async"), ""),
    "dataclasses": ("dataclasses", ("sync",), "_lite"),
    "typeddict": ("typeddict", ("sync", "async"), "_dicts"),
}


class ConfigError(Exception):
    """A bad configuration value; the message names the source and key."""


@dataclass(frozen=True)
class Config:
    """Everything `generate` needs besides the spec's content."""

    spec: Path
    out: Path
    version: str
    flavors: tuple[str, ...]
    overrides: dict[str, dict[str, Any]]
    source: str

    def resolve(self, spec_package: str) -> tuple[Flavor, ...]:
        """The selected flavors with defaults filled from the spec's package name."""
        result = []
        for name in self.flavors:
            raw = dict(self.overrides.get(name, {}))
            models, clients, suffix = BUILTIN.get(name, (raw.get("models", "pydantic"), ("sync", "async"), "_" + name))
            package = raw.get("package", spec_package + suffix)
            flavor = Flavor(
                name=name,
                models=raw.get("models", models),
                clients=tuple(raw.get("clients", clients)),
                package=package,
                distribution=raw.get("distribution", package.replace("_", "-")),
                version=raw.get("version", self.version),
            )
            result.append(_checked(flavor, self.source))
        return tuple(result)

    def with_cli(self, flavors: list[str], options: list[str]) -> Config:
        """Apply `--flavor` and `--option NAME.KEY=VALUE` from the command line."""
        overrides = {k: dict(v) for k, v in self.overrides.items()}
        for item in options:
            name, key, value = _parse_option(item)
            overrides.setdefault(name, {})[key] = value.split(",") if key == "clients" else value
        return replace(self, flavors=tuple(flavors) or self.flavors, overrides=overrides)


def _parse_option(item: str) -> tuple[str, str, str]:
    """Split `NAME.KEY=VALUE`."""
    target, sep, value = item.partition("=")
    name, dot, key = target.partition(".")
    if not (sep and dot and name and key):
        raise ConfigError(f"--option {item!r}: expected FLAVOR.KEY=VALUE, e.g. dataclasses.package=mysdk")
    if key not in OPTION_KEYS:
        raise ConfigError(f"--option {item!r}: unknown key {key!r}; known: {', '.join(OPTION_KEYS)}")
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


def load_config(pyproject: Path | None = None) -> Config:
    """Read `[tool.acs-sdkgen]` from pyproject.toml in the current directory (or the given file)."""
    path = pyproject or Path("pyproject.toml")
    table: dict[str, Any] = {}
    if path.is_file():
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {}).get("acs-sdkgen", {})
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path.name}: not valid TOML: {exc}") from None
    source = f"{path.name} [tool.acs-sdkgen]"
    flavors = table.get("flavors", ["pydantic"])
    if not isinstance(flavors, list) or not all(isinstance(f, str) for f in flavors) or not flavors:
        raise ConfigError(f"{source}: flavors must be a non-empty list of names")
    overrides = table.get("flavor", {})
    for name, options in overrides.items():
        unknown = sorted(set(options) - set(OPTION_KEYS))
        if unknown:
            raise ConfigError(f"{source}: flavor.{name}: unknown option(s) {', '.join(unknown)}")
    return Config(
        spec=Path(table.get("spec", "spec/outboundbot.yaml")),
        out=Path(table.get("out", "generated")),
        version=str(table.get("version", "0.1.0")),
        flavors=tuple(flavors),
        overrides=overrides,
        source=source,
    )
