"""Retrying Google calls that failed for a passing reason, without ever hammering Google.

Every call the Google provider makes is idempotent (reads, writes guarded by
`If-Match`, creates with a client-chosen event id, deletes that accept
"already gone"), so each may be repeated after a rate limit, a 5xx or a
dropped connection. Waits follow Retry-After when Google sends one and
otherwise grow exponentially with jitter (so many workers do not retry in
step); attempts and the total time spent waiting are bounded, after which
the error goes up to the worker, which owns longer back-off. The sleep
function is injectable so tests never wait for real.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from bridge.providers import RateLimited, TemporaryFailure

Transient = RateLimited | TemporaryFailure
TRANSIENT = (RateLimited, TemporaryFailure)
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry; `jitter()` returns a float in [0, 1)."""

    attempts: int = 4
    base_delay: float = 1.0
    max_delay: float = 32.0
    max_total_wait: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random

    def call(self, operation: Callable[[], T]) -> T:
        """`operation()`, repeated after transient failures while the budget lasts."""
        backoff = Backoff(self)
        while True:
            try:
                return operation()
            except TRANSIENT as error:
                backoff.wait(error)

    def delay(self, retry: int, error: Transient) -> float:
        """Seconds to wait before retry number `retry` (0-based) after `error`."""
        if isinstance(error, RateLimited) and error.retry_after is not None:
            return error.retry_after
        ceiling = min(self.max_delay, self.base_delay * 2**retry)
        return ceiling / 2 + ceiling / 2 * self.jitter()


class Backoff:
    """The retries of one logical call: waits, or re-raises once attempts or time run out."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy
        self.retries = 0
        self.waited = 0.0

    def wait(self, error: Transient) -> None:
        delay = self.policy.delay(self.retries, error)
        exhausted = self.retries + 1 >= self.policy.attempts
        if exhausted or self.waited + delay > self.policy.max_total_wait:
            raise error
        self.policy.sleep(delay)
        self.retries += 1
        self.waited += delay


DEFAULT_RETRY = RetryPolicy()
