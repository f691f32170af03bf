"""Sync and async transports against a real local server: the same tests for both."""

from __future__ import annotations

import asyncio
import gc
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from typing import Any, Callable

import pytest
from acs_sdkgen.runtime import (
    APIConnectionError,
    APITimeoutError,
    AsyncTransport,
    HTTPResponse,
    SDKError,
    SyncTransport,
)
from acs_sdkgen.runtime import async_transport as async_module
from acs_sdkgen.runtime import transport as sync_module
from runtime_http_server import Reply, Request, Server

HEADERS = {"host": "example.test", "accept": "application/json"}


class Driver:
    """Runs either transport through one blocking interface."""

    def __init__(self, kind: str, port: int, timeout: float = 5.0) -> None:
        self.kind = kind
        args: dict[str, Any] = {"timeout": timeout, "user_agent": "runtime-tests/1"}
        if kind == "sync":
            self.sync = SyncTransport("http", "127.0.0.1", port, **args)
        else:
            self.loop = asyncio.new_event_loop()
            self.aio = AsyncTransport("http", "127.0.0.1", port, **args)

    def send(self, target: str = "/", timeout: float | None = None) -> HTTPResponse:
        if self.kind == "sync":
            return self.sync.send("POST", target, HEADERS, b"", timeout)
        return self.loop.run_until_complete(
            self.aio.send("POST", target, HEADERS, b"", timeout)
        )

    def close(self) -> None:
        if self.kind == "sync":
            self.sync.close()
        else:
            self.loop.run_until_complete(self.aio.aclose())
            self.loop.close()


@pytest.fixture(params=["sync", "async"])
def make(request: pytest.FixtureRequest) -> Iterator[Callable[..., Driver]]:
    drivers: list[Driver] = []

    def factory(port: int, timeout: float = 5.0) -> Driver:
        driver = Driver(request.param, port, timeout)
        drivers.append(driver)
        return driver

    yield factory
    for driver in drivers:
        driver.close()


def script(server: Server, *replies: Reply) -> None:
    """Answer with ``replies`` in order, then with the default reply."""
    queue = list(replies)
    lock = threading.Lock()

    def handler(request: Request) -> Reply:
        with lock:
            return queue.pop(0) if queue else Reply()

    server.handler = handler


def test_keep_alive_reuses_one_connection(
    server: Server, make: Callable[..., Driver]
) -> None:
    driver = make(server.port)
    for _ in range(5):
        response = driver.send("/?A=1&B=%20")
        assert response.status == 200
        assert response.body == b'{"RequestId":"req-1","Success":true}'
        assert response.headers["content-type"] == "application/json;charset=utf-8"
    assert server.connections == 1
    first = server.requests[0]
    assert first.method == "POST" and first.target == "/?A=1&B=%20"
    assert first.headers["host"] == "example.test"
    assert first.headers["user-agent"] == "runtime-tests/1"
    assert first.headers["content-length"] == "0"


def test_repeated_headers_are_joined(
    server: Server, make: Callable[..., Driver]
) -> None:
    raw = b"HTTP/1.1 201 Created\r\nSet-Cookie: a\r\nset-cookie: b\r\nX-Y:  z \r\nContent-Length: 2\r\n\r\n{}"
    script(server, Reply(raw=raw))
    response = make(server.port).send()
    assert response.status == 201
    assert response.headers["set-cookie"] == "a, b"
    assert response.headers["x-y"] == "z"
    assert response.body == b"{}"


def test_chunked_body(server: Server, make: Callable[..., Driver]) -> None:
    body = b'{"Data":"' + b"x" * 50 + b'"}'
    script(server, Reply(body=body, chunked=True))
    driver = make(server.port)
    assert driver.send().body == body
    assert driver.send().status == 200
    assert server.connections == 1


def test_body_until_close(server: Server, make: Callable[..., Driver]) -> None:
    script(server, Reply(body=b"until-close", length=False))
    driver = make(server.port)
    assert driver.send().body == b"until-close"
    assert driver.send().status == 200
    assert server.connections == 2


def test_connection_close_is_honoured(
    server: Server, make: Callable[..., Driver]
) -> None:
    close = {"Connection": "close", "Content-Type": "application/json"}
    script(server, Reply(headers=close), Reply(headers=close))
    driver = make(server.port)
    for _ in range(3):
        assert driver.send().status == 200
    assert server.connections == 3


