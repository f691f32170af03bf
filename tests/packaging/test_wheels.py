"""Each generated flavor is a real package: `pip wheel` builds it, it installs non-editable into a clean
virtual environment with only its declared dependencies, every exported name loads there, and both
actions work against the signature-checking server, sync and async, with the source tree out of reach."""

from __future__ import annotations

import json
import re
import sys
import zipfile
from pathlib import Path

import pytest
import tomllib

from tests.packaging.venvs import canonical, clean_venv, run
from tests.support.acs_server import AcsServer

ROOT = Path(__file__).resolve().parents[2]
FLAVORS = {
    "pydantic": "outboundbot",
    "dataclasses": "outboundbot_lite",
    "typeddict": "outboundbot_dicts",
}
# Run inside the clean venv, from an empty directory: import everything, then call both actions.
PROBE = """
import asyncio, importlib, importlib.resources, json, sys
name, endpoint = sys.argv[1], sys.argv[2]
pkg = importlib.import_module(name)
third_party_at_import = sorted(
    m for m in sys.modules if m.split(".")[0] in {"pydantic", "pydantic_core", "httpx", "requests", "urllib3", "aiohttp"}
)
loaded = [n for n in pkg.__all__ if getattr(pkg, n) is not None] + [
    n for n in pkg.models.__all__ if getattr(pkg.models, n) is not None
]
def read(obj, *path):
    for attr, key in path:
        obj = obj[key] if isinstance(obj, dict) else getattr(obj, attr)
    return obj
settings = dict(access_key_id="testid", access_key_secret="testsecret", endpoint=endpoint, protocol="http")
calls = {}
def check(kind, created, described):
    calls[kind] = [
        read(created, ("instance", "Instance"), ("instance_id", "InstanceId")),
        read(described, ("instance", "Instance"), ("instance_id", "InstanceId")),
        read(described, ("instance", "Instance"), ("instance_name", "InstanceName")),
    ]
with pkg.Client(**settings) as client:
    created = client.create_instance(instance_name="wheel-sync", max_concurrent_conversation=2)
    instance_id = read(created, ("instance", "Instance"), ("instance_id", "InstanceId"))
    check("sync", created, client.describe_instance(instance_id=instance_id))
if hasattr(pkg, "AsyncClient"):
    async def main():
        async with pkg.AsyncClient(**settings) as client:
            created = await client.create_instance(instance_name="wheel-async", max_concurrent_conversation=2)
            instance_id = read(created, ("instance", "Instance"), ("instance_id", "InstanceId"))
            check("async", created, await client.describe_instance(instance_id=instance_id))
    asyncio.run(main())
print(json.dumps({
    "file": pkg.__file__,
    "typed": importlib.resources.files(name).joinpath("py.typed").is_file(),
    "third_party_at_import": third_party_at_import,
    "exported": len(loaded),
    "calls": calls,
}))
"""


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One wheel per flavor, built by pip from generated/<flavor>."""
    out = tmp_path_factory.mktemp("wheels")
    for flavor in FLAVORS:
        run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", out / flavor, ROOT / "generated" / flavor)
    return {flavor: next((out / flavor).glob("*.whl")) for flavor in FLAVORS}


@pytest.mark.parametrize("flavor", sorted(FLAVORS))
def test_wheel_holds_every_module_of_the_source_tree(flavor: str, wheels: dict[str, Path]) -> None:
    """Every .py file and py.typed under generated/<flavor>/<package> is in the wheel, nothing is forgotten."""
    package = ROOT / "generated" / flavor / FLAVORS[flavor]
    expected = {
        p.relative_to(package.parent).as_posix()
        for p in package.rglob("*")
        if p.is_file() and (p.suffix == ".py" or p.name == "py.typed") and "__pycache__" not in p.parts
    }
    with zipfile.ZipFile(wheels[flavor]) as archive:
        shipped = {n for n in archive.namelist() if not n.split("/")[0].endswith(".dist-info")}
    assert expected - shipped == set(), f"missing from the wheel: {sorted(expected - shipped)}"
    assert f"{FLAVORS[flavor]}/models/__init__.py" in shipped


@pytest.mark.parametrize("flavor", sorted(FLAVORS))
def test_wheel_installs_imports_and_calls_in_a_clean_venv(
    flavor: str, wheels: dict[str, Path], tmp_path: Path, acs_server: AcsServer
) -> None:
    """Installed from its wheel with its declared dependencies only, the SDK exports and calls work."""
    declared = tomllib.loads((ROOT / "generated" / flavor / "pyproject.toml").read_text())["project"]["dependencies"]
    python = clean_venv(tmp_path / "venv")
    run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheels[flavor])
    empty = tmp_path / "empty"
    empty.mkdir()
    report = json.loads(run(python, "-I", "-c", PROBE, FLAVORS[flavor], acs_server.endpoint, cwd=empty))
    assert str(tmp_path / "venv") in report["file"], "imported from the clean venv, not the checkout"
    assert report["typed"], "py.typed is shipped"
    assert report["third_party_at_import"] == [], "importing the root loads no model layer"
    assert report["exported"] > 10
    kinds = ["sync", "async"]
    assert sorted(report["calls"]) == sorted(kinds)
    for kind in kinds:
        created_id, described_id, name = report["calls"][kind]
        assert created_id and created_id == described_id
        assert name == f"wheel-{kind}"
    listed = json.loads(run(python, "-m", "pip", "list", "--format=json", "--disable-pip-version-check"))
    installed = {canonical(p["name"]) for p in listed} - {"pip", "setuptools"}
    expected = {canonical(re.split(r"[<>=!~ ;\[]", d)[0]) for d in declared}
    wheel_name = canonical(FLAVORS[flavor])
    assert expected <= installed
    pydantic_stack = {"pydantic-core", "annotated-types", "typing-extensions", "typing-inspection"}
    assert installed - expected - {wheel_name} - pydantic_stack == set(), "undeclared packages installed"
    if not declared:
        assert installed == {wheel_name}, installed
