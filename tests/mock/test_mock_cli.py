"""`acs-sdkgen mock` as a user runs it: a subprocess on a free port, a real SDK call, a clean stop on SIGTERM."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.functional.flavors import REPO_ROOT

from .conftest import KEY_ID, SECRET

BROKEN = REPO_ROOT / "tests" / "broken" / "dangling_ref.yaml"


def _env(**extra: str) -> dict[str, str]:
    """The environment without proxies or Alibaba Cloud variables, plus `extra`."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith("ALIBABA_CLOUD_") and not k.upper().endswith("_PROXY")}
    return {**keep, **extra}


def test_cli_serves_the_configured_spec_and_stops_on_sigterm() -> None:
    """Without SPEC it serves the configured spec with the keys from the environment; SIGTERM stops it with exit 0."""
    import outboundbot

    env = _env(ALIBABA_CLOUD_ACCESS_KEY_ID=KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET=SECRET)
    process = subprocess.Popen(
        [sys.executable, "-m", "acs_sdkgen", "mock", "--port", "0"],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        banner = process.stdout.readline()
        found = re.search(r"at http://(127\.0\.0\.1:\d+); signatures checked", banner)
        assert found, banner + process.stderr.read()
        with outboundbot.Client(endpoint=found.group(1), protocol="http", access_key_id=KEY_ID, access_key_secret=SECRET) as sdk:
            created = sdk.create_instance(instance_name="cli", max_concurrent_conversation=2)
            assert sdk.describe_instance(instance_id=created.instance.instance_id).instance.instance_name == "cli"
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert out.strip() == "mock stopped"
    assert "[CreateInstance] -> 200" in err and "[DescribeInstance] -> 200" in err


def test_cli_broken_spec_exits_2_with_the_diagnostics_of_generate(tmp_path: Path) -> None:
    """A broken spec: exit 2 and the same located diagnostics `generate` prints."""
    mock = subprocess.run([sys.executable, "-m", "acs_sdkgen", "mock", str(BROKEN)], capture_output=True, text=True, env=_env(), timeout=120)
    generate = subprocess.run(
        [sys.executable, "-m", "acs_sdkgen", "generate", "--spec", str(BROKEN), "--out", str(tmp_path / "out")],
        capture_output=True, text=True, env=_env(), timeout=120, cwd=tmp_path,
    )
    assert (mock.returncode, generate.returncode) == (2, 2)
    diagnostics = [line for line in generate.stderr.splitlines() if line.startswith("ERROR ")]
    assert diagnostics and [line for line in mock.stderr.splitlines() if line.startswith("ERROR ")] == diagnostics
    assert "the mock did not start" in mock.stderr


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ("rules:\n  - answer: {fault: melt}\n", "rules[0].answer.fault: one of reset, hang, got 'melt'"),
        ("rules: [\n", "cannot read the rules file"),
    ],
)
def test_cli_bad_rules_file_exits_2_naming_the_problem(tmp_path: Path, rules: str, message: str) -> None:
    """A rules file that cannot be used: exit 2, the message names the file and the rule."""
    path = tmp_path / "rules.yaml"
    path.write_text(rules, encoding="utf-8")
    spec = REPO_ROOT / "spec" / "outboundbot.yaml"
    done = subprocess.run([sys.executable, "-m", "acs_sdkgen", "mock", str(spec), "--rules", str(path)], capture_output=True, text=True, env=_env(), timeout=120)
    assert done.returncode == 2 and message in done.stderr and str(path) in done.stderr
