"""The generated SDK flavors behind one small adapter, so behaviour tests run unchanged for each.

``generated/`` holds the same SDK three times: ``outboundbot`` (pydantic models), ``outboundbot_lite``
(stdlib dataclasses) and ``outboundbot_dicts`` (TypedDicts keyed by wire names).
``Flavor.read(result, "instance.instance_id")`` reads a result by its Python attribute path, or by
the wire keys (``result["Instance"]["InstanceId"]``) for the typeddict flavor.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from types import ModuleType

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
GENERATED = REPO_ROOT / "generated"
KINDS = ("sync", "async")
CLIENT_CLASSES = {"sync": "Client", "async": "AsyncClient"}


@dataclass(frozen=True)
class FlavorSpec:
    """What a flavor is expected to be: its import name, client kinds and how results are keyed."""

    module: str
    kinds: tuple[str, ...]
    wire_keys: bool


FLAVOR_SPECS: Mapping[str, FlavorSpec] = {
    "pydantic": FlavorSpec("outboundbot", ("sync", "async"), wire_keys=False),
    "dataclasses": FlavorSpec("outboundbot_lite", ("sync", "async"), wire_keys=False),
    "typeddict": FlavorSpec("outboundbot_dicts", ("sync", "async"), wire_keys=True),
}
FLAVORS = tuple(FLAVOR_SPECS)

# Python attribute name -> wire name, for every field the tests read (written out, not derived).
WIRE_NAMES: Mapping[str, str] = {
    "code": "Code",
    "creation_time": "CreationTime",
    "creator_id": "CreatorId",
    "creator_name": "CreatorName",
    "http_status_code": "HttpStatusCode",
    "instance": "Instance",
    "instance_description": "InstanceDescription",
    "instance_id": "InstanceId",
    "instance_name": "InstanceName",
    "max_concurrent_conversation": "MaxConcurrentConversation",
    "message": "Message",
    "owner_name": "OwnerName",
    "request_id": "RequestId",
    "resource_group_id": "ResourceGroupId",
    "success": "Success",
}


@dataclass(frozen=True)
class Flavor:
    """One generated SDK flavor: its package, errors module, client kinds and result reader."""

    name: str
    package: ModuleType
    errors: ModuleType
    models: ModuleType
    kinds: tuple[str, ...]
    wire_keys: bool

    @property
    def directory(self) -> Path:
        """The flavor's project directory under ``generated/``."""
        return GENERATED / self.name

    def client_class(self, kind: str) -> type:
        """The ``Client`` (sync) or ``AsyncClient`` (async) class; skip when the flavor has none."""
        if kind not in self.kinds:
            pytest.skip(f"the {self.name} flavor has no {kind} client")
        return getattr(self.package, CLIENT_CLASSES[kind])

    def read(self, result: object, path: str) -> object:
        """The value at a dotted Python attribute path, e.g. ``"instance.instance_id"``."""
        value = result
        for part in path.split("."):
            if self.wire_keys:
                assert type(value) is dict, f"{path}: {type(value).__name__} at {part}"
                value = value[WIRE_NAMES[part]]
            else:
                value = getattr(value, part)
        return value

    def is_model(self, result: object, model: str) -> bool:
        """Whether ``result`` is an instance of the flavor's response model ``model``."""
        model_class = getattr(self.models, model)
        if self.wire_keys:
            fields = typing.get_type_hints(model_class)
            return type(result) is dict and set(result) <= set(fields)
        return type(result).__name__ == model and isinstance(result, model_class)


def load_flavor(name: str) -> Flavor:
    """Import one flavor (skip the tests when it is not installed)."""
    spec = FLAVOR_SPECS[name]
    package = pytest.importorskip(spec.module)
    _require_installed_copy(name, Path(package.__file__).parent)
    return Flavor(
        name=name,
        package=package,
        errors=import_module(f"{spec.module}.errors"),
        models=import_module(f"{spec.module}.models"),
        kinds=spec.kinds,
        wire_keys=spec.wire_keys,
    )


def _require_installed_copy(name: str, installed: Path) -> None:
    """Fail unless the package was installed from its wheel (not imported from generated/) and is current."""
    source = GENERATED / name / installed.name
    if installed.resolve() == source.resolve():
        pytest.fail(f"{installed} is the source tree: these tests run against the installed wheel (`make test` installs it)")
    stale = sorted(
        p.relative_to(source).as_posix()
        for p in source.rglob("*.py")
        if "__pycache__" not in p.parts and _bytes(installed / p.relative_to(source)) != p.read_bytes()
    )
    if stale:
        pytest.fail(f"the installed {installed.name} differs from generated/ ({', '.join(stale[:3])}): `make test` reinstalls it")


def _bytes(path: Path) -> bytes | None:
    """A file's bytes, or None when it does not exist."""
    return path.read_bytes() if path.is_file() else None
