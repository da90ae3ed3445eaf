"""Throttling failed sign-ins: a decaying count per client address and per login.

Every failed sign-in adds one to the count of the client's address and one
to the count of the login it tried. Counts leak away at a steady rate, so a
burst of `limit` failures is forgotten after `Limits.window_seconds`, and a
client that keeps failing slowly enough is never refused. The counts live in
the database (`sign_in_failures`) so that every process and node refuses
the same guesser.

The address limit is the first line: one client guessing. The login limit is
higher and stops many addresses guessing one user's password, but it only
refuses addresses that failed lately themselves: a client with no recent
failures may still sign in, so attackers cannot lock a user out. IPv6
addresses count by their /64, which a single client usually holds whole.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from bridge.errors import TooManyRequests
from bridge.store.schema import sign_in_failures as failures


@dataclass(frozen=True)
class Limits:
    """How many failures a client address and a login may make per window."""

    address_failures: int
    user_failures: int
    window_seconds: float


class Throttled(TooManyRequests):
    """Too many failed sign-ins: answer 429, and try again after `retry_after` seconds."""

    retry_after: int

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"too many failed sign-ins: try again in {retry_after} seconds", retry_after
        )


def check(conn: sa.Connection, limits: Limits, login: str, address: str, now: float) -> None:
    """Raise `Throttled` when `address` may not try to sign in as `login` now (epoch seconds)."""
    address_rate = limits.address_failures / limits.window_seconds
    user_rate = limits.user_failures / limits.window_seconds
    by_address, by_user = _address_subject(address), _user_subject(login)
    scores = _scores(conn, [by_address, by_user])
    address_score = _decayed(scores.get(by_address), address_rate, now)
    user_score = _decayed(scores.get(by_user), user_rate, now)
    waits = []
    if address_score > limits.address_failures - 1:
        waits.append((address_score - limits.address_failures + 1) / address_rate)
    if user_score > limits.user_failures - 1 and address_score > 0:
        # Until the login is below its limit, or this address has no recent failure.
        waits.append(
            min((user_score - limits.user_failures + 1) / user_rate, address_score / address_rate)
        )
    if waits:
        raise Throttled(max(1, math.ceil(max(waits))))


def record_failure(
    conn: sa.Connection, limits: Limits, login: str, address: str, now: float
) -> None:
    """Count one failed sign-in against `address` and `login`; forget counts that leaked away."""
    _bump(conn, _address_subject(address), limits.address_failures / limits.window_seconds, now)
    _bump(conn, _user_subject(login), limits.user_failures / limits.window_seconds, now)
    # Every rate is at least one failure per window, so a count of n is gone after n windows.
    conn.execute(
        sa.delete(failures).where(
            failures.c.updated + failures.c.score * limits.window_seconds < now
        )
    )


def _scores(conn: sa.Connection, subjects: list[str]) -> dict[str, tuple[float, float]]:
    rows = conn.execute(
        sa.select(failures.c.subject, failures.c.score, failures.c.updated).where(
            failures.c.subject.in_(subjects)
        )
    )
    return {row.subject: (row.score, row.updated) for row in rows}


def _decayed(entry: tuple[float, float] | None, rate: float, now: float) -> float:
    if entry is None:
        return 0.0
    score, updated = entry
    return max(0.0, score - max(0.0, now - updated) * rate)


def _bump(conn: sa.Connection, subject: str, rate: float, now: float) -> None:
    """Add one to `subject`'s decayed count in one statement, safe against concurrent bumps."""
    leaked = failures.c.score - (now - failures.c.updated) * rate
    decayed = sa.case((leaked > 0, leaked), else_=0.0)
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(failures).values(subject=subject, score=1.0, updated=now)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[failures.c.subject], set_={"score": decayed + 1, "updated": now}
        )
    )


def _address_subject(address: str) -> str:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return _digest("address", address)
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return _digest("address", str(parsed.ipv4_mapped))
        return _digest("address", str(ipaddress.ip_network(f"{parsed}/64", strict=False)))
    return _digest("address", str(parsed))


def _user_subject(login: str) -> str:
    return _digest("user", login)


def _digest(kind: str, name: str) -> str:
    """The key of a count: hashed, since people type passwords into the login field too."""
    return hashlib.sha256(f"{kind}:{name}".encode()).hexdigest()
