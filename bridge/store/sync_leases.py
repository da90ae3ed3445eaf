"""Worker leases: which worker runs which account now, so no account is synced twice at once.

A worker claims due accounts by writing its name and an expiry into their
rows. On PostgreSQL the claim selects with ``FOR UPDATE SKIP LOCKED``, so
workers claiming at the same moment pass over each other's rows instead of
waiting or taking the same one; on SQLite the writing transaction holds
the database's write lock, which serialises claims just the same. A worker
that dies leaves a lease that expires, after which any worker may claim it.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from bridge.accounts import AccountState
from bridge.store.schema import activities, calendar_accounts

c = calendar_accounts.c


def _due(now: dt.datetime) -> sa.ColumnElement[bool]:
    """Active, not leased, and its time has come or its owner's activities changed since.

    A CRM change does not cut short the back-off of an account whose last
    run failed: that waits for `next_run_at`.
    """
    crm_changed = sa.exists().where(
        activities.c.owner_id == c.user_id, activities.c.revision > c.crm_revision_seen
    )
    return sa.and_(
        c.state == AccountState.ACTIVE.value,
        sa.or_(c.lease_expires_at.is_(None), c.lease_expires_at < now),
        sa.or_(
            c.next_run_at.is_(None),
            c.next_run_at <= now,
            sa.and_(c.last_error.is_(None), crm_changed),
        ),
    )


def claim_due(
    conn: sa.Connection, owner: str, now: dt.datetime, lease: dt.timedelta, limit: int
) -> list[int]:
    """Lease up to `limit` due accounts to `owner` until `now + lease`; returns their ids."""
    query = (
        sa.select(c.id)
        .where(_due(now))
        .order_by(c.next_run_at.nulls_first(), c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(conn.execute(query).scalars())
    if ids:
        conn.execute(
            sa.update(calendar_accounts)
            .where(c.id.in_(ids))
            .values(lease_owner=owner, lease_expires_at=now + lease)
        )
    return ids


def extend_lease(conn: sa.Connection, account_id: int, owner: str, until: dt.datetime) -> bool:
    """Keep a long run's lease alive; False when the lease was lost to another worker."""
    result = conn.execute(
        sa.update(calendar_accounts)
        .where(c.id == account_id, c.lease_owner == owner)
        .values(lease_expires_at=until)
    )
    return result.rowcount == 1


def release(conn: sa.Connection, account_id: int, owner: str) -> None:
    """Give the account back once its run is over (a no-op if the lease was lost)."""
    conn.execute(
        sa.update(calendar_accounts)
        .where(c.id == account_id, c.lease_owner == owner)
        .values(lease_owner=None, lease_expires_at=None)
    )
