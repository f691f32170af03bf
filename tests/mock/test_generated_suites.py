"""Each SDK's generated tests (`<flavor>/tests/`) run with pytest against the mock: generated/ and the fixture specs.

generated/ runs against the installed wheels; every fixture spec's SDKs are generated into a temporary
directory and put on PYTHONPATH (about three minutes on two cores).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from acs_sdkgen.output.files import write_output

from tests.fixtures.corpus import FIXTURES, generate, spec_path
from tests.functional.flavors import FLAVORS, GENERATED, REPO_ROOT

# Tests each generated suite holds: one per operation and client kind, one per documented error, one per README example.
EXPECTED = {"outboundbot": 8, "rest_petstore": 17, "rpc_minimal": 7}


def _run_suite(project: Path, spec: Path, python_path: str | None = None) -> int:
    """`pytest <project>/tests` with the mock of `spec`; the number of tests passed (none may fail or skip)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALIBABA_CLOUD_") and not k.upper().endswith("_PROXY")}
    env["ACS_SDKGEN_MOCK_SPEC"] = str(spec)
    if python_path:
        env["PYTHONPATH"] = python_path
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider"],
        cwd=project, env=env, capture_output=True, text=True, timeout=600,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    found = re.search(r"(\d+) passed", output)
    assert found and " skipped" not in output and " failed" not in output, output
    return int(found.group(1))


@pytest.mark.parametrize("flavor", FLAVORS)
def test_generated_sdk_suite_passes(flavor: str) -> None:
    """generated/<flavor>/tests: every operation sync and async, and each documented error, all pass."""
    assert _run_suite(GENERATED / flavor, REPO_ROOT / "spec" / "outboundbot.yaml") == EXPECTED["outboundbot"]


@pytest.fixture(scope="module")
def fixture_trees(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sampled fixtures' SDKs with their tests, written to a temporary directory."""
    root = tmp_path_factory.mktemp("suites")
    for name in FIXTURES:
        result = generate(name).result
        assert result is not None, name
        write_output(root / name, result.files)
    return root


@pytest.mark.parametrize("flavor", FLAVORS)
@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_sdk_suite_passes(fixture_trees: Path, name: str, flavor: str) -> None:
    """A fixture SDK's generated tests pass against the mock of its spec."""
    project = fixture_trees / name / flavor
    passed = _run_suite(project, spec_path(name), str(project))
    if name in EXPECTED:
        assert passed == EXPECTED[name]


def test_suites_skip_without_the_spec() -> None:
    """Opt-in: without ACS_SDKGEN_MOCK_SPEC every generated test is skipped, none fails."""
    env = {k: v for k, v in os.environ.items() if k != "ACS_SDKGEN_MOCK_SPEC"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider"],
        cwd=GENERATED / "pydantic", env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0 and "8 skipped" in done.stdout, done.stdout + done.stderr
