"""Every ```python block of the generated docs site runs, unchanged but for the endpoint, against the
local signature-checking server, and the server sees the action the example calls.

The examples are written for users: `Client()` with the default regional endpoint and credentials from
`ALIBABA_CLOUD_ACCESS_KEY_ID` / `_SECRET`. Here each one runs in a fresh interpreter with those
variables set to the fake gateway's `testid` / `testsecret`, and with one rewrite: every `Client(` and
`AsyncClient(` call gets `endpoint="127.0.0.1:PORT", protocol="http"` as its first arguments, so the
request goes to the local server instead of Alibaba Cloud. Nothing else in the example is changed.
The generated packages are imported from `generated/<flavor>/` (PYTHONPATH), i.e. the tree the docs
describe.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.docs.conftest import EXECUTED
from tests.docs.sitetools import (
    CONFIG,
    OUT,
    PAGES,
    ROOT,
    CodeBlock,
    clean_env,
    code_blocks,
    load_ir,
)
from tests.support.acs_server import AcsServer

API = load_ir(ROOT / CONFIG.spec)
ACTIONS = {op.method_name: op.action for op in API.operations}
BLOCKS = code_blocks(PAGES)
CONSTRUCTOR = re.compile(r"\b(AsyncClient|Client)\(")
CALL = re.compile(r"\b(?:client|with_raw_response)\.(\w+)\(")
TIMEOUT = 60


def _pointed_at(code: str, server: AcsServer) -> str:
    """The example with every client constructor pointed at the local server."""
    return CONSTRUCTOR.sub(rf'\1(endpoint="{server.endpoint}", protocol="http", ', code)


def test_the_site_has_examples_for_every_operation_and_flavor() -> None:
    """Each operation page has a sync example per sync flavor and an async one per async flavor."""
    flavors = CONFIG.resolve(API.package)
    for op in API.operations:
        page = f"operations/{op.method_name}.md"
        codes = [b.code for b in BLOCKS if b.page == page]
        for flavor in flavors:
            imports = [c for c in codes if f"from {flavor.package} import" in c]
            if "sync" in flavor.clients:
                assert any(f"client.{op.method_name}(" in c and "await" not in c for c in imports), (page, flavor.name)
            if flavor.has_async:
                assert any(f"await client.{op.method_name}(" in c for c in imports), (page, flavor.name)
    assert any(b.page == "index.md" for b in BLOCKS), "the home page has no quickstart"


@pytest.mark.parametrize("block", BLOCKS, ids=[b.id for b in BLOCKS])
def test_example_runs_against_the_local_server(block: CodeBlock, acs_server: AcsServer, tmp_path: Path) -> None:
    """The example exits 0 in a fresh interpreter, and every action it calls reached the server, signed."""
    called = [name for name in CALL.findall(block.code) if name in ACTIONS]
    assert called, f"{block.id}: the example calls no API method"
    assert CONSTRUCTOR.search(block.code), f"{block.id}: the example creates no client"
    script = tmp_path / "example.py"
    script.write_text(_pointed_at(block.code, acs_server), encoding="utf-8")
    env = clean_env()
    env["ALIBABA_CLOUD_ACCESS_KEY_ID"] = "testid"
    env["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = "testsecret"
    flavor_dirs = [str(OUT / flavor) for flavor in CONFIG.flavors]
    env["PYTHONPATH"] = ":".join([*flavor_dirs, *filter(None, [env.get("PYTHONPATH")])])
    result = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=TIMEOUT
    )
    assert result.returncode == 0, f"{block.id} failed:\n{block.code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    seen = [(r.action, r.verified, r.status) for r in acs_server.requests]
    for name in called:
        assert (ACTIONS[name], True, 200) in seen, f"{block.id}: the server saw {seen}, not a signed {ACTIONS[name]}"
    assert all(verified for _, verified, _ in seen), f"{block.id}: unverified requests {seen}"
    EXECUTED.append(block.id)
    print(f"ran {block.id}: {', '.join(ACTIONS[n] for n in called)} ({len(seen)} request(s))")
