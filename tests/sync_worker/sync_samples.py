"""Helpers for the sync scenario tests: CRM activities, Google-side events, running a sync."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa

from bridge.domain import Activity, User
from bridge.store import activities as activity_store
from bridge.store.crm import list_activity_types
from bridge.store.db import writing
from bridge.store.sync_accounts import request_sync
from bridge.store.sync_runs import RunOutcome
from bridge.sync.run import RunResult
from bridge.worker.scheduler import Worker

GOOGLE_CALENDAR = "user@example.com"


def soon(days: int, hour: int = 9) -> dt.datetime:
    """A whole hour `days` from today, UTC: inside the default sync window."""
    today = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    return today.replace(hour=hour) + dt.timedelta(days=days)


def add_activity(engine: sa.Engine, owner: User, subject: str, **fields: Any) -> Activity:
    """A one-hour activity of `owner`, tomorrow at 09:00 UTC unless `start` says otherwise."""
    start: dt.datetime = fields.pop("start", soon(1))
    values: dict[str, Any] = {
        "type_key": "meeting",
        "due_date": start.date(),
        "due_time": start.time(),
        "duration": dt.timedelta(hours=1),
        **fields,
    }
    assert owner.id is not None
    activity = Activity(
        subject=subject, owner_id=owner.id, uid=f"{uuid.uuid4()}@crm.test", **values
    )
    with writing(engine) as conn:
        return activity_store.save_activity(conn, activity, list_activity_types(conn))


def change_activity(engine: sa.Engine, activity_id: int, **fields: Any) -> Activity:
    with writing(engine) as conn:
        current = activity_store.get_activity(conn, activity_id)
        assert current is not None
        changed = dataclasses.replace(current, **fields)
        return activity_store.save_activity(conn, changed, list_activity_types(conn))


def delete_activity(engine: sa.Engine, activity_id: int) -> None:
    with writing(engine) as conn:
        activity_store.delete_activity(conn, activity_id)


def live_activities(engine: sa.Engine, owner: User) -> list[Activity]:
    with engine.connect() as conn:
        return activity_store.list_activities(conn, owner.id)


def google_event(summary: str, start: dt.datetime, **fields: Any) -> dict[str, Any]:
    """An events.insert body for a one-hour timed event."""
    end = start + dt.timedelta(hours=1)
    return {
        "summary": summary,
        "start": {"dateTime": start.isoformat()},
        "end": {"dateTime": end.isoformat()},
        **fields,
    }


def live_events(events: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The emulator's events without cancelled ones (tombstones stay in its store)."""
    return {key: event for key, event in events.items() if event.get("status") != "cancelled"}


def sync(worker: Worker, account_id: int) -> RunResult:
    """Make the account due ("Sync now"), run it through the worker and return the run."""
    with writing(worker.engine) as conn:
        request_sync(conn, account_id, dt.datetime.now(dt.UTC))
    results = worker.run_due()
    assert account_id in results, f"account {account_id} was not due"
    result = results[account_id]
    assert result is not None
    return result


def sync_ok(worker: Worker, account_id: int) -> RunResult:
    result = sync(worker, account_id)
    assert result.outcome is RunOutcome.OK, result.message
    return result
