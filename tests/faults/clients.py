"""One blocking interface over a generated client of any flavor and kind, recording its sleeps."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from tests.functional.flavors import Flavor

CREDENTIALS = {"access_key_id": "testid", "access_key_secret": "testsecret"}
MINIMAL_CREATE = {"instance_name": "x", "max_concurrent_conversation": 1}
INSTANCE_ID = "af81a389-91f0-4157-8d82-720edd02b66a"
ACTIONS = {
    "CreateInstance": ("create_instance", MINIMAL_CREATE),
    "DescribeInstance": ("describe_instance", {"instance_id": INSTANCE_ID}),
}


def recording_class(base: type, kind: str, sleeps: list[float], real: bool) -> type:
    """``base`` with a ``_sleep`` that records each wait (and waits only when ``real``)."""
    if kind == "sync":

        def _sleep(self: object, seconds: float) -> None:
            sleeps.append(seconds)
            if real:
                time.sleep(seconds)

    else:

        async def _sleep(self: object, seconds: float) -> None:  # type: ignore[misc]
            sleeps.append(seconds)
            if real:
                await asyncio.sleep(seconds)

    return type(f"Recording{base.__name__}", (base,), {"_sleep": _sleep})


class Runner:
    """A client of one flavor and kind pointed at ``endpoint``; async calls run on a private loop."""

    def __init__(
        self,
        flavor: Flavor,
        kind: str,
        endpoint: str,
        *,
        real_sleep: bool = False,
        **options: Any,
    ) -> None:
        self.flavor = flavor
        self.kind = kind
        self.errors = flavor.errors
        self.sleeps: list[float] = []
        cls = recording_class(flavor.client_class(kind), kind, self.sleeps, real_sleep)
        config = {
            "endpoint": endpoint,
            "protocol": "http",
            "timeout": 2.0,
            **CREDENTIALS,
            **options,
        }
        self.client = cls(**config)
        self.loop = asyncio.new_event_loop() if kind == "async" else None

    @property
    def who(self) -> str:
        """``flavor/kind``."""
        return f"{self.flavor.name}/{self.kind}"

    def call(self, action: str, **overrides: Any) -> Any:
        """Run ``action`` (CreateInstance or DescribeInstance) with default arguments."""
        method, arguments = ACTIONS[action]
        return self.method(method, **{**arguments, **overrides})

    def method(self, name: str, **arguments: Any) -> Any:
        """Run one client method and return its result."""
        bound: Callable[..., Any] = getattr(self.client, name)
        if self.loop is None:
            return bound(**arguments)
        return self.loop.run_until_complete(bound(**arguments))

    def close(self) -> None:
        """Close the client (and the loop)."""
        if self.loop is None:
            self.client.close()
            return
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()


RunnerFactory = Callable[..., Runner]
