"""Telling sync workers on PostgreSQL that something changed, so they look at once.

Workers find due accounts by polling; on PostgreSQL a change also sends a
NOTIFY on `CHANNEL` (delivered when its transaction commits), which a
worker LISTENs for, so a CRM change or a push notification is acted on
without waiting for the next poll. SQLite has no such thing: its workers
live in the one `calbridge serve` process and just poll.
"""

from __future__ import annotations

import sqlalchemy as sa

CHANNEL = "calbridge_sync"


def announce(conn: sa.Connection) -> None:
    """Wake the listening workers once this transaction commits (PostgreSQL only)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_notify(CHANNEL, "")))
