"""Helpers of the docs-site tests: where the site is, its pages and code blocks, the IR, offline builds."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

from acs_sdkgen.config import load_config
from acs_sdkgen.frontend import read_spec
from acs_sdkgen.ir import tree as ir

ROOT = Path(__file__).resolve().parents[2]
CONFIG = load_config(ROOT / "pyproject.toml")
OUT = ROOT / CONFIG.out
SITE = OUT / "docs"  # the MkDocs project: mkdocs.yml, docs/ (the pages), changelog.json
PAGES = SITE / "docs"
OFFLINE = Path(__file__).resolve().parent / "offline.py"

# A fenced block opening at any indentation (tabbed content is indented); the closing fence must
# use the same indentation and at least as many backticks.
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<ticks>`{3,})(?P<info>[^`\n]*)$")


@dataclass(frozen=True)
class CodeBlock:
    """One fenced code block of a page."""

    page: str  # path relative to the docs_dir, e.g. "operations/create_instance.md"
    line: int  # 1-based line of the opening fence
    language: str
    code: str

    @property
    def id(self) -> str:
        """A readable test id: page and line."""
        return f"{self.page}:{self.line}"


def code_blocks(pages: Path, language: str | None = "python") -> list[CodeBlock]:
    """Every fenced block (of `language`, or all) in every Markdown page under `pages`, in order."""
    found = []
    for path in sorted(pages.rglob("*.md")):
        lines = path.read_text(encoding="utf-8").splitlines()
        index = 0
        while index < len(lines):
            match = FENCE.match(lines[index])
            if not match:
                index += 1
                continue
            indent, ticks = match["indent"], match["ticks"]
            info = match["info"].strip().split()
            end = index + 1
            while end < len(lines) and not re.fullmatch(re.escape(indent) + ticks + "`*[ \t]*", lines[end]):
                end += 1
            body = [line[len(indent):] if line.startswith(indent) else line.lstrip() for line in lines[index + 1 : end]]
            block = CodeBlock(path.relative_to(pages).as_posix(), index + 1, info[0] if info else "", "\n".join(body) + "\n")
            if language is None or block.language == language:
                found.append(block)
            index = end + 1
    return found


def load_ir(spec: Path) -> ir.Api:
    """The IR of a spec, built as `generate` builds it (without rendering anything)."""
    return read_spec(spec).api


def normalized(text: str) -> str:
    """Text with every run of whitespace as one space (Markdown cells and docstrings wrap differently)."""
    return " ".join(text.split())


def clean_env() -> dict[str, str]:
    """The environment without proxies and ALIBABA_CLOUD_* settings, with Material's banner off."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ALIBABA_CLOUD_") and k.upper() not in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")
    }
    env["NO_MKDOCS_2_WARNING"] = "1"
    return env


def mkdocs_build(project: Path, site: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """`mkdocs build --strict` of `project` into `site`, in a process where only loopback can be reached."""
    command = [sys.executable, str(OFFLINE), "build", "--strict", "--clean", "-f", str(project / "mkdocs.yml"), "-d", str(site), *extra]
    return subprocess.run(command, cwd=project, env=clean_env(), capture_output=True, text=True, timeout=300)


def describe(result: subprocess.CompletedProcess[str]) -> str:
    """A failed process's exit code and output, for assertion messages."""
    return textwrap.indent(f"exit {result.returncode}\n{result.stdout}\n{result.stderr}", "  ")
