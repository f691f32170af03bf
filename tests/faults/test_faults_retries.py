"""Retries: backoff with jitter, the server's hints, the deadline, per-call overrides."""

from __future__ import annotations

import time

import pytest

from . import report
from .clients import ACTIONS
from .fault_server import FaultServer, hang, respond


def throttled(retry_after_ms: str | None = None, status: int = 400, **headers: str):
    """A Throttling.User answer, optionally with ``x-acs-retry-after`` (milliseconds)."""
    if retry_after_ms is not None:
        headers["x-acs-retry-after"] = retry_after_ms
    body = {"Code": "Throttling.User", "Message": "Flow control.", "RequestId": "rid"}
    return respond(status, body, list(headers.items()))


def server_error(**headers: str):
    """A documented InternalError answer."""
    body = {"Code": "InternalError", "Message": "Try later.", "RequestId": "rid-5xx"}
    return respond(500, body, list(headers.items()))


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_throttling_hint_is_honoured_then_success(
    fault_server: FaultServer, runner, action: str
) -> None:
    fault_server.script(throttled("50"), throttled("120"))
    client = runner(fault_server.endpoint, max_retries=2)
    result = client.call(action)
    assert client.flavor.read(result, "success") is True
    assert fault_server.requests == 3
    assert client.sleeps == [0.05, 0.12]
    first, second, third = fault_server.seen
    nonces = {s.header("x-acs-signature-nonce") for s in fault_server.seen}
    assert len(nonces) == 3  # each attempt is signed afresh
    report.fault(
        "throttled twice (x-acs-retry-after 50, 120 ms), then OK",
        action,
        "none (result)",
        "3",
        client.who,
    )


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_header_in_seconds(
    fault_server: FaultServer, runner, status: int
) -> None:
    body = {"Code": "ServiceUnavailable", "Message": "busy", "RequestId": "r"}
    fault_server.script(respond(status, body, [("Retry-After", "2")]))
    client = runner(fault_server.endpoint, max_retries=1)
    result = client.call("DescribeInstance")
    assert client.flavor.read(result, "success") is True
    assert (fault_server.requests, client.sleeps) == (2, [2.0])


def test_hint_longer_than_the_longest_wait_is_not_waited_for(
    fault_server: FaultServer, runner
) -> None:
    fault_server.script(throttled("20000"))  # 20 s > max_delay (8 s)
    client = runner(fault_server.endpoint, max_retries=3)
    with pytest.raises(client.errors.ThrottlingError) as caught:
        client.call("DescribeInstance")
    assert caught.value.retry_after == 20.0
    assert (fault_server.requests, client.sleeps) == (1, [])


def test_backoff_without_hint_is_jittered_and_growing(
    fault_server: FaultServer, runner
) -> None:
    fault_server.script(*(server_error(),) * 4)
    client = runner(fault_server.endpoint, max_retries=4)
    result = client.call("DescribeInstance")
    assert client.flavor.read(result, "success") is True
    assert fault_server.requests == 5
    ceilings = [0.2, 0.4, 0.8, 1.6]
    assert len(client.sleeps) == 4
    assert all(0 <= wait <= cap for wait, cap in zip(client.sleeps, ceilings))


def test_create_5xx_is_retried_only_when_opted_in(
    fault_server: FaultServer, runner
) -> None:
    fault_server.script(server_error())
    client = runner(fault_server.endpoint, max_retries=2)
    with pytest.raises(client.errors.InternalError):
        client.call("CreateInstance")
    assert fault_server.requests == 1
    fault_server.script(server_error(), server_error())
    opted = runner(fault_server.endpoint, max_retries=2, retry_server_errors=True)
    result = opted.call("CreateInstance")
    assert opted.flavor.read(result, "success") is True
    assert fault_server.requests == 1 + 3
    report.fault(
        "InternalError twice, then OK; retry_server_errors=True",
        "CreateInstance",
        "none (result)",
        "3",
        client.who,
    )


def test_lost_answer_to_create_is_not_retried_even_when_opted_in(
    fault_server: FaultServer, runner
) -> None:
    fault_server.script(hang(2.0))
    client = runner(
        fault_server.endpoint, max_retries=2, retry_server_errors=True, timeout=0.1
    )
    with pytest.raises(client.errors.APITimeoutError):
        client.call("CreateInstance")
    assert fault_server.requests == 1


def test_per_call_max_retries(fault_server: FaultServer, runner) -> None:
    client = runner(fault_server.endpoint, max_retries=2)
    fault_server.script(*(throttled("1"),) * 10)
    with pytest.raises(client.errors.ThrottlingError):
        client.call("CreateInstance", max_retries=0)
    assert fault_server.requests == 1
    with pytest.raises(client.errors.ThrottlingError):
        client.call("CreateInstance", max_retries=4)
    assert fault_server.requests == 1 + 5
    with pytest.raises(client.errors.ThrottlingError):
        client.call("CreateInstance")  # back to the client's 2
    assert fault_server.requests == 6 + 3
    with pytest.raises(client.errors.ParameterError):
        client.call("CreateInstance", max_retries=-1)
    assert fault_server.requests == 9


def test_per_call_timeout(fault_server: FaultServer, runner) -> None:
    client = runner(fault_server.endpoint, timeout=5.0, max_retries=0)
    fault_server.script(hang(3.0))
    started = time.monotonic()
    with pytest.raises(client.errors.APITimeoutError) as caught:
        client.call("DescribeInstance", timeout=0.1)
    assert time.monotonic() - started < 1.0
    assert caught.value.phase == "read" and "timeout 0.1 s" in str(caught.value)
    assert client.flavor.read(client.call("DescribeInstance"), "success") is True
    assert fault_server.requests == 2


def test_deadline_bounds_the_retries(fault_server: FaultServer, runner) -> None:
    fault_server.script(*(throttled("200"),) * 10)
    client = runner(
        fault_server.endpoint, max_retries=8, retry_deadline=0.3, real_sleep=True
    )
    started = time.monotonic()
    with pytest.raises(client.errors.ThrottlingError):
        client.call("CreateInstance")
    elapsed = time.monotonic() - started
    # the first retry starts at 0.2 s; a second one would start past 0.3 s
    assert (fault_server.requests, client.sleeps) == (2, [0.2])
    assert elapsed < 1.0
    report.fault(
        "throttled (200 ms hint) with retry_deadline=0.3, max_retries=8",
        "CreateInstance",
        "ThrottlingError",
        "2",
        client.who,
    )


def test_deadline_cuts_a_retry_timeout(fault_server: FaultServer, runner) -> None:
    fault_server.script(throttled("100"), hang(3.0))
    client = runner(
        fault_server.endpoint,
        max_retries=3,
        timeout=2.0,
        retry_deadline=0.4,
        real_sleep=True,
    )
    started = time.monotonic()
    with pytest.raises(client.errors.APITimeoutError):
        client.call("DescribeInstance")
    assert time.monotonic() - started < 1.0  # not 0.1 + 2.0: the retry ends by 0.4 s
    assert fault_server.requests == 2
