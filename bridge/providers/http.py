"""What every HTTP provider shares: statuses as contract errors, and retrying passing failures.

`status_error` gives an HTTP status its meaning once; a provider first
reads what its API adds (Google's error reasons, Graph's error codes) and
falls back on it. `RetryPolicy` repeats calls after a rate limit, a 5xx or
a dropped connection, for providers whose every call is idempotent (reads,
writes guarded by `If-Match`, creates with a client-chosen id, deletes that
accept "already gone"). Waits follow Retry-After when the server sends one
and otherwise grow exponentially with jitter (so many workers do not retry
in step); attempts and the total time spent waiting are bounded, after
which the error goes up to the worker, which owns longer back-off. The
sleep function is injectable so tests never wait for real.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from bridge.providers import (
    AuthExpired,
    ItemRejected,
    NotFound,
    PreconditionFailed,
    ProviderError,
    RateLimited,
    TemporaryFailure,
)

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


def status_error(status: int, message: str, retry_after: str | None = None) -> ProviderError:
    """The contract error an unsuccessful status means when the API says nothing more.

    429, and 503 with a Retry-After (how Microsoft and many servers throttle),
    ask to slow down; any other 5xx may pass; 401 is an access token to renew;
    404 and 410 are gone; 412 is a stale etag; any other 4xx refuses this one
    request's content.
    """
    if status == 429 or (status == 503 and retry_after is not None):
        return throttled(message, retry_after)
    if status >= 500:
        return TemporaryFailure(message)
    if status == 401:
        return AuthExpired(message)
    if status in (404, 410):
        return NotFound(message)
    if status == 412:
        return PreconditionFailed(message)
    return ItemRejected(message)


def throttled(message: str, retry_after: str | None) -> RateLimited:
    """A rate limit, waiting as long as the Retry-After header (if any) says."""
    return RateLimited(message, retry_after_seconds(retry_after, dt.datetime.now(dt.UTC)))


def retry_after_seconds(value: str | None, now: dt.datetime) -> float | None:
    """Retry-After as seconds from `now`: it is either a number of seconds or an HTTP-date."""
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - now).total_seconds())
