"""The monotonic activity revision behind sync tokens, CTags and ETags.

The counter is one row updated inside the writing transaction: on PostgreSQL
the row lock orders concurrent writers, so a revision is never visible before
every smaller one has committed, which keeps sync tokens gap-free.
"""

from __future__ import annotations

import sqlalchemy as sa

from bridge.store.schema import counters
from bridge.store.wakeups import announce

ACTIVITY_COUNTER = "activity"


def next_revision(conn: sa.Connection, name: str = ACTIVITY_COUNTER) -> int:
    """The next value of counter `name`; an activity change also wakes the sync workers."""
    if name == ACTIVITY_COUNTER:
        announce(conn)
    statement = (
        sa.update(counters)
        .where(counters.c.name == name)
        .values(value=counters.c.value + 1)
        .returning(counters.c.value)
    )
    return int(conn.execute(statement).scalar_one())


def current_revision(conn: sa.Connection, name: str = ACTIVITY_COUNTER) -> int:
    return int(
        conn.execute(sa.select(counters.c.value).where(counters.c.name == name)).scalar_one()
    )
