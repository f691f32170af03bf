"""The sync and async twins behave the same: one scenario, one expected outcome, both kinds.

Each test runs for ``sync`` and ``async`` against a real server on 127.0.0.1 and asserts
one expectation (exact messages included), so a drift in either twin fails it. The first
test checks the code itself: each sync method is its async twin without ``async``/``await``.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from runtime_http_server import Reply, Request, Server, json_reply

from acs_sdkgen.runtime import (
    APIConnectionError,
    APIResponseError,
    APITimeoutError,
    AsyncAPIClient,
    AsyncTransport,
    HTTPResponse,
    InternalServerError,
    Operation,
    Param,
    ParameterError,
    SyncAPIClient,
    SyncTransport,
    ThrottlingError,
)
from acs_sdkgen.runtime import _calls, httpx_transport, rest, retry, streaming

HEADERS = {"host": "example.test", "accept": "application/json"}
OK_BODY = b'{"RequestId":"req-1","Success":true}'


def _unasync(function: Callable[..., Any]) -> str:
    """The AST of ``function`` with ``async def``, ``async for``, ``await`` and ``AsyncIterator`` made sync."""

    class Strip(ast.NodeTransformer):
        def visit_Await(self, node: ast.Await) -> ast.AST:
            return self.visit(node.value)

        def visit_Name(self, node: ast.Name) -> ast.AST:
            """An async generator's ``AsyncIterator`` is the sync twin's ``Iterator``."""
            return ast.Name("Iterator", node.ctx) if node.id == "AsyncIterator" else node

        def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AST:
            self.generic_visit(node)
            return ast.FunctionDef(**{f: getattr(node, f) for f in node._fields})

        def visit_AsyncFor(self, node: ast.AsyncFor) -> ast.AST:
            self.generic_visit(node)
            return ast.For(**{f: getattr(node, f) for f in node._fields})

    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    return ast.dump(Strip().visit(tree))


TWINS = [
    (SyncTransport, AsyncTransport, "_send"),
    (SyncTransport, AsyncTransport, "_connect"),
    (SyncTransport, AsyncTransport, "_exchange"),
    (SyncTransport, AsyncTransport, "_open_tunnel"),
    (SyncTransport, AsyncTransport, "_observed"),
    (_calls.SyncCalls, _calls.AsyncCalls, "_run"),
    (SyncAPIClient, AsyncAPIClient, "_call"),
    (rest.SyncRestAPIClient, rest.AsyncRestAPIClient, "_call"),
    (streaming.SyncOpened, streaming.AsyncOpened, "chunks"),
    (streaming.SyncOpened, streaming.AsyncOpened, "whole"),
    (httpx_transport.HttpxTransport, httpx_transport.AsyncHttpxTransport, "_held"),
]


@pytest.mark.parametrize(
    ("sync", "aio", "name"), TWINS, ids=[f"{s.__name__}.{n}" for s, _, n in TWINS]
)
def test_sync_code_is_the_async_code_without_await(
    sync: type, aio: type, name: str
) -> None:
    assert _unasync(getattr(sync, name)) == _unasync(getattr(aio, name))


class Driver:
    """Either transport behind one blocking interface, concurrent sends included."""

    def __init__(self, kind: str, port: int, **options: Any) -> None:
        self.kind = kind
        options = {"timeout": 5.0, "user_agent": "twins/1", **options}
        if kind == "sync":
            self.sync = SyncTransport("http", "127.0.0.1", port, **options)
        else:
            self.loop = asyncio.new_event_loop()
            self.aio = AsyncTransport("http", "127.0.0.1", port, **options)

    def send(self, target: str = "/", timeout: float | None = None) -> HTTPResponse:
        if self.kind == "sync":
            return self.sync.send("POST", target, HEADERS, b"", timeout)
        return self.loop.run_until_complete(
            self.aio.send("POST", target, HEADERS, b"", timeout)
        )

    def send_many(self, count: int) -> list[int]:
        """``count`` sends at once (threads or tasks); their statuses."""
        if self.kind == "async":

            async def many() -> list[HTTPResponse]:
                sends = [self.aio.send("POST", "/", HEADERS, b"") for _ in range(count)]
                return await asyncio.gather(*sends)

            return [r.status for r in self.loop.run_until_complete(many())]
        statuses: list[int] = []
        threads = [
            threading.Thread(target=lambda: statuses.append(self.send().status))
            for _ in range(count)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        return statuses

    def close(self) -> None:
        if self.kind == "sync":
            self.sync.close()
        else:
            self.loop.run_until_complete(self.aio.aclose())
            self.loop.close()


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make(kind: str) -> Iterator[Callable[..., Driver]]:
    drivers: list[Driver] = []

    def factory(port: int, **options: Any) -> Driver:
        drivers.append(Driver(kind, port, **options))
        return drivers[-1]

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


@pytest.mark.parametrize("value", [0, -1, True, 2.5, "3", None])
def test_max_connections_is_checked_the_same(kind: str, value: object) -> None:
    cls = SyncTransport if kind == "sync" else AsyncTransport
    with pytest.raises(ParameterError) as info:
        cls("http", "h", None, timeout=1, user_agent="t", max_connections=value)  # type: ignore[arg-type]
    assert str(info.value) == f"max_connections must be an int >= 1, got {value!r}"


@pytest.mark.parametrize("value", [0, -0.5, False, "1", None])
def test_timeout_is_checked_the_same(kind: str, value: object) -> None:
    cls = SyncTransport if kind == "sync" else AsyncTransport
    with pytest.raises(ParameterError) as info:
        cls("http", "h", None, timeout=value, user_agent="t")  # type: ignore[arg-type]
    assert str(info.value) == (
        f"timeout must be a positive number of seconds, got {value!r}"
    )


@pytest.mark.parametrize("bound", [1, 2, 3])
def test_max_connections_bounds_open_connections_and_requests_in_flight(
    server: Server, make: Callable[..., Driver], bound: int
) -> None:
    script(server, *[Reply(delay=0.15)] * 6)
    driver = make(server.port, max_connections=bound)
    assert driver.send_many(6) == [200] * 6
    assert server.peak_in_flight == bound
    assert server.connections == bound
    assert driver.send_many(6) == [200] * 6
    assert server.connections == bound  # the idle ones were reused
    assert len(server.requests) == 12


def test_exchange_timeout_is_one_deadline_not_per_read(
    server: Server, make: Callable[..., Driver]
) -> None:
    script(server, Reply(body=b"x" * 40, drip=0.05))
    driver = make(server.port)
    started = time.monotonic()
    with pytest.raises(APITimeoutError) as info:
        driver.send(timeout=0.4)
    assert 0.35 < time.monotonic() - started < 1.5
    assert str(info.value) == (
        f"Timed out waiting for http://127.0.0.1:{server.port} (timeout 0.4 s)."
    )
    assert (info.value.phase, info.value.request_sent) == ("read", True)
    assert driver.send().status == 200
    assert server.connections == 2


@pytest.mark.parametrize("close", [False, True])
def test_idle_connection_with_stray_bytes_is_not_reused(
    server: Server, make: Callable[..., Driver], close: bool
) -> None:
    stray = b"HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n"
    script(server, Reply(stray=stray, close_after=close))
    driver = make(server.port)
    assert driver.send().body == OK_BODY
    time.sleep(0.2)
    response = driver.send()
    assert (response.status, response.body) == (200, OK_BODY)
    assert server.connections == 2
    assert len(server.requests) == 2


HEAD = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"


@pytest.mark.parametrize(
    ("raw", "reused"),
    [
        (HEAD + "\r\n{}", True),
        (HEAD + "Connection: close\r\n\r\n{}", False),
        (HEAD.replace("1.1", "1.0") + "\r\n{}", False),
        (HEAD.replace("1.1", "1.0") + "Connection: keep-alive\r\n\r\n{}", True),
        ("HTTP/1.1 100 Continue\r\n\r\n" + HEAD + "\r\n{}", True),
        (HEAD + "\r\n{}HTTP/1.1 200 OK\r\n", False),  # bytes after the answer
        ("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n", True),
    ],
)
def test_keep_alive_decisions(
    server: Server, make: Callable[..., Driver], raw: str, reused: bool
) -> None:
    script(server, Reply(raw=raw.encode()))
    driver = make(server.port)
    first = driver.send()
    assert first.status in (200, 204)
    assert first.body == (b"{}" if first.status == 200 else b"")
    assert driver.send().status == 200
    assert server.connections == (1 if reused else 2)


BIG = 70000
MALFORMED = {
    "not HTTP": (
        b"SSH-2.0-OpenSSH_9.6\r\n\r\n",
        "invalid status line 'SSH-2.0-OpenSSH_9.6'",
    ),
    "bad status code": (b"HTTP/1.1 2x0 OK\r\n\r\n", "invalid status code '2x0'"),
    "bad header line": (
        b"HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n",
        "invalid header line 'No colon here'",
    ),
    "conflicting lengths": (
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
        "conflicting Content-Length '2, 3'",
    ),
    "bad chunk size": (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "invalid chunk size line b'zz\\r\\n'",
    ),
    "no CRLF after a chunk": (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}XX0\r\n\r\n",
        "missing CRLF after a chunk",
    ),
    "oversized head": (
        b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * BIG + b"\r\n\r\n",
        "the response head exceeds 65536 bytes",
    ),
    "oversized chunk-size line": (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;" + b"x" * 9000,
        "a chunk-size line exceeds 8192 bytes",
    ),
    "oversized trailers": (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"
        + (b"X-Trailer: " + b"t" * 8000 + b"\r\n") * 9,
        "the trailers exceed 65536 bytes",
    ),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_answers_fail_the_same(
    server: Server, make: Callable[..., Driver], case: str
) -> None:
    raw, reason = MALFORMED[case]
    script(server, Reply(raw=raw, close_after=True))
    with pytest.raises(APIConnectionError) as info:
        make(server.port).send()
    assert type(info.value) is APIConnectionError
    assert str(info.value) == (
        f"Invalid HTTP response from http://127.0.0.1:{server.port}: {reason}"
    )
    assert info.value.request_sent is True


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        (b"", "headers were complete (0 bytes received)"),
        (b"HTTP/1.1 200 OK\r\nContent-", "headers were complete (25 bytes received)"),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n{}",
            "body was complete (40 bytes received)",
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n",
            "body was complete (54 bytes received)",
        ),
    ],
)
def test_answers_cut_short_fail_the_same(
    server: Server, make: Callable[..., Driver], raw: bytes, where: str
) -> None:
    script(server, Reply(raw=raw, close_after=True))
    driver = make(server.port)
    with pytest.raises(APIConnectionError) as info:
        driver.send()
    assert str(info.value) == (
        f"The connection to http://127.0.0.1:{server.port} closed before the "
        f"response {where}."
    )
    assert info.value.request_sent is True
    assert len(server.requests) == 1  # a fresh connection is never resent
    assert driver.send().status == 200


def test_reset_on_a_reused_connection_is_resent_once(
    server: Server, make: Callable[..., Driver]
) -> None:
    driver = make(server.port)
    assert driver.send().status == 200
    script(server, Reply(raw=b"", reset=True), Reply(raw=b"", reset=True))
    with pytest.raises(APIConnectionError) as info:
        driver.send()
    assert str(info.value).startswith(
        f"The connection to http://127.0.0.1:{server.port} "
    )
    assert len(server.requests) == 3  # the first try, then one resend
    assert server.connections == 2


KEY = {"access_key_id": "LTAI5tTestKeyId", "access_key_secret": "test-secret"}
DESCRIBE = Operation(
    "DescribeInstance",
    "2019-12-26",
    (Param("InstanceId", "instance_id", "string", True),),
    read_only=True,
)
CREATE = Operation("CreateInstance", "2019-12-26", (), read_only=False)
THROTTLED = json_reply(429, Code="Throttling", RequestId="t")
FAILED = json_reply(500, Code="InternalError", RequestId="f")
HANG = Reply(delay=2.0)
DROP = Reply(raw=b"", close_after=True)


class SyncDemo(SyncAPIClient):
    sleeps: list[float]

    def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


class AsyncDemo(AsyncAPIClient):
    sleeps: list[float]

    async def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


def call(kind: str, server: Server, op: Operation, **options: Any) -> tuple[Any, int]:
    """Call ``op``; the result or the error raised, and the number of waits."""
    config = {"endpoint": server.endpoint, "protocol": "http", **KEY, **options}
    client = SyncDemo(**config) if kind == "sync" else AsyncDemo(**config)
    client.sleeps = []
    values = {"InstanceId": "i-1"} if op is DESCRIBE else {}
    loop = asyncio.new_event_loop()
    try:
        if isinstance(client, SyncDemo):
            return client._call(op, values), len(client.sleeps)
        return loop.run_until_complete(client._call(op, values)), len(client.sleeps)
    except Exception as exc:  # noqa: BLE001 - compared below
        return exc, len(client.sleeps)
    finally:
        if isinstance(client, SyncDemo):
            client.close()
        else:
            loop.run_until_complete(client.aclose())
        loop.close()


# (replies, operation, options) -> (outcome, requests sent)
RETRIES = {
    "throttled, then OK": ([THROTTLED], CREATE, {}, dict, 2),
    "throttled beyond max_retries": ([THROTTLED] * 3, CREATE, {}, ThrottlingError, 3),
    "500 on a write": ([FAILED], CREATE, {}, InternalServerError, 1),
    "500 on a read": ([FAILED] * 2, DESCRIBE, {}, dict, 3),
    "500 on a write, opted in": (
        [FAILED],
        CREATE,
        {"retry_server_errors": True},
        dict,
        2,
    ),
    "lost answer on a write": ([DROP], CREATE, {}, APIConnectionError, 1),
    "lost answer on a read": ([DROP], DESCRIBE, {}, dict, 2),
    "read timeout on a write": ([HANG], CREATE, {"timeout": 0.2}, APITimeoutError, 1),
    "read timeout on a read": ([HANG], DESCRIBE, {"timeout": 0.2}, dict, 2),
    "no retries": ([THROTTLED], CREATE, {"max_retries": 0}, ThrottlingError, 1),
    "not JSON": (
        [Reply(body=b"<html/>", headers={"Content-Type": "text/html"})],
        DESCRIBE,
        {},
        APIResponseError,
        1,
    ),
}


@pytest.mark.parametrize("case", RETRIES)
def test_retry_decisions_and_counts(server: Server, kind: str, case: str) -> None:
    replies, op, options, outcome, sent = RETRIES[case]
    script(server, *replies)
    result, waits = call(kind, server, op, **options)
    assert type(result) is outcome
    assert len(server.requests) == sent
    assert waits == sent - 1


def test_retry_timeouts_are_cut_to_the_deadline(
    server: Server, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retry, "_random", lambda: 0.0)
    script(server, *[HANG] * 10)
    started = time.monotonic()
    result, waits = call(
        kind, server, DESCRIBE, timeout=0.3, max_retries=9, retry_deadline=1.0
    )
    elapsed = time.monotonic() - started
    assert isinstance(result, APITimeoutError)
    assert len(server.requests) == 4  # 0.3 + 0.3 + 0.3 + what is left of 1.0
    assert waits == 3
    assert 0.95 < elapsed < 1.4
