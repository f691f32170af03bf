"""Packaging rules: standard library only, relative imports only, a light import."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

RUNTIME = Path(__file__).resolve().parents[2] / "generator" / "runtime"
HEAVY = [
    "json",
    "http.client",
    "asyncio",
    "ssl",
    "dataclasses",
    "typing",
    "re",
    "hmac",
    "email",
]


# The one third-party import: httpx, inside a function of httpx_transport.py (run only once a
# user passes an httpx client as http_client=).
OPTIONAL_IMPORTS = {"httpx_transport.py": "httpx"}


def test_only_stdlib_and_relative_imports() -> None:
    for path in sorted(RUNTIME.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import) and node not in tree.body:
                if [alias.name for alias in node.names] == [OPTIONAL_IMPORTS.get(path.name)]:
                    continue
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names, f"{path.name} imports {name}"
                assert top != "generator", f"{path.name} imports {name}"


def test_every_module_has_a_docstring() -> None:
    for path in sorted(RUNTIME.glob("*.py")):
        assert ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))), path.name


def test_copied_runtime_imports_without_heavy_modules(tmp_path: Path) -> None:
    package = tmp_path / "sdkpkg" / "_runtime"
    package.mkdir(parents=True)
    (tmp_path / "sdkpkg" / "__init__.py").write_text("", encoding="utf-8")
    for path in RUNTIME.glob("*.py"):
        shutil.copy(path, package / path.name)
    code = (
        "import sys; sys.path.insert(0, '.'); before = set(sys.modules); "
        "import sdkpkg._runtime as rt; "
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules and m not in before)); "
        "print(rt.SyncAPIClient.__name__)"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["[]", "SyncAPIClient"]
