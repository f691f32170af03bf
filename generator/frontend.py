"""The one front end: a spec (a file, or `REV:PATH` in git) → loaded, validated, normalised, built IR.

`generate`, `check`, `diff` and the docs changelog all read specs through `read_spec` with the same
options, so they see the same public API.
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from .diagnostics import Collector, Diagnostic, SpecError
from .forked import Later
from .ir import tree as ir
from .ir.build import build_api
from .reuse import Reuse
from .spec.loader import LoadedSpec, load_spec, parse_document
from .spec.normalize import normalize
from .spec.validate import validate_spec


@dataclass(frozen=True)
class RefOptions:
    """Which `$ref`s the loader may follow beyond the spec's own directory."""

    allow_external_refs: bool = False
    allow_remote_refs: bool = False


@dataclass(frozen=True)
class SpecRead:
    """A spec read through the front end: the loaded document, its IR, and its diagnostics so far (no errors)."""

    spec: LoadedSpec
    api: ir.Api
    diagnostics: Collector  # later stages add theirs here, located in the same spec


def read_spec(
    source: Path | str,
    options: RefOptions = RefOptions(),
    pagination: Mapping[str, Any] | None = None,
    spare_core: bool = False,
    reuse: bool = False,
    output: Path | None = None,
) -> SpecRead:
    """Load, bundle, validate, normalise and build the IR of a spec, or raise SpecError with every problem.

    A `Path` is a spec file, named by its file name in diagnostics; a `str` is what the user typed: a
    file, or `REV:PATH` read with git, named as typed. `pagination`: the configuration's paging entries.
    `spare_core`: a core is idle, so the spec is validated in a forked child while this process normalises it
    and builds the IR; the result and the diagnostics are the same as validating first. `reuse`: the IR is taken
    from the cache when only the spec's wording changed since it was cached (`reuse.Reuse`), else built and
    cached for the next edit, and so are the validation's notes; `output`: where the run writes (an edit of parameters
    carries over the entry last built for it, `carry`), else the spec file's.
    """
    text = str(source)
    if isinstance(source, str) and ":" in text and not Path(text).is_file():
        spec = _from_git(text)
    else:
        spec = load_spec(
            Path(source),
            text if isinstance(source, str) else None,
            allow_external_refs=options.allow_external_refs,
            allow_remote_refs=options.allow_remote_refs,
        )
    cached = Reuse(spec, pagination, output) if reuse else None
    checked = cached.validation() if cached else None
    work = partial(_validation_notes, spec, cached) if checked is None else partial(list, checked)
    with Later(work, fork=spare_core and checked is None) as validation:  # raises SpecError on errors
        built = Collector(spec.display_name, spec.lines, spec.origins)
        try:
            api = (cached and cached.api(built)) or build_api(normalize(spec.data, built), built, pagination)
        except Exception:
            validation.result()  # an invalid spec is reported as such, not as what its faults made fail here
            raise
        diag = Collector(spec.display_name, spec.lines, spec.origins)
        diag.extend(validation.result())
    diag.extend(built.items)
    diag.raise_if_errors()
    return SpecRead(spec, api, diag)


def _validation_notes(spec: LoadedSpec, cached: Reuse | None = None) -> list[Diagnostic]:
    """The warnings and notices of a spec that validates (its skeleton validated and cached, where reused); SpecError
    when it does not."""
    return cached.validate() if cached else validate_spec(spec).items


def _from_git(source: str) -> LoadedSpec:
    """Read `REV:PATH` with `git show` in the repository containing the current directory."""
    diag = Collector(source)
    try:
        shown = subprocess.run(["git", "show", "--no-textconv", source], capture_output=True, check=False)
    except OSError as exc:
        diag.error("", f"cannot run git to read a revision: {exc.strerror}")
        raise SpecError(diag.items) from None
    if shown.returncode != 0:
        reason = (shown.stderr.decode(errors="replace").strip().splitlines() or ["git show failed"])[0]
        diag.error("", f"cannot read the spec from git: {reason}", "write REV:PATH with PATH from the repository root")
        raise SpecError(diag.items)
    data, lines = parse_document(shown.stdout, diag)
    return LoadedSpec(Path(source.split(":", 1)[1]), source, data, lines, hashlib.sha256(shown.stdout).hexdigest())
