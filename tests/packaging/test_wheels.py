"""Each generated flavor is a real package: `pip wheel` builds it, and it installs into a clean
virtual environment and imports there with only its declared dependencies."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLAVORS = {
    "pydantic": "outboundbot",
    "dataclasses": "outboundbot_lite",
    "typeddict": "outboundbot_dicts",
}
PROBE = """
import importlib, json, sys
pkg = importlib.import_module(sys.argv[1])
client = pkg.Client(access_key_id="id", access_key_secret="secret", endpoint="127.0.0.1:1", protocol="http")
third_party = sorted(
    name for name in sys.modules
    if name.split(".")[0] in {"pydantic", "pydantic_core", "httpx", "requests", "urllib3", "aiohttp"}
)
print(json.dumps({"file": pkg.__file__, "typed": __import__("importlib.resources").resources.files(sys.argv[1]).joinpath("py.typed").is_file(), "third_party": third_party}))
"""


def _canonical(name: str) -> str:
    """A distribution name normalised as pip does (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _run(*args: str | Path, cwd: Path | None = None) -> str:
    """Run a command; fail with its output when it fails."""
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One wheel per flavor, built by pip from generated/<flavor>."""
    out = tmp_path_factory.mktemp("wheels")
    for flavor in FLAVORS:
        _run(
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            out / flavor,
            ROOT / "generated" / flavor,
        )
    return {flavor: next((out / flavor).glob("*.whl")) for flavor in FLAVORS}


@pytest.mark.parametrize("flavor", sorted(FLAVORS))
def test_wheel_installs_and_imports_in_a_clean_venv(
    flavor: str, wheels: dict[str, Path], tmp_path: Path
) -> None:
    """The wheel installs with its declared dependencies only; the package imports and builds a client."""
    declared = tomllib.loads(
        (ROOT / "generated" / flavor / "pyproject.toml").read_text()
    )["project"]["dependencies"]
    env = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env)
    python = env / "bin" / "python"
    _run(
        python,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        wheels[flavor],
    )
    report = json.loads(_run(python, "-c", PROBE, FLAVORS[flavor], cwd=tmp_path))
    assert str(env) in report["file"], "imported from the clean venv, not the checkout"
    assert report["typed"], "py.typed is shipped"
    assert (
        report["third_party"] == []
    ), "importing the root and building a client loads no model layer"
    listed = json.loads(
        _run(
            python, "-m", "pip", "list", "--format=json", "--disable-pip-version-check"
        )
    )
    installed = {_canonical(p["name"]) for p in listed} - {"pip", "setuptools"}
    expected = {_canonical(re.split(r"[<>=!~ ;\[]", d)[0]) for d in declared}
    wheel_name = _canonical(FLAVORS[flavor])
    assert expected <= installed
    extras = (
        installed
        - expected
        - {
            wheel_name,
            "pydantic-core",
            "annotated-types",
            "typing-extensions",
            "typing-inspection",
        }
    )
    assert extras == set(), f"undeclared packages installed: {extras}"
    if not declared:
        assert installed == {wheel_name}, installed
    print(
        f"{flavor}: wheel {wheels[flavor].name} {wheels[flavor].stat().st_size} bytes; dependencies {declared or 'none'}"
    )
