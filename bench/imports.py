"""SDK import time in a fresh process: the package root, and the client plus one operation.

Each probe runs `python -c` in the SDK's own environment and times its statements in-process
(interpreter start-up excluded), after one untimed run that writes the bytecode caches.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from envs import ENVS_BY_NAME
from records import OURS, Row
from stats import CommandFailed, repeat, run_json
from tools import SDK, TOOLS_BY_NAME, ensure_output

SUITE = "import"
OFFICIAL = "official SDK"
TIMER = "import json, time\nt = time.perf_counter()\n{code}\nprint(json.dumps(time.perf_counter() - t))"
OFFICIAL_ROOT = "from alibabacloud_outboundbot20191226.client import Client"
OFFICIAL_CLIENT = """\
from alibabacloud_outboundbot20191226.client import Client
from alibabacloud_outboundbot20191226 import models
from alibabacloud_tea_openapi.models import Config
c = Client(Config(access_key_id="a", access_key_secret="b", endpoint="127.0.0.1:9", protocol="http"))
c.describe_instance_with_options, models.DescribeInstanceRequest, models.DescribeInstanceResponse"""
OURS_RPC_CLIENT = """\
import {pkg}
c = {pkg}.Client(access_key_id="a", access_key_secret="b", endpoint="127.0.0.1:9", protocol="http")
c.describe_instance, {pkg}.DescribeInstanceResponse"""
OURS_REST_CLIENT = """\
import {pkg}
c = {pkg}.Client(base_url="http://127.0.0.1:9")
c.get_instance, {pkg}.GetInstanceResponse"""
OPC_CLIENT = """\
from {pkg} import Client
from {pkg}.api.instance import {op}
from {pkg}.models import {model}
Client(base_url="http://127.0.0.1:9"), {op}.sync"""
OAG_CLIENT = """\
from openapi_client.api_client import ApiClient
from openapi_client.configuration import Configuration
from openapi_client.api.instance_api import InstanceApi
from openapi_client.models.{module} import {model}
InstanceApi(ApiClient(Configuration(host="http://127.0.0.1:9"))).{op}"""


@dataclass(frozen=True)
class Probe:
    """Statements to time in a fresh interpreter of an environment, with a PYTHONPATH."""

    case: str
    subject: str
    env: str
    path: Path | None
    code: str

    def once(self) -> float:
        """Seconds the statements took in one fresh process."""
        extra = {"PYTHONPATH": str(self.path)} if self.path else {}
        return float(
            run_json(
                [ENVS_BY_NAME[self.env].python, "-c", TIMER.format(code=self.code)],
                env=extra,
            )
        )


def package_in(directory: Path) -> str:
    """The single importable package directly under `directory`."""
    found = sorted(
        p.parent.name
        for p in directory.glob("*/__init__.py")
        if p.parent.name not in ("test", "tests")
    )
    if len(found) != 1:
        raise CommandFailed(f"expected one package in {directory}, found {found}")
    return found[0]


def outboundbot_probes() -> list[Probe]:
    """Our committed Outbound Bot SDK against the official one."""
    ours_client = OURS_RPC_CLIENT.format(pkg="outboundbot")
    return [
        Probe("root: Outbound Bot", OURS, "ours", SDK, "import outboundbot"),
        Probe("root: Outbound Bot", OFFICIAL, "official", None, OFFICIAL_ROOT),
        Probe(
            "root: Outbound Bot",
            OFFICIAL + " (bare __init__)",
            "official",
            None,
            "import alibabacloud_outboundbot20191226",
        ),
        Probe("client+op: Outbound Bot", OURS, "ours", SDK, ours_client),
        Probe("client+op: Outbound Bot", OFFICIAL, "official", None, OFFICIAL_CLIENT),
    ]


def synthetic_probes(spec: Path) -> list[Probe]:
    """Ours and the peers' packages generated from one synthetic spec (outputs made if missing)."""
    style, count = spec.stem.split("-")
    label = f"{style} {count} ops"
    op, model = (
        ("describe_instance", "DescribeInstanceResponse")
        if style == "rpc"
        else ("get_instance", "GetInstanceResponse")
    )
    probes = []
    ours_dir = ensure_output(TOOLS_BY_NAME[OURS], spec) / "pydantic"
    ours_pkg = package_in(ours_dir)
    ours_client = (OURS_RPC_CLIENT if style == "rpc" else OURS_REST_CLIENT).format(
        pkg=ours_pkg
    )
    probes += [
        Probe(f"root: {label}", OURS, "ours", ours_dir, f"import {ours_pkg}"),
        Probe(f"client+op: {label}", OURS, "ours", ours_dir, ours_client),
    ]
    opc_dir = ensure_output(TOOLS_BY_NAME["openapi-python-client"], spec)
    opc_pkg = package_in(opc_dir)
    probes += [
        Probe(
            f"root: {label}",
            "openapi-python-client",
            "openapi-python-client",
            opc_dir,
            f"import {opc_pkg}",
        ),
        Probe(
            f"client+op: {label}",
            "openapi-python-client",
            "openapi-python-client",
            opc_dir,
            OPC_CLIENT.format(pkg=opc_pkg, op=op, model=model),
        ),
    ]
    oag_dir = ensure_output(TOOLS_BY_NAME["openapi-generator"], spec)
    oag_client = OAG_CLIENT.format(module=_snake(model), model=model, op=op)
    probes += [
        Probe(
            f"root: {label}",
            "openapi-generator",
            "openapi-generator",
            oag_dir,
            "import openapi_client",
        ),
        Probe(
            f"client+op: {label}",
            "openapi-generator",
            "openapi-generator",
            oag_dir,
            oag_client,
        ),
    ]
    dcg_dir = ensure_output(TOOLS_BY_NAME["datamodel-code-generator"], spec)
    probes.append(
        Probe(
            f"root: {label}",
            "datamodel-code-generator",
            "datamodel-code-generator",
            dcg_dir,
            "import synth_models",
        )
    )
    return probes


def _snake(name: str) -> str:
    """`DescribeInstanceResponse` → `describe_instance_response`."""
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


def measure(probe: Probe, runs: int, budget: float) -> Row:
    """Warm the bytecode caches once, then time `runs` fresh processes (at least 5 past `budget` seconds)."""
    try:
        probe.once()
        sample = repeat(lambda: probe.once() * 1000, runs, "ms", budget, least=5)
    except (CommandFailed, subprocess.TimeoutExpired) as exc:
        return Row(SUITE, probe.case, probe.subject, None, str(exc))
    return Row(SUITE, probe.case, probe.subject, sample)


def run(
    specs: list[Path], runs: int, budget: float = 60, log: Callable[[str], None] = print
) -> list[Row]:
    """The Outbound Bot probes, then those of each synthetic spec."""
    rows = []
    groups: list[tuple[str, Path | None]] = [("Outbound Bot", None)]
    groups += [(spec.stem, spec) for spec in specs]
    for name, spec in groups:
        log(f"import: {name}")
        try:
            probes = outboundbot_probes() if spec is None else synthetic_probes(spec)
        except CommandFailed as exc:
            rows.append(Row(SUITE, name, "setup", None, str(exc)))
            continue
        rows += [measure(probe, runs, budget) for probe in probes]
    return rows
