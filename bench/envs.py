"""Peer tools and SDK runtimes in their own virtual environments under bench/.envs/."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
ENVS = BENCH / ".envs"
PYDANTIC = "pydantic==2.14.3"


@dataclass(frozen=True)
class Env:
    """A virtual environment: its name, what it installs and which distributions to report."""

    name: str
    requirements: tuple[str, ...]
    report: tuple[str, ...]

    @property
    def path(self) -> Path:
        """Directory of the environment."""
        return ENVS / self.name

    @property
    def python(self) -> Path:
        """Its interpreter."""
        return self.path / "bin" / "python"

    def bin(self, name: str) -> Path:
        """A console script of the environment."""
        return self.path / "bin" / name


# Generated packages need their own runtime libraries: each env holds the tool and what its output imports.
ENV_LIST = (
    Env("ours", (PYDANTIC,), ("pydantic",)),
    Env(
        "openapi-python-client",
        ("openapi-python-client", "httpx", "attrs", "python-dateutil"),
        ("openapi-python-client", "httpx", "attrs"),
    ),
    Env(
        "openapi-generator",
        (
            "openapi-generator-cli",
            PYDANTIC,
            "urllib3",
            "python-dateutil",
            "typing-extensions",
        ),
        ("openapi-generator-cli", "pydantic", "urllib3"),
    ),
    Env(
        "datamodel-code-generator",
        ("datamodel-code-generator==0.89.0", PYDANTIC),
        ("datamodel-code-generator",),
    ),
    Env(
        "official",
        ("alibabacloud-outboundbot20191226==2.2.1", "alibabacloud-tea-openapi==0.4.6"),
        (
            "alibabacloud-outboundbot20191226",
            "alibabacloud-tea-openapi",
            "darabonba-core",
            "aiohttp",
            "requests",
        ),
    ),
)
ENVS_BY_NAME = {env.name: env for env in ENV_LIST}


def ensure(env: Env, log=print) -> None:
    """Create and fill the environment unless a previous run finished it."""
    stamp = env.path / ".ready"
    wanted = "\n".join(env.requirements)
    if stamp.exists() and stamp.read_text() == wanted:
        return
    log(f"setting up {env.path.relative_to(ROOT)} ({', '.join(env.requirements)})")
    venv.EnvBuilder(with_pip=True, clear=True).create(env.path)
    pip = [
        str(env.python),
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ]
    done = subprocess.run([*pip, *env.requirements], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(
            f"pip install into {env.path} failed:\n{done.stdout}{done.stderr}"
        )
    stamp.write_text(wanted)


def ensure_all(names: set[str] | None = None, log=print) -> None:
    """Set up every (or every named) environment."""
    for env in ENV_LIST:
        if names is None or env.name in names:
            ensure(env, log)


def versions(env: Env) -> dict[str, str]:
    """Installed versions of the distributions the environment reports."""
    code = (
        "import json, sys\nfrom importlib import metadata\n"
        "print(json.dumps({n: metadata.version(n) for n in sys.argv[1:]}))"
    )
    out = subprocess.run(
        [str(env.python), "-c", code, *env.report],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def all_versions() -> dict[str, dict[str, str]]:
    """Versions per environment, plus the interpreter and Java."""
    found = {env.name: versions(env) for env in ENV_LIST if env.python.exists()}
    java = subprocess.run(["java", "-version"], capture_output=True, text=True)
    found["machine"] = {
        "python": sys.version.split()[0],
        "java": (java.stderr.splitlines() or ["?"])[0],
    }
    return found


if __name__ == "__main__":
    ensure_all(set(sys.argv[1:]) or None)
    print(json.dumps(all_versions(), indent=2))
