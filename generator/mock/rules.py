"""Answers on demand: a request header or a YAML rules file picks an error, a status, latency or a fault.

Header `x-mock-response: <what>[, <what>…]`, each `<what>` one of: a documented error code, an HTTP
status (`503`), `reset`, `hang`, `throttle[=SECONDS]`, `latency=SECONDS`. The rules file:

    limits: {MaxConcurrentConversation: 10}      # overrides of the spec's declared limits
    rules:
      - match: {operation: DescribeInstance, params: {InstanceId: i-1}}   # both optional
        times: 2                                                         # optional: the first 2 matches only
        answer: {error: InternalError}   # or status: 503, fault: reset | hang, throttle: 1, latency: 0.5
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HEADER = "x-mock-response"
FAULTS = ("reset", "hang")
ANSWER_KEYS = ("error", "status", "fault", "throttle", "latency")


class RulesError(ValueError):
    """A rules file or header that cannot be read; the message names the place."""


@dataclass(frozen=True)
class Directive:
    """What to do instead of (or before) the normal answer."""

    error: str = ""  # an error code or an HTTP status
    fault: str = ""  # reset | hang
    throttle: float | None = None  # seconds of Retry-After
    latency: float = 0.0


@dataclass
class Rule:
    """One rule of the file: when it applies and what it answers."""

    operation: str | None
    params: dict[str, str]
    directive: Directive
    times: int | None
    hits: int = 0


@dataclass
class Rules:
    """The rules file: limits and rules, first match wins."""

    limits: dict[str, float] = field(default_factory=dict)
    rules: list[Rule] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def pick(self, names: tuple[str, ...], params: dict[str, Any]) -> Directive | None:
        """The directive of the first rule matching the operation (any of its names) and parameters; counts the hit."""
        with self._lock:
            for rule in self.rules:
                if rule.times is not None and rule.hits >= rule.times:
                    continue
                if rule.operation is not None and rule.operation not in names:
                    continue
                if any(str(params.get(k)) != v for k, v in rule.params.items()):
                    continue
                rule.hits += 1
                return rule.directive
        return None


def load_rules(path: Path) -> Rules:
    """Read a rules file; RulesError names the file and the rule that is wrong."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RulesError(f"{path}: cannot read the rules file: {exc}") from None
    if not isinstance(data, dict) or set(data) - {"limits", "rules"}:
        raise RulesError(f"{path}: a rules file is a mapping with `limits` and `rules`")
    limits = data.get("limits") or {}
    if not isinstance(limits, dict) or not all(isinstance(v, (int, float)) for v in limits.values()):
        raise RulesError(f"{path}: limits: a mapping of field name to number")
    rules = []
    for index, raw in enumerate(data.get("rules") or []):
        where = f"{path}: rules[{index}]"
        if not isinstance(raw, dict) or set(raw) - {"match", "answer", "times"}:
            raise RulesError(f"{where}: a rule is a mapping with `match`, `answer` and `times`")
        match = raw.get("match") or {}
        if not isinstance(match, dict) or set(match) - {"operation", "params"}:
            raise RulesError(f"{where}.match: `operation` and `params` only")
        params = {str(k): str(v) for k, v in (match.get("params") or {}).items()}
        times = raw.get("times")
        if times is not None and (not isinstance(times, int) or times < 1):
            raise RulesError(f"{where}.times: a positive integer")
        rules.append(Rule(match.get("operation"), params, _directive(raw.get("answer"), where + ".answer"), times))
    return Rules({str(k): float(v) for k, v in limits.items()}, rules)


def _directive(raw: Any, where: str) -> Directive:
    """A rule's answer."""
    if not isinstance(raw, dict) or not raw or set(raw) - set(ANSWER_KEYS):
        raise RulesError(f"{where}: a mapping with any of {', '.join(ANSWER_KEYS)}")
    fault = str(raw.get("fault", ""))
    if fault and fault not in FAULTS:
        raise RulesError(f"{where}.fault: one of {', '.join(FAULTS)}, got {fault!r}")
    try:
        throttle = None if raw.get("throttle") is None else float(raw["throttle"])
        latency = float(raw.get("latency", 0))
    except (TypeError, ValueError):
        raise RulesError(f"{where}: throttle and latency are seconds") from None
    error = str(raw.get("error") or raw.get("status") or "")
    return Directive(error, fault, throttle, latency)


def from_header(value: str) -> Directive:
    """The directive of an `x-mock-response` header."""
    error, fault, throttle, latency = "", "", None, 0.0
    for item in (part.strip() for part in value.split(",")):
        name, _, number = item.partition("=")
        try:
            if name == "latency":
                latency = float(number)
            elif name == "throttle":
                throttle = float(number or 1)
            elif name in FAULTS:
                fault = name
            elif item:
                error = item
        except ValueError:
            raise RulesError(f"{HEADER}: {item!r}: {name} takes seconds") from None
    return Directive(error, fault, throttle, latency)
