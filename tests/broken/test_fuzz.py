"""Random mutations of the real spec: loading and validating either succeed or raise SpecError, nothing else."""

from __future__ import annotations

import copy
import json
import random
import traceback
from pathlib import Path
from typing import Any

import yaml
from acs_sdkgen.diagnostics import SpecError
from acs_sdkgen.spec.loader import load_spec
from acs_sdkgen.spec.validate import validate_spec

SPEC = Path(__file__).resolve().parents[2] / "spec" / "outboundbot.yaml"
SEED = 20261122
RUNS = 300
ODD_VALUES: list[Any] = [
    None,
    0,
    -1,
    3.5,
    True,
    "",
    "x",
    "600",
    [],
    {},
    [1, "a"],
    {"$ref": "#/nowhere"},
    {"$ref": 5},
    {"$ref": "other.yaml#/x"},
    {"$ref": "#/components/schemas"},
    {"type": "array"},
    {"in": "path"},
]
ODD_KEYS = [
    "600",
    "$ref",
    "x-extra",
    "get",
    "{id}",
    "/x/{id}",
    "responses",
    "parameters",
    "2XX",
    "default",
]
ODD_TEXT = [
    "\t",
    ":",
    "[",
    "{",
    "&a ",
    "*a ",
    "!!python/object:os.system ",
    "\x00",
    "\udcff",
    "- ",
    "? ",
    "<<: *a",
    "'",
]


def _places(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every (container path + key/index) in the document."""
    found = []
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node) if isinstance(node, list) else ()
    )
    for key, value in items:
        found.append(path + (key,))
        found.extend(_places(value, path + (key,)))
    return found


def _mutate_data(doc: Any, rng: random.Random) -> None:
    """Delete, retype or rename one member somewhere in the document."""
    place = rng.choice(_places(doc))
    parent = doc
    for key in place[:-1]:
        parent = parent[key]
    key = place[-1]
    action = rng.choice(("delete", "retype", "rename"))
    if action == "delete":
        del parent[key]
    elif action == "retype" or isinstance(parent, list):
        parent[key] = copy.deepcopy(rng.choice(ODD_VALUES))
    else:
        parent[rng.choice(ODD_KEYS)] = parent.pop(key)


def _mutate_text(text: str, rng: random.Random) -> str:
    """Truncate, drop a line, or insert something odd at a random place."""
    action = rng.choice(("truncate", "drop", "insert"))
    if action == "truncate":
        return text[: rng.randrange(len(text) + 1)]
    lines = text.splitlines(keepends=True)
    i = rng.randrange(len(lines))
    if action == "drop":
        return "".join(lines[:i] + lines[i + 1 :])
    at = rng.randrange(len(lines[i]) + 1)
    lines[i] = lines[i][:at] + rng.choice(ODD_TEXT) + lines[i][at:]
    return "".join(lines)


def _variant(original: str, doc: dict[str, Any], rng: random.Random) -> bytes:
    """One mutated spec, as YAML or JSON bytes."""
    if rng.random() < 0.4:
        return _mutate_text(original, rng).encode("utf-8", "surrogateescape")
    mutated = copy.deepcopy(doc)
    for _ in range(rng.randint(1, 3)):
        if mutated:
            _mutate_data(mutated, rng)
    if rng.random() < 0.5:
        return json.dumps(mutated, ensure_ascii=False).encode()
    return yaml.safe_dump(mutated, allow_unicode=True, sort_keys=False).encode()


def test_mutations_never_crash(tmp_path: Path) -> None:
    """A few hundred mutations with a fixed seed: success or SpecError, never another exception."""
    rng = random.Random(SEED)
    original = SPEC.read_text(encoding="utf-8")
    doc = yaml.safe_load(original)
    crashes, outcomes = [], {"ok": 0, "refused": 0}
    for run in range(RUNS):
        path = tmp_path / f"mutant{run % 10}.yaml"
        path.write_bytes(_variant(original, doc, rng))
        try:
            validate_spec(load_spec(path))
            outcomes["ok"] += 1
        except SpecError as exc:
            assert exc.diagnostics, f"run {run}: SpecError without diagnostics"
            outcomes["refused"] += 1
        except Exception:
            crashes.append(f"run {run}:\n{traceback.format_exc()}")
    assert not crashes, "\n".join(crashes[:3])
    assert outcomes["ok"] > 10 and outcomes["refused"] > 100, outcomes
