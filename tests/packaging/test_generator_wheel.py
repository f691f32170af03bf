"""The generator installs like any tool: from its wheel (and its sdist) into a clean virtual environment,
it generates, checks, diffs and builds the docs of a user's project from outside this repository; the
pre-commit hook works the way pre-commit runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.packaging.venvs import clean_venv, run
from tests.support.git import git

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "spec" / "outboundbot.yaml"
USER_CONFIG = """[project]
name = "my-service"
version = "1.0.0"

[tool.acs-sdkgen]
spec = "spec/api.yaml"
out = "sdk"
flavors = ["pydantic", "dataclasses"]
"""
TEMPLATES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "templates").rglob("*.jinja"))


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The generator's wheel and sdist, built from the checkout with `python -m build`."""
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--outdir", out, ROOT, timeout=900)
    return {"wheel": next(out.glob("*.whl")), "sdist": next(out.glob("*.tar.gz"))}


@pytest.fixture(scope="module")
def installed(dists: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean virtual environment with the generator installed from its wheel, docs extra included; its bin/."""
    where = tmp_path_factory.mktemp("tool") / "venv"
    python = clean_venv(where)
    run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", f"{dists['wheel']}[docs]", timeout=1200)
    return python.parent


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    """A user's repository: its own code, a spec under spec/, the configuration in pyproject.toml, one commit."""
    repo = tmp_path / "my-service"
    (repo / "spec").mkdir(parents=True)
    (repo / "app").mkdir()
    shutil.copy(SPEC, repo / "spec" / "api.yaml")
    (repo / "pyproject.toml").write_text(USER_CONFIG)
    (repo / "app" / "main.py").write_text("print('hello')\n")
    git("init", "-q", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "start", cwd=repo)
    yield repo


def tool(bin_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the installed `acs-sdkgen` with a clean environment (no PYTHONPATH, no checkout on sys.path)."""
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "HOME": os.environ.get("HOME", "/tmp"), "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([str(bin_dir / "acs-sdkgen"), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_wheel_carries_templates_and_runtime_under_its_own_name(dists: dict[str, Path]) -> None:
    """One top-level package, acs_sdkgen, with every module, runtime and template; no generic `generator`."""
    with zipfile.ZipFile(dists["wheel"]) as archive:
        names = set(archive.namelist())
    assert {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")} == {"acs_sdkgen"}
    for template in TEMPLATES:
        assert "acs_sdkgen/" + template in names, template
    modules = sorted(p.relative_to(ROOT / "generator").as_posix() for p in (ROOT / "generator").rglob("*.py"))
    missing = [m for m in modules if f"acs_sdkgen/{m}" not in names]
    assert not missing, f"modules missing from the wheel: {missing}"


def test_sdist_carries_templates(dists: dict[str, Path]) -> None:
    """The sdist has the templates too, so an install from source works as well."""
    with tarfile.open(dists["sdist"]) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    assert all(template in names for template in TEMPLATES)


def test_installed_tool_generates_checks_diffs_and_builds_docs(installed: Path, project: Path) -> None:
    """From a subdirectory of a user's repository: generate, check, diff (files and git revisions), docs build."""
    where = project / "app"  # the configuration is found upwards; its paths are relative to it
    version = tool(installed, "--version", cwd=where)
    assert version.returncode == 0 and version.stdout.startswith("acs-sdkgen 0.1.0"), version
    generated = tool(installed, "generate", cwd=where)
    assert generated.returncode == 0, generated.stderr
    assert (project / "sdk" / "pydantic" / "outboundbot" / "_client.py").is_file()
    assert not (project / "sdk" / "typeddict").exists()
    assert (project / "app" / "main.py").read_text() == "print('hello')\n"
    checked = tool(installed, "check", cwd=where)
    assert checked.returncode == 0 and "up to date" in checked.stdout, checked
    git("add", "-A", cwd=project)
    git("commit", "-q", "-m", "sdk", cwd=project)
    spec = project / "spec" / "api.yaml"
    spec.write_text(spec.read_text().replace("CallingNumber", "CallingNumbers"))
    stale = tool(installed, "check", cwd=project)
    assert stale.returncode == 1 and "is stale: run `acs-sdkgen generate`" in stale.stderr, stale
    breaking = tool(installed, "diff", "HEAD:spec/api.yaml", "spec/api.yaml", cwd=project)
    assert breaking.returncode == 1 and "calling_number" in breaking.stdout, breaking
    docs = tool(installed, "docs", "build", cwd=where)
    assert docs.returncode == 0, docs.stderr
    assert (where / "site" / "index.html").is_file()
    assert git("status", "--porcelain", "--", "app/main.py", "pyproject.toml", cwd=project) == ""


def test_installed_tool_without_configuration_says_how_to_start(installed: Path, tmp_path: Path) -> None:
    """In an empty directory with no pyproject.toml, the message says what to pass, not our spec's name."""
    result = tool(installed, "generate", cwd=tmp_path)
    assert result.returncode == 2
    assert "acs-sdkgen: error: no spec to generate from: pass --spec" in result.stderr
    assert "outboundbot" not in result.stderr


def test_pre_commit_hook_runs_as_pre_commit_installs_it(project: Path, tmp_path: Path) -> None:
    """`pre-commit try-repo` installs this repository as a hook; it passes on a fresh SDK, fails on a stale one."""
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    generate = subprocess.run([str(bin_dir / "acs-sdkgen"), "generate", "-q"], cwd=project, capture_output=True, text=True)
    assert generate.returncode == 0, generate.stderr
    git("add", "-A", cwd=project)
    git("commit", "-q", "-m", "sdk", cwd=project)

    def try_repo() -> subprocess.CompletedProcess[str]:
        command = [str(bin_dir / "pre-commit"), "try-repo", str(ROOT), "acs-sdkgen-check", "--all-files"]
        return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=1200)

    fresh = try_repo()
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    assert "Passed" in fresh.stdout
    spec = project / "spec" / "api.yaml"
    spec.write_text(spec.read_text().replace("CallingNumber", "CallingNumbers"))
    git("add", "-A", cwd=project)
    stale = try_repo()
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert "Failed" in stale.stdout and "is stale" in stale.stdout
