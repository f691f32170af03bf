"""Generation time: each tool in a cold process on each synthetic spec; ours also regenerating."""

from __future__ import annotations

import copy
import os
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable

import yaml
from make_specs import dump_spec
from records import OURS, Row
from stats import CommandFailed, Sample
from tools import TOOLS, WORK, Tool, cache_dir, clear, forget, mark_done, output_dir

SUITE = "generation"
# Our extra rows: a second `generate` with nothing changed, a forced re-render with a warm cache, and
# one small edit of each kind regenerated over the previous output (the loop users live in).
NOOP = "ours: no-change regenerate"
RERENDER = "ours: re-render, warm cache"
THREE = "ours: three flavors, cold"
FLAVORS = ("pydantic", "dataclasses", "typeddict")
METHODS = ("get", "put", "post", "delete", "patch")
# A model "few operations reach" is reached by at most this many operations; the shared-model edit takes the model
# most operations reach, if every second operation or more does (rpcx's BaseResponse, rest's ErrorResponse).
FEW_OPERATIONS = 10
_REF = re.compile(r"#/components/(\w+)/([^'\"\s]+)")  # in a part of the spec written as Python text


def _first_operation(spec: dict[str, Any]) -> dict[str, Any]:
    """The first operation of the first path."""
    item = next(iter(spec["paths"].values()))
    return next(v for k, v in item.items() if k in METHODS)


def _edit_operation(spec: dict[str, Any]) -> None:
    """One operation's summary."""
    operation = _first_operation(spec)
    operation["summary"] = operation.get("summary", "") + " (edited)"


def _edit_parameter(spec: dict[str, Any]) -> None:
    """One parameter's description."""
    _first_operation(spec)["parameters"][0]["description"] = "An edited parameter description."


def _edit_parameter_rule(spec: dict[str, Any]) -> None:
    """One parameter's schema gets a rule (a structural edit: the front end's results for the spec's old skeleton
    apply only carried over, with the operation's parameters built again)."""
    _first_operation(spec)["parameters"][0].setdefault("schema", {})["maxLength"] = 4096


def _reach(spec: dict[str, Any]) -> Counter[str]:
    """How many operations reach each component schema, through `$ref`s at any depth."""
    components = spec.get("components", {})
    inside = {(kind, name): set(_REF.findall(str(body))) for kind, named in components.items() for name, body in named.items()}
    reach: Counter[str] = Counter()
    for item in spec["paths"].values():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            seen: set[tuple[str, str]] = set()
            todo = set(_REF.findall(str(operation))) | set(_REF.findall(str(item.get("parameters", []))))
            while todo:
                seen.add(ref := todo.pop())
                todo |= inside.get(ref, set()) - seen
            reach.update(name for kind, name in seen if kind == "schemas")
    return reach


def _edit_field_of(schema: dict[str, Any]) -> None:
    """The description of a model's first field."""
    next(iter(schema["properties"].values()))["description"] = "An edited field description."


def _edit_model_field(spec: dict[str, Any]) -> None:
    """One field's description in the first model with fields that few operations reach (the issue's 1 s case)."""
    reach = _reach(spec)
    schemas = spec["components"]["schemas"]
    _edit_field_of(next(s for name, s in schemas.items() if s.get("properties") and reach[name] <= FEW_OPERATIONS))


def _edit_shared_model_field(spec: dict[str, Any]) -> None:
    """One field's description in the model most operations reach, the one most `$ref`s name among equals (a shared
    base response): the edit reaches every page that shows the field, so it costs more, in proportion (the issue:
    no 1 s target). LookupError when no model is reached by every second operation."""
    operations = sum(1 for item in spec["paths"].values() for method in item if method in METHODS)
    schemas = spec["components"]["schemas"]
    reach = _reach(spec)
    direct = Counter(name for kind, name in _REF.findall(str(spec)) if kind == "schemas")
    name = max((n for n in reach if schemas.get(n, {}).get("properties")), key=lambda n: (reach[n], direct[n]), default=None)
    if name is None or reach[name] * 2 < operations:
        raise LookupError("no model with fields is reached by every second operation")
    _edit_field_of(schemas[name])


EDITS: dict[str, Callable[[dict[str, Any]], None]] = {
    "ours: edit one operation": _edit_operation,
    "ours: edit one parameter": _edit_parameter,
    "ours: edit one parameter's rule": _edit_parameter_rule,
    "ours: edit one model field": _edit_model_field,
}
# Edits reported without the 1 s target: what they reach grows with the spec.
WIDE_EDITS: dict[str, Callable[[dict[str, Any]], None]] = {
    "ours: edit a field of a model every operation reaches": _edit_shared_model_field,
}


