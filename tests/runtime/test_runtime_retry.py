"""Retry decisions and delays."""

from __future__ import annotations

import itertools

import pytest
from acs_sdkgen.runtime import (
    APIConnectionError,
    APIResponseError,
    APITimeoutError,
    BadRequestError,
    InternalServerError,
    ParameterError,
    RetryPolicy,
    ThrottlingError,
    UnsuccessfulResponseError,
)


def status_error(
    cls: type, status: int, headers: dict[str, str] | None = None
) -> object:
    return cls(
        status_code=status,
        headers=headers or {},
        body=b"{}",
        data={},
        code="C",
        message="m",
        request_id=None,
    )


THROTTLED = status_error(ThrottlingError, 429)
SERVER = status_error(InternalServerError, 500)
CLIENT = status_error(BadRequestError, 400)
UNSUCCESSFUL = status_error(UnsuccessfulResponseError, 200)
REFUSED = APIConnectionError("refused", request_sent=False)
RESET = APIConnectionError("reset", request_sent=True)
READ_TIMEOUT = APITimeoutError(phase="read", request_sent=True)
CONNECT_TIMEOUT = APITimeoutError(phase="connect", request_sent=False)
HTML_502 = APIResponseError("x", status_code=502, headers={}, body=b"<html>")
TRUNCATED_200 = APIResponseError("x", status_code=200, headers={}, body=b"{")


@pytest.mark.parametrize(
    ("error", "plain", "read_only", "opt_in"),
    [
        (THROTTLED, True, True, True),
        (REFUSED, True, True, True),
        (CONNECT_TIMEOUT, True, True, True),
        (RESET, False, True, False),
        (READ_TIMEOUT, False, True, False),
        (SERVER, False, True, True),
        (HTML_502, False, True, True),
        (CLIENT, False, False, False),
        (UNSUCCESSFUL, False, False, False),
        (TRUNCATED_200, False, False, False),
        (ParameterError("x"), False, False, False),
        (ValueError("x"), False, False, False),
    ],
)
def test_should_retry(
    error: Exception, plain: bool, read_only: bool, opt_in: bool
) -> None:
    should = RetryPolicy.should_retry
    assert should(error, read_only=False, retry_server_errors=False) is plain
    assert should(error, read_only=True, retry_server_errors=False) is read_only
    assert should(error, read_only=False, retry_server_errors=True) is opt_in


def test_full_jitter_backoff_with_injected_random() -> None:
    policy = RetryPolicy(5, base_delay=0.5, max_delay=3.0, random=lambda: 1.0)
    assert [policy.delay(n, None) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    values = itertools.cycle([0.0, 0.25])
    policy = RetryPolicy(5, base_delay=0.5, random=lambda: next(values))
    assert policy.delay(3, None) == 0.0
    assert policy.delay(3, None) == 0.5


def test_default_random_is_in_range() -> None:
    policy = RetryPolicy(3, base_delay=1.0, max_delay=1.0)
    delays = [policy.delay(1, None) for _ in range(200)]
    assert all(0.0 <= d < 1.0 for d in delays)
    assert len(set(delays)) > 150


def test_retry_after_is_honoured_and_capped() -> None:
    policy = RetryPolicy(3, max_delay=8.0, random=lambda: 0.0)
    assert policy.delay(1, 1.5) == 1.5
    assert policy.delay(1, 20.0) == 8.0
    assert policy.delay(1, -1.0) == 0.0


def test_next_delay() -> None:
    policy = RetryPolicy(2, base_delay=1.0, deadline=10.0, random=lambda: 1.0)
    kw = {"read_only": False, "retry_server_errors": False}
    assert policy.next_delay(THROTTLED, 1, elapsed=0.0, **kw) == 1.0
    assert policy.next_delay(THROTTLED, 2, elapsed=0.0, **kw) == 2.0
    assert policy.next_delay(THROTTLED, 3, elapsed=0.0, **kw) is None
    assert policy.next_delay(CLIENT, 1, elapsed=0.0, **kw) is None
    assert policy.next_delay(THROTTLED, 2, elapsed=8.5, **kw) is None
    hinted = status_error(ThrottlingError, 429, {"x-acs-retry-after": "250"})
    assert policy.next_delay(hinted, 1, elapsed=0.0, **kw) == 0.25
    too_long = status_error(ThrottlingError, 429, {"Retry-After": "30"})
    assert policy.next_delay(too_long, 1, elapsed=0.0, **kw) is None
    assert RetryPolicy(0).next_delay(THROTTLED, 1, elapsed=0.0, **kw) is None
