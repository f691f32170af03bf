"""The docs site (MkDocs + Material): configuration, pages and the changelog's state file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from ..changes.changelog import STATE_FILE, history
from ..ir.tree import Api
from .pages import Page, render_pages
from .templates import render

# The docs site (MkDocs + Material) under docs/: its configuration, and pages under docs/docs/ (the
# docs_dir). Besides these, one page per operation and per model, and the changelog's state file.
DOC_TEMPLATES = {
    "docs/mkdocs.yml.jinja": "mkdocs.yml",
    "docs/index.md.jinja": "docs/index.md",
    "docs/operations.md.jinja": "docs/operations/index.md",
    "docs/models.md.jinja": "docs/models/index.md",
    "docs/errors.md.jinja": "docs/errors.md",
    "docs/changelog.md.jinja": "docs/changelog.md",
    "docs/sdk.css.jinja": "docs/stylesheets/sdk.css",
}


def render_docs(
    env: jinja2.Environment, api: Api, context: dict[str, Any], out: Path | None = None
) -> dict[str, bytes]:
    """The docs site: mkdocs.yml, home, operation, model, errors and changelog pages, changelog state.

    `out` is the output directory of the previous generation: its `docs/changelog.json` holds the API
    the changelog compares with (see `changes.changelog`); without it the changelog starts afresh.
    """
    previous = out / "docs" / STATE_FILE if out is not None else None
    log = history(api, context["flavor"].version, previous)
    files = {
        f"docs/{page}": render(env, name, **context, changelog=log.entries).encode()
        for name, page in DOC_TEMPLATES.items()
    }
    pages = [Page(f"docs/docs/operations/{op.method_name}.md", "docs/operation.md.jinja", "operation", op) for op in api.operations]
    pages += [Page(f"docs/docs/models/{m.class_name}.md", "docs/model.md.jinja", "model", m) for m in api.models]
    files.update(render_pages(env, api, context, pages))
    files[f"docs/{STATE_FILE}"] = log.state
    return files