def _edited_specs(spec: Path) -> tuple[Path, dict[str, Path]]:
    """The spec re-dumped (the baseline) and one copy per edit, each under the spec's own file name."""
    data = yaml.safe_load(spec.read_text(encoding="utf-8"))
    folder = WORK / "edits" / spec.stem
    copies = {}
    for name, edit in {"baseline": None, **EDITS, **WIDE_EDITS}.items():
        edited = copy.deepcopy(data)
        if edit is not None:
            try:
                edit(edited)
            except LookupError:
                continue  # this spec has nothing of the kind: no row
        target = folder / name.replace(" ", "-").replace(":", "") / spec.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dump_spec(edited), encoding="utf-8")
        copies[name] = target
    return copies.pop("baseline"), copies


def case_name(spec: Path) -> str:
    """`rpc-1000.yaml` → `rpc 1000 ops`."""
    style, count = spec.stem.split("-")
    return f"{style} {count} ops"


def _ours(tool: Tool, spec: Path, samples: dict[str, Sample]) -> None:
    """One full generation from scratch (empty output, empty cache), the two regenerations, the edits, and
    one more from scratch with all three flavors.

    Each edit is generated over the baseline's output and then undone (untimed), so every edit is
    timed from the same state.
    """
    out, cache = output_dir(tool, spec), cache_dir(spec)
    clear(out, cache)
    samples[OURS].values.append(tool.run(spec, out, cache))
    samples[NOOP].values.append(tool.run(spec, out, cache))
    samples[RERENDER].values.append(tool.run(spec, out, cache, force=True))
    baseline, edited = _edited_specs(spec)
    tool.run(baseline, out, cache)
    for name, path in edited.items():
        before = _stamps(out)
        samples[name].values.append(tool.run(path, out, cache))
        rewritten = sum(1 for file, stamp in _stamps(out).items() if before.get(file) != stamp)
        samples[name].note = f"{rewritten} file{'' if rewritten == 1 else 's'} rewritten"
        tool.run(baseline, out, cache)
    clear(out, cache)
    samples[THREE].values.append(tool.run(spec, out, cache, flavors=FLAVORS))


def _stamps(root: Path) -> dict[str, tuple[int, int]]:
    """Each file under `root` by its inode and modification time: what a run rewrote changes them."""
    stamps = {}
    for folder, _, names in os.walk(root):
        for name in names:
            info = os.stat(os.path.join(folder, name))
            stamps[os.path.join(folder, name)] = (info.st_ino, info.st_mtime_ns)
    return stamps


def _peer(tool: Tool, spec: Path, samples: dict[str, Sample]) -> None:
    """One generation into an empty directory."""
    out = output_dir(tool, spec)
    clear(out)
    samples[tool.name].values.append(tool.run(spec, out, cache_dir(spec)))


def measure_spec(
    spec: Path, runs: int, budget: float, log: Callable[[str], None]
) -> list[Row]:
    """Interleave the tools `runs` times on one spec (fewer, but at least two, past `budget` seconds)."""
    names = [t.name for t in TOOLS] + [NOOP, RERENDER, *EDITS, *WIDE_EDITS, THREE]
    samples = {name: Sample("s") for name in names}
    errors: dict[str, str] = {}
    started = time.perf_counter()
    for run in range(runs):
        for tool in TOOLS:
            if tool.name in errors:
                continue
            forget(tool, spec)
            try:
                (_ours if tool.name == OURS else _peer)(tool, spec, samples)
                mark_done(tool, spec)
            except CommandFailed as exc:
                errors[tool.name] = str(exc)
                if tool.name == OURS:
                    for name in (NOOP, RERENDER, *EDITS, *WIDE_EDITS, THREE):
                        errors[name] = "full generation failed"
        spent = time.perf_counter() - started
        log(f"  {spec.stem} run {run + 1}: {spent:.0f}s so far")
        if run >= 1 and spent > budget and run + 1 < runs:
            for sample in samples.values():
                sample.note = "; ".join(filter(None, (sample.note, f"{run + 1} of {runs} runs (time budget)")))
            break
    case = case_name(spec)
    return [
        Row(
            SUITE,
            case,
            name,
            None if name in errors else samples[name],
            errors.get(name, ""),
        )
        for name in names
        if samples[name].values or name in errors or name not in WIDE_EDITS  # a spec without a shared model: no row
    ]


def run(
    specs: list[Path], runs: int, budget: float, log: Callable[[str], None] = print
) -> list[Row]:
    """Every spec, small to large."""
    rows: list[Row] = []
    for spec in specs:
        log(f"generation: {spec.name}")
        rows += measure_spec(spec, runs, budget, log)
    return rows
