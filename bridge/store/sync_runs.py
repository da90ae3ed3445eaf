"""The log of each account's sync runs: what the worker did, shown on the settings page.

A run is started before any call to the provider and finished with its
outcome and counts; a run that never finishes (a worker killed mid-run)
stays with no outcome, which is itself worth showing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

import sqlalchemy as sa

from bridge.ical.times import utc_aware
from bridge.store.schema import sync_runs

c = sync_runs.c


class RunOutcome(StrEnum):
    """How a run ended."""

    OK = "ok"
    ERROR = "error"
    """Failed as a whole (an outage, a bug); the next run retries."""
    NEEDS_ATTENTION = "needs_attention"
    """Refused to do something dangerous (the mass-deletion guard): the user must look."""
    NEEDS_RECONNECT = "needs_reconnect"
    """The grant or password no longer works: the user must connect the account again."""


@dataclass(frozen=True)
class RunCounts:
    """What one run did; `requests` counts calls to the provider's API."""

    pushed: int = 0
    imported: int = 0
    deleted: int = 0
    failed: int = 0
    requests: int = 0


COUNT_COLUMNS = tuple(field.name for field in dataclasses.fields(RunCounts))


@dataclass(frozen=True)
class SyncRun:
    id: int
    account_id: int
    started_at: dt.datetime
    finished_at: dt.datetime | None
    outcome: RunOutcome | None
    counts: RunCounts
    message: str


def start_run(conn: sa.Connection, account_id: int, now: dt.datetime) -> int:
    """Record that a run of the account begins; returns the run's id for `finish_run`."""
    return conn.execute(
        sa.insert(sync_runs).values(account_id=account_id, started_at=utc_aware(now))
    ).inserted_primary_key[0]


def finish_run(
    conn: sa.Connection,
    run_id: int,
    now: dt.datetime,
    outcome: RunOutcome,
    counts: RunCounts,
    message: str = "",
) -> None:
    conn.execute(
        sa.update(sync_runs)
        .where(c.id == run_id)
        .values(
            finished_at=utc_aware(now),
            outcome=outcome.value,
            message=message,
            **dataclasses.asdict(counts),
        )
    )


def recent_runs(conn: sa.Connection, account_id: int, limit: int = 20) -> list[SyncRun]:
    """The account's latest runs, newest first."""
    rows = conn.execute(
        sa.select(sync_runs)
        .where(c.account_id == account_id)
        .order_by(c.started_at.desc(), c.id.desc())
        .limit(limit)
    )
    return [
        SyncRun(
            id=row.id,
            account_id=row.account_id,
            started_at=utc_aware(row.started_at),
            finished_at=utc_aware(row.finished_at),
            outcome=RunOutcome(row.outcome) if row.outcome is not None else None,
            counts=RunCounts(**{name: row._mapping[name] for name in COUNT_COLUMNS}),
            message=row.message,
        )
        for row in rows
    ]
