"""When to retry a failed call, how long to wait first, and each attempt's timeout."""

from __future__ import annotations

import os
import time

from .errors import (
    APIConnectionError,
    APIResponseError,
    ServerError,
    ThrottlingError,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable


def _random() -> float:
    """A uniform float in [0, 1) without importing ``random``."""
    return int.from_bytes(os.urandom(7), "big") / (1 << 56)


class RetryPolicy:
    """Exponential backoff with full jitter, bounded by count, cap and deadline."""

    __slots__ = ("max_retries", "base_delay", "max_delay", "deadline", "_random")

    def __init__(
        self,
        max_retries: int,
        *,
        base_delay: float = 0.2,
        max_delay: float = 8.0,
        deadline: float | None = 60.0,
        random: Callable[[], float] | None = None,
    ) -> None:
        """``deadline``: seconds after the first try past which no retry starts."""
        self.max_retries = max_retries
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.deadline = deadline
        self._random = random or _random

    def __repr__(self) -> str:
        """Show the settings."""
        return (
            f"RetryPolicy({self.max_retries}, base_delay={self.base_delay}, "
            f"max_delay={self.max_delay}, deadline={self.deadline})"
        )

    def with_max_retries(self, max_retries: int) -> RetryPolicy:
        """A copy allowing ``max_retries`` retries, other settings unchanged."""
        return RetryPolicy(
            max_retries,
            base_delay=self.base_delay,
            max_delay=self.max_delay,
            deadline=self.deadline,
            random=self._random,
        )

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before retry ``attempt`` (1-based), at most ``max_delay``.

        The server's hint wins when given; otherwise a uniformly random delay
        between 0 and ``base_delay * 2 ** (attempt - 1)``.
        """
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_delay)
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** max(attempt - 1, 0))
        return ceiling * self._random()

    @staticmethod
    def should_retry(
        error: BaseException, *, read_only: bool, retry_server_errors: bool
    ) -> bool:
        """Whether retrying ``error`` is safe (never for a non-throttling 4xx).

        Throttling (a 429, a ``Throttling*`` code or ``x-acs-retry-after``) and a
        request that never left: always. A 5xx or a lost answer: only for
        read-only actions, or with ``retry_server_errors`` (5xx only).
        """
        if isinstance(error, ThrottlingError):
            return True
        if isinstance(error, APIConnectionError):
            return not error.request_sent or read_only
        if isinstance(error, ServerError):
            return read_only or retry_server_errors
        if isinstance(error, APIResponseError):
            if error.status_code == 429 or (
                error.status_code >= 400 and "x-acs-retry-after" in error.headers
            ):
                return True
            if 500 <= error.status_code < 600:
                return read_only or retry_server_errors
        return False

    def next_delay(
        self,
        error: BaseException,
        attempt: int,
        *,
        read_only: bool,
        retry_server_errors: bool,
        elapsed: float,
    ) -> float | None:
        """The wait before retry ``attempt``, or None to give up and raise ``error``.

        Gives up when retries are used up, when the error is unsafe to retry, when
        the server asks for a longer wait than ``max_delay``, or when waiting would
        pass the deadline.
        """
        if attempt > self.max_retries:
            return None
        if not self.should_retry(
            error, read_only=read_only, retry_server_errors=retry_server_errors
        ):
            return None
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None and retry_after > self.max_delay:
            return None
        wait = self.delay(attempt, retry_after)
        if self.deadline is not None and elapsed + wait > self.deadline:
            return None
        return wait


class Attempts:
    """The retry state of one call: attempts made, time spent, the next timeout."""

    __slots__ = (
        "timeout",
        "_policy",
        "_seconds",
        "_read_only",
        "_retry_server_errors",
        "_failed",
        "_start",
    )

    def __init__(
        self,
        policy: RetryPolicy,
        seconds: float,
        *,
        read_only: bool,
        retry_server_errors: bool,
    ) -> None:
        """``seconds``: each attempt's timeout; the clock starts now."""
        self.timeout = seconds
        self._policy = policy
        self._seconds = seconds
        self._read_only = read_only
        self._retry_server_errors = retry_server_errors
        self._failed = 0
        self._start = time.monotonic()

    def backoff(self, error: BaseException) -> float | None:
        """Seconds to wait before retrying after ``error`` (None: give up); sets ``timeout``."""
        self._failed += 1
        elapsed = time.monotonic() - self._start
        policy = self._policy
        wait = policy.next_delay(
            error,
            self._failed,
            read_only=self._read_only,
            retry_server_errors=self._retry_server_errors,
            elapsed=elapsed,
        )
        if wait is not None and policy.deadline is not None:
            left = policy.deadline - elapsed - wait
            self.timeout = min(self._seconds, max(left, 0.001))
        return wait
