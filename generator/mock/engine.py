"""One request in, one decision out: route, check, pick an on-demand answer, play the state, answer."""

from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass
from typing import Any

from .answers import Answer, encode, error, rejection_for, success
from .api import MockApi, Rejection, Route
from .auth import Secrets, check_credentials
from .checks import check_body, check_params
from .rules import HEADER, Directive, Rules, RulesError, from_header
from .signature import Keys, Verifier
from .state import Store
from .wire import Incoming

log = logging.getLogger("acs_sdkgen.mock")


@dataclass(frozen=True)
class Decision:
    """The answer to send (None for a fault), the fault, the delay before it, and what to log."""

    answer: Answer | None
    fault: str
    latency: float
    operation: str
    note: str


class Engine:
    """The mock's behaviour for one spec, independent of the HTTP server."""

    def __init__(
        self,
        api: MockApi,
        *,
        seed: int = 0,
        keys: Keys | None = None,
        secrets: Secrets | None = None,
        rules: Rules | None = None,
        stateful: bool = True,
    ) -> None:
        self.api = api
        self.secrets = secrets or Secrets()
        self.seed = seed
        self.verifier = Verifier(keys) if keys and api.rpc else None
        self.rules = rules or Rules()
        self.store = Store(api, self.rules.limits) if stateful else None
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def _rng(self, operation: str) -> random.Random:
        """A generator seeded by the seed, the operation and how many times it was called: answers repeat run to run."""
        with self._lock:
            count = self._counts.get(operation, 0)
            self._counts[operation] = count + 1
        return random.Random(f"{self.seed}:{operation}:{count}")

    def decide(self, incoming: Incoming, host: str) -> Decision:
        """The decision for one request; a failed check becomes the spec's error with what was wrong."""
        route: Route | None = None
        rng = self._rng("")
        try:
            route, path_values = self._route(incoming)
            rng = self._rng(route.op.operation_id)
            return self._decide(route, path_values, incoming, rng, host)
        except Rejection as rejection:
            name = route.op.operation_id if route else "-"
            return Decision(error(self.api, route, rejection, rng, host), "", 0.0, name, "")
        except Exception as exc:  # a bug of the mock: answer it as such rather than drop the connection
            log.exception("internal error of the mock")
            bug = Rejection(500, "MockInternalError", f"a bug in acs-sdkgen mock, please report it: {type(exc).__name__}: {exc}")
            return Decision(error(self.api, route, bug, rng, host), "", 0.0, route.op.operation_id if route else "-", "")

    def _route(self, incoming: Incoming) -> tuple[Route, dict[str, str]]:
        """The operation a request is for, and its path values (REST)."""
        if not self.api.rpc:
            return self.api.match_rest(incoming.method, incoming.path, {**dict(incoming.query), **incoming.headers})
        pairs = dict(incoming.query + incoming.form())
        headers = incoming.headers
        action = headers.get("x-acs-action") or pairs.get("Action")
        version = headers.get("x-acs-version") or pairs.get("Version")
        return self.api.match_rpc(incoming.method, incoming.path, action, version), {}

    def _decide(self, route: Route, path_values: dict[str, str], incoming: Incoming, rng: random.Random, host: str) -> Decision:
        """Check the request, then answer what was asked for, or the state's or the spec's answer."""
        op = route.op
        if self.verifier:
            self.verifier.verify(incoming, incoming.query + incoming.form())
        if not self.api.rpc:
            check_credentials(self.api.api.security, route, incoming, self.secrets)
        params, unknown = check_params(self.api, route, incoming, path_values)
        body = check_body(self.api, route, incoming)
        note = f"not in the spec, ignored: {', '.join(unknown)}" if unknown else ""
        directive = self._directive(route, incoming, params)
        if directive.fault:
            return Decision(None, directive.fault, directive.latency, op.operation_id, note)
        if directive.throttle is not None:
            code = "Throttling.User" if self.api.rpc else "Throttling"
            retry = (("Retry-After", f"{directive.throttle:g}"),)
            throttled = Rejection(429, code, f"request was denied due to flow control; retry after {directive.throttle:g} s", retry)
            return Decision(error(self.api, route, throttled, rng, host), "", directive.latency, op.operation_id, note)
        if directive.error:
            answer = error(self.api, route, rejection_for(self.api, route, directive.error), rng, host)
            return Decision(answer, "", directive.latency, op.operation_id, note)
        status, media, value = success(self.api, route, rng)
        if self.store is not None:
            value = self.store.apply(route, params, body, value, rng)
        return Decision(encode(status, media, value), "", directive.latency, op.operation_id, note)

    def _directive(self, route: Route, incoming: Incoming, params: dict[str, Any]) -> Directive:
        """The header's directive, else the first matching rule's, else none."""
        header = incoming.headers.get(HEADER)
        if header:
            try:
                return from_header(header)
            except RulesError as exc:
                raise Rejection(400, "InvalidMockDirective", str(exc)) from None
        op = route.op
        return self.rules.pick((op.operation_id, op.action, op.method_name), params) or Directive()

