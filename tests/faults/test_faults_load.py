"""Load: thousands of calls through one client, no errors, few connections, no leaks.

The server runs in its own process (``python -m tests.faults.fault_server``), so the file
descriptors, the memory (tracemalloc) and the CPU measured here are the client's alone. The
async client makes 3,000 calls at concurrency 200; the sync client 2,000 calls from 16 threads
sharing one client. Each figure lands in the summary printed at the end of the run.
"""

from __future__ import annotations

import asyncio
import gc
import http.client
import json
import os
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.functional.flavors import REPO_ROOT

from . import report
from .clients import CREDENTIALS, INSTANCE_ID

ASYNC_CALLS, ASYNC_CONCURRENCY = 3000, 200
SYNC_CALLS, SYNC_THREADS = 2000, 16
MAX_PEAK_MIB = 64.0
FD_DIR = "/proc/self/fd"


@pytest.fixture(scope="module")
def load_server() -> Iterator[int]:
    """The fault server in a child process; its port."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.faults.fault_server"],
        cwd=REPO_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        yield int(proc.stdout.readline())
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def server_stats(port: int) -> dict[str, int]:
    """The server's counters (this query opens one connection of its own)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/__stats__")
        return dict(json.loads(conn.getresponse().read()))
    finally:
        conn.close()


def fd_count() -> int:
    """Open file descriptors of this process."""
    return len(os.listdir(FD_DIR))


class Watch:
    """Samples the number of open file descriptors in a thread until stopped."""

    def __init__(self) -> None:
        self.peak = fd_count()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.002):
            self.peak = max(self.peak, fd_count())

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def measure(
    port: int, run: Callable[[], tuple[list[Any], list[BaseException]]]
) -> dict[str, Any]:
    """Run a load, with fd, memory, server and time figures around it."""
    if not os.path.isdir(FD_DIR):
        pytest.skip("needs /proc/self/fd")
    before = server_stats(port)
    gc.collect()
    fds_before = fd_count()
    tracemalloc.start()
    watch = Watch()
    started = time.perf_counter()
    results, errors = run()
    seconds = time.perf_counter() - started
    fds_peak = watch.stop()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    gc.collect()
    fds_after = fd_count()
    after = server_stats(port)
    return {
        "results": results,
        "errors": errors,
        "requests": after["requests"] - before["requests"],
        "nonces": after["unique_nonces"] - before["unique_nonces"],
        "connections": after["connections"] - before["connections"] - 1,
        "fds_before": fds_before,
        "fds_peak": fds_peak,
        "fds_after": fds_after,
        "peak_mib": peak / (1 << 20),
        "seconds": seconds,
    }


def check(figures: dict[str, Any], flavor, calls: int, max_connections: int) -> None:
    """No error, every call answered and signed afresh, bounded connections, no leak."""
    assert figures["errors"] == [], figures["errors"][:3]
    assert len(figures["results"]) == calls
    assert all(flavor.read(r, "success") is True for r in figures["results"])
    assert figures["requests"] == calls
    assert figures["nonces"] == calls
    assert 1 <= figures["connections"] <= max_connections
    assert figures["fds_after"] == figures["fds_before"]
    assert figures["fds_peak"] <= figures["fds_before"] + max_connections + 8
    assert figures["peak_mib"] < MAX_PEAK_MIB


def record(who: str, figures: dict[str, Any], calls: int, concurrency: str) -> None:
    """Keep the figures for the summary."""
    report.LOAD[who] = {
        **{k: v for k, v in figures.items() if k not in ("results", "errors")},
        "calls": calls,
        "concurrency": concurrency,
        "errors": len(figures["errors"]),
    }


def test_async_client_under_load(load_server: int, flavor) -> None:
    client_class = flavor.client_class("async")
    options = {
        "endpoint": f"127.0.0.1:{load_server}",
        "protocol": "http",
        "max_retries": 0,
        **CREDENTIALS,
    }

    def run() -> tuple[list[Any], list[BaseException]]:
        async def main() -> list[Any]:
            slots = asyncio.Semaphore(ASYNC_CONCURRENCY)
            async with client_class(**options) as client:

                async def one() -> Any:
                    async with slots:
                        return await client.describe_instance(instance_id=INSTANCE_ID)

                return await asyncio.gather(
                    *(one() for _ in range(ASYNC_CALLS)), return_exceptions=True
                )

        outcome = asyncio.run(main())
        errors = [r for r in outcome if isinstance(r, BaseException)]
        return [r for r in outcome if not isinstance(r, BaseException)], errors

    figures = measure(load_server, run)
    record(f"{flavor.name}/async", figures, ASYNC_CALLS, str(ASYNC_CONCURRENCY))
    check(figures, flavor, ASYNC_CALLS, max_connections=100)


def test_sync_client_shared_by_threads(load_server: int, flavor) -> None:
    client_class = flavor.client_class("sync")
    options = {
        "endpoint": f"127.0.0.1:{load_server}",
        "protocol": "http",
        "max_retries": 0,
        **CREDENTIALS,
    }

    def run() -> tuple[list[Any], list[BaseException]]:
        results: list[Any] = []
        errors: list[BaseException] = []
        start = threading.Barrier(SYNC_THREADS)
        with client_class(**options) as client:

            def work() -> None:
                start.wait()
                for _ in range(SYNC_CALLS // SYNC_THREADS):
                    try:
                        results.append(
                            client.describe_instance(instance_id=INSTANCE_ID)
                        )
                    except Exception as exc:  # noqa: BLE001 - counted and reported
                        errors.append(exc)

            threads = [threading.Thread(target=work) for _ in range(SYNC_THREADS)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
        return results, errors

    figures = measure(load_server, run)
    record(f"{flavor.name}/sync", figures, SYNC_CALLS, f"{SYNC_THREADS} threads")
    check(figures, flavor, SYNC_CALLS, max_connections=SYNC_THREADS)
