"""The failed sign-in counts: they leak away steadily, and one statement bumps them safely."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bridge.store import throttle
from bridge.store.db import writing
from bridge.store.schema import sign_in_failures

LIMITS = throttle.Limits(address_failures=4, user_failures=8, window_seconds=400)
"""One address failure leaks away every 100 s, one login failure every 50 s."""


def _fail(engine: sa.Engine, times: int, now: float, address: str = "192.0.2.1") -> None:
    with writing(engine) as conn:
        for _ in range(times):
            throttle.record_failure(conn, LIMITS, "alice", address, now)


def _retry_after(engine: sa.Engine, now: float, address: str = "192.0.2.1") -> int | None:
    with engine.connect() as conn:
        try:
            throttle.check(conn, LIMITS, "alice", address, now)
        except throttle.Throttled as refused:
            return refused.retry_after
    return None


def test_an_address_is_refused_at_its_limit_until_one_failure_leaked_away(
    engine: sa.Engine,
) -> None:
    _fail(engine, 3, now=1000.0)
    assert _retry_after(engine, 1000.0) is None
    _fail(engine, 1, now=1000.0)
    assert _retry_after(engine, 1000.0) == 100
    assert _retry_after(engine, 1060.0) == 40
    assert _retry_after(engine, 1100.5) is None


def test_failures_spread_out_below_the_rate_are_never_refused(engine: sa.Engine) -> None:
    for step in range(20):
        now = 1000.0 + step * 100
        assert _retry_after(engine, now) is None
        _fail(engine, 1, now)


def test_the_login_limit_refuses_only_addresses_with_recent_failures(engine: sa.Engine) -> None:
    for host in range(8):
        _fail(engine, 1, now=1000.0, address=f"198.51.100.{host}")
    assert _retry_after(engine, 1000.0, "198.51.100.200") is None
    # A guessing address waits until the login's count is below its limit (50 s),
    # which comes sooner than its own failure leaking away (100 s).
    assert _retry_after(engine, 1000.0, "198.51.100.3") == 50
    assert _retry_after(engine, 1051.0, "198.51.100.3") is None


def test_counts_that_leaked_away_are_deleted(engine: sa.Engine) -> None:
    _fail(engine, 2, now=1000.0, address="192.0.2.9")
    _fail(engine, 1, now=5000.0, address="192.0.2.10")
    with engine.connect() as conn:
        rows = conn.execute(sa.select(sa.func.count()).select_from(sign_in_failures)).scalar()
    assert rows == 2  # the later failure's address and login; the old address is gone


@pytest.mark.parametrize("address", ["unknown", "not an address"])
def test_an_address_that_is_not_an_ip_is_still_counted(engine: sa.Engine, address: str) -> None:
    _fail(engine, 4, now=1000.0, address=address)
    assert _retry_after(engine, 1000.0, address) == 100
