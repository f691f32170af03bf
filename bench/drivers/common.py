"""Measurement loops shared by the SDK drivers; each driver runs in its SDK's own environment.

A driver module defines an `Adapter` with `client(port, signature)`, `call(client)`,
`async_client(port, signature)`, `async_call(client)`, `canned(client)` and `close(client)`
(`async_close` for async clients), then calls `main(Adapter)`. Modes print one JSON line:

- `cpu`: client process CPU and wall microseconds per call over loopback keep-alive, per round;
- `sync`: calls per second of one client calling sequentially, per round;
- `async`: calls per second of one async client shared by `--concurrency` tasks, per round;
- `canned`: `--warmup` then `--calls` calls with the transport answering from memory (run under
  callgrind by the parent, once with calls and once without, to get instructions per call).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import time
from typing import Any

from answer import ANSWERED_INSTANCE_ID

INSTANCE_ID = "af81a389-91f0-4157-8d82-720edd02b66a"


def _check(result: Any) -> None:
    """Fail loudly if a call did not return the parsed instance."""
    if result != ANSWERED_INSTANCE_ID:
        raise SystemExit(f"unexpected call result: {result!r}")


def cpu(adapter: Any, args: argparse.Namespace) -> dict[str, list[float]]:
    """CPU and wall microseconds per call, one value per round."""
    client = adapter.client(args.port, args.signature)
    for _ in range(args.warmup):
        _check(adapter.call(client))
    cpu_us, wall_us = [], []
    for _ in range(args.rounds):
        wall, proc = time.perf_counter(), time.process_time()
        for _ in range(args.calls):
            adapter.call(client)
        cpu_us.append((time.process_time() - proc) / args.calls * 1e6)
        wall_us.append((time.perf_counter() - wall) / args.calls * 1e6)
    adapter.close(client)
    return {"cpu_us": cpu_us, "wall_us": wall_us}


def sync(adapter: Any, args: argparse.Namespace) -> dict[str, list[float]]:
    """Calls per second of sequential calls, one value per round."""
    return {"calls_per_s": [1e6 / us for us in cpu(adapter, args)["wall_us"]]}


async def _async_rounds(adapter: Any, args: argparse.Namespace) -> list[float]:
    """Calls per second with `concurrency` tasks sharing one async client, one value per round."""
    client = await adapter.async_client(args.port, args.signature)

    async def worker(count: int) -> None:
        for _ in range(count):
            await adapter.async_call(client)

    _check(await adapter.async_call(client))
    await asyncio.gather(
        *(
            worker(max(1, args.warmup // args.concurrency))
            for _ in range(args.concurrency)
        )
    )
    rates = []
    per_task = max(1, args.calls // args.concurrency)
    for _ in range(args.rounds):
        started = time.perf_counter()
        await asyncio.gather(*(worker(per_task) for _ in range(args.concurrency)))
        rates.append(per_task * args.concurrency / (time.perf_counter() - started))
    await adapter.async_close(client)
    return rates


def concurrent(adapter: Any, args: argparse.Namespace) -> dict[str, list[float]]:
    """Calls per second of the async client."""
    return {"calls_per_s": asyncio.run(_async_rounds(adapter, args))}


def canned(adapter: Any, args: argparse.Namespace) -> dict[str, float]:
    """Calls answered from memory; CPU microseconds per call (meaningful outside valgrind only)."""
    client = adapter.client(args.port or 9, args.signature)
    adapter.canned(client)
    for _ in range(args.warmup):
        _check(adapter.call(client))
    gc.collect()
    gc.freeze()  # a full collection over start-up objects would land in one run and not the other
    proc = time.process_time()
    for _ in range(args.calls):
        adapter.call(client)
    return {"cpu_us": (time.process_time() - proc) / max(args.calls, 1) * 1e6}


MODES = {"cpu": cpu, "sync": sync, "async": concurrent, "canned": canned}


def main(adapter: Any) -> None:
    """Parse the command line, run one mode, print its JSON result."""
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=sorted(MODES))
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--signature", choices=("v3", "v1"), default="v3")
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    print(json.dumps(MODES[args.mode](adapter, args)))
