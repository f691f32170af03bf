"""The generated docs project builds with MkDocs + Material in strict mode, offline.

Builds run `mkdocs build --strict` in a subprocess whose sockets can reach loopback only
(`offline.py`), so a theme or plugin that fetched fonts or assets at build time would fail here.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from acs_sdkgen import pipeline
from acs_sdkgen.diagnostics import SpecError
from acs_sdkgen.emit.docs import render_docs
from acs_sdkgen.emit.sdk import runtime_error_names
from acs_sdkgen.emit.templates import environment
from acs_sdkgen.output.files import write_output

from tests.docs.sitetools import (
    CONFIG,
    OFFLINE,
    PAGES,
    ROOT,
    SITE,
    clean_env,
    code_blocks,
    describe,
    load_ir,
    mkdocs_build,
)

FIXTURE_SPECS = sorted(p for p in (ROOT / "tests" / "fixtures").glob("*/spec.*") if p.suffix in (".yaml", ".json"))
# Resources a page loads by itself (not links a reader may follow).
RESOURCE = re.compile(r"<(?:script|img|link|iframe|source)\b[^>]*\b(?:src|href)=\"(https?:)?//[^\"]+\"", re.I)


def _nav_pages(nav: list[object]) -> list[str]:
    """Every page path named in a MkDocs nav."""
    found: list[str] = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        found += _nav_pages(value) if isinstance(value, list) else [str(value)]
    return found


def test_generated_site_builds_strict_offline(tmp_path: Path) -> None:
    """`mkdocs build --strict` of generated/docs succeeds, fetches nothing, and loads nothing remote."""
    site = tmp_path / "site"
    result = mkdocs_build(SITE, site)
    assert result.returncode == 0, describe(result)
    assert "BLOCKED network access" not in result.stderr, result.stderr
    assert (site / "index.html").is_file()
    assert (site / "search" / "search_index.json").is_file()
    pages = sorted(p.relative_to(PAGES).as_posix() for p in PAGES.rglob("*.md"))
    for page in pages:
        html = site / (page[: -len(".md")] + ".html" if page.endswith("index.md") else page[: -len(".md")] + "/index.html")
        assert html.is_file(), f"{page} was not built"
        remote = RESOURCE.findall(html.read_text(encoding="utf-8"))
        assert not RESOURCE.search(html.read_text(encoding="utf-8")), f"{page} loads remote resources: {remote}"
    print(f"built {len(pages)} pages with mkdocs --strict")


def test_site_configuration() -> None:
    """strict mode, the Material theme, a nav listing every page, and link and anchor checks as warnings."""
    config = yaml.safe_load((SITE / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["strict"] is True
    assert config["theme"]["name"] == "material"
    assert config["theme"]["font"] is False  # no Google Fonts
    assert config["plugins"] == ["search"]
    assert config["validation"]["links"]["anchors"] == "warn"
    nav = _nav_pages(config["nav"])
    pages = sorted(p.relative_to(PAGES).as_posix() for p in PAGES.rglob("*.md"))
    assert sorted(nav) == pages
    titles = [next(iter(item)) for item in config["nav"]]
    assert titles == ["Home", "Operations", "Models", "Errors", "Changelog"]


@pytest.mark.parametrize(
    "breakage",
    ["\n[a page that is not there](no-such-page.md)\n", "\n[an anchor that is not there](errors.md#no-such-anchor)\n"],
    ids=["broken-link", "broken-anchor"],
)
def test_strict_build_fails_on_a_broken_link(tmp_path: Path, breakage: str) -> None:
    """A copy of the site with one broken link or anchor does not build: strict mode is really on."""
    project = tmp_path / "project"
    shutil.copytree(SITE, project)
    with (project / "docs" / "index.md").open("a", encoding="utf-8") as page:
        page.write(breakage)
    result = mkdocs_build(project, tmp_path / "site")
    assert result.returncode != 0, describe(result)
    target = "no-such-page.md" if "page" in breakage else "no-such-anchor"
    assert target in result.stdout + result.stderr
    assert "Aborted with" in result.stdout + result.stderr


def _fixture_docs(spec: Path) -> dict[str, bytes] | None:
    """The docs files of a fixture spec (rendered alone, without the SDK); None for an invalid spec."""
    try:
        api = load_ir(spec)
    except SpecError:
        return None  # a fixture of spec errors: nothing is generated from it
    flavors = CONFIG.resolve(api.package)
    context: dict[str, Any] = {
        "api": api,
        "flavors": flavors,
        "flavor": flavors[0],
        "header": pipeline.HEADER.format(generator="acs-sdkgen", spec=spec.name),
        "runtime_errors": runtime_error_names(),
    }
    return render_docs(environment(), api, context)


def test_fixture_sites_build_strict(tmp_path: Path) -> None:
    """The docs of every valid fixture spec (REST and RPC) build strict, and their examples compile."""
    pairs, built = [], []
    for spec in FIXTURE_SPECS:
        files = _fixture_docs(spec)
        if files is None:
            continue
        project = tmp_path / spec.parent.name
        write_output(project, {path.removeprefix("docs/"): data for path, data in files.items()})
        pairs += [str(project), str(tmp_path / "sites" / spec.parent.name)]
        built.append(spec.parent.name)
        for block in code_blocks(project / "docs"):
            compile(block.code, f"{spec.parent.name}/{block.id}", "exec")
            assert "..." not in block.code, f"{spec.parent.name}/{block.id} has a placeholder that does not run"
    if not built:
        pytest.skip("no valid fixture spec")
    command = [sys.executable, str(OFFLINE), "build-many", *pairs]
    result = subprocess.run(command, env=clean_env(), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, describe(result)
    assert "BLOCKED network access" not in result.stderr, result.stderr
    print(f"built the docs of {len(built)} fixture specs strict: {', '.join(built)}")