def test_connection_refused(make: Callable[..., Driver]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(APIConnectionError) as info:
        make(port).send()
    assert not isinstance(info.value, APITimeoutError)
    assert info.value.request_sent is False
    assert "Could not connect to http://127.0.0.1" in str(info.value)


def test_connect_timeout(make: Callable[..., Driver]) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        try:
            filler.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(filler)
    time.sleep(0.05)
    try:
        with pytest.raises(APIConnectionError) as info:
            make(port).send(timeout=0.2)
        if not isinstance(info.value, APITimeoutError):
            pytest.skip("this kernel does not drop SYNs on a full backlog")
        assert info.value.phase == "connect"
        assert info.value.request_sent is False
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


def test_read_timeout_then_recovery(
    server: Server, make: Callable[..., Driver]
) -> None:
    script(server, Reply(delay=1.0))
    driver = make(server.port)
    started = time.monotonic()
    with pytest.raises(APITimeoutError) as info:
        driver.send(timeout=0.2)
    assert time.monotonic() - started < 0.9
    assert info.value.phase == "read"
    assert info.value.request_sent is True
    assert driver.send().status == 200
    assert server.connections == 2


@pytest.mark.parametrize("reset", [False, True])
def test_truncated_or_reset_body(
    server: Server, make: Callable[..., Driver], reset: bool
) -> None:
    script(server, Reply(body=b"x" * 100, truncate_to=10, reset=reset))
    driver = make(server.port)
    with pytest.raises(APIConnectionError) as info:
        driver.send()
    assert not isinstance(info.value, APITimeoutError)
    assert info.value.request_sent is True
    assert driver.send().status == 200


def test_truncated_chunked_body(server: Server, make: Callable[..., Driver]) -> None:
    script(server, Reply(body=b"y" * 40, chunked=True, truncate_to=20))
    with pytest.raises(APIConnectionError) as info:
        make(server.port).send()
    assert info.value.request_sent is True


def test_fresh_connection_closed_without_answer_is_not_resent(
    server: Server, make: Callable[..., Driver]
) -> None:
    script(server, Reply(raw=b"", close_after=True))
    with pytest.raises(APIConnectionError) as info:
        make(server.port).send()
    assert info.value.request_sent is True
    assert len(server.requests) == 1


def test_garbage_answer(server: Server, make: Callable[..., Driver]) -> None:
    script(server, Reply(raw=b"SSH-2.0-OpenSSH_9.6\r\n\r\n", close_after=True))
    with pytest.raises(APIConnectionError, match="Invalid HTTP response") as info:
        make(server.port).send()
    assert info.value.request_sent is True


def test_stale_keep_alive_connection_is_replaced(
    server: Server, make: Callable[..., Driver]
) -> None:
    script(server, Reply(close_after=True))
    driver = make(server.port)
    assert driver.send().status == 200
    time.sleep(0.05)
    assert driver.send().status == 200
    assert server.connections == 2
    assert len(server.requests) == 2


def test_stale_connection_resend_when_not_detected(
    server: Server, make: Callable[..., Driver], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync_module, "is_dropped", lambda sock: False)
    monkeypatch.setattr(async_module._Connection, "is_usable", lambda self: True)
    script(server, Reply(close_after=True))
    driver = make(server.port)
    assert driver.send().status == 200
    time.sleep(0.05)
    assert driver.send().status == 200
    assert server.connections == 2
    assert len(server.requests) == 2


def test_closed_transport_refuses(server: Server, make: Callable[..., Driver]) -> None:
    driver = make(server.port)
    assert driver.send().status == 200
    if driver.kind == "sync":
        driver.sync.close()
    else:
        driver.loop.run_until_complete(driver.aio.aclose())
    with pytest.raises(SDKError, match="closed"):
        driver.send()


def test_sync_transport_is_thread_safe(server: Server) -> None:
    transport = SyncTransport(
        "http", "127.0.0.1", server.port, timeout=5, user_agent="t"
    )
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(20):
                assert transport.send("POST", "/", HEADERS, b"").status == 200
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    transport.close()
    assert not errors
    assert len(server.requests) == 160
    assert server.connections <= 8


def test_async_many_concurrent_calls_share_bounded_connections(server: Server) -> None:
    async def main() -> list[int]:
        transport = AsyncTransport(
            "http",
            "127.0.0.1",
            server.port,
            timeout=10,
            user_agent="t",
            max_connections=10,
        )
        try:
            responses = await asyncio.gather(
                *(transport.send("POST", f"/?n={n}", HEADERS, b"") for n in range(300))
            )
            return [r.status for r in responses]
        finally:
            await transport.aclose()

    assert asyncio.run(main()) == [200] * 300
    assert server.connections <= 10
    assert len(server.requests) == 300


def test_async_transport_survives_a_new_event_loop(server: Server) -> None:
    transport = AsyncTransport(
        "http", "127.0.0.1", server.port, timeout=5, user_agent="t"
    )

    async def one() -> int:
        return (await transport.send("POST", "/", HEADERS, b"")).status

    async def last() -> int:
        status = await one()
        await transport.aclose()
        return status

    assert asyncio.run(one()) == 200
    with warnings.catch_warnings():
        # The first loop ended with a pooled connection that only GC can free.
        warnings.simplefilter("ignore", ResourceWarning)
        assert asyncio.run(last()) == 200
        gc.collect()
    assert server.connections == 2


def test_async_cancellation_discards_the_connection(server: Server) -> None:
    script(server, Reply(delay=1.0))

    async def main() -> int:
        transport = AsyncTransport(
            "http", "127.0.0.1", server.port, timeout=5, user_agent="t"
        )
        task = asyncio.ensure_future(transport.send("POST", "/", HEADERS, b""))
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        status = (await transport.send("POST", "/", HEADERS, b"")).status
        await transport.aclose()
        return status

    assert asyncio.run(main()) == 200
    assert server.connections == 2
