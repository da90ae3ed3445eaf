"""The CRM side of the benchmark: N activities in the sync window, loaded in bulk, and edits.

The activities are dated from tomorrow over the next `SPREAD_DAYS` days,
several a day, so all of them fall in the default sync window (30 days
back, 365 ahead) and the initial run must push every one. They are drawn
from a seeded generator, so two runs push the same content; only the dates
follow today, as the window does. Loading goes through the store's bulk
insert in batches, as `bridge.transfer` does; an edit goes through the same
`save_activity` as an edit in the CRM, which is what wakes the worker.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import time
from collections.abc import Iterator, Sequence

import sqlalchemy as sa

from bench._events import SUBJECTS
from bridge.domain import Activity
from bridge.store import activities as activity_store
from bridge.store.crm import list_activity_types
from bridge.store.db import writing
from bridge.store.schema import activities

SPREAD_DAYS = 300
BATCH_SIZE = 1000
"""Activities per insert (and per transaction), as in `bridge.transfer`."""
_SEED = 20250106
_TYPES = ("meeting", "meeting", "call")
_LOCATIONS = ("", "", "Room 2.14", "Client office", "Video call")


def generate(owner_id: int, count: int, today: dt.date) -> list[Activity]:
    """`count` timed activities of 30-60 minutes in working hours, spread evenly over the days."""
    rng = random.Random(_SEED)
    return [
        Activity(
            subject=f"{rng.choice(SUBJECTS)} #{index}",
            type_key=rng.choice(_TYPES),
            owner_id=owner_id,
            uid=f"bench-sync-{index:06d}@calbridge.bench",
            due_date=today + dt.timedelta(days=1 + index % SPREAD_DAYS),
            due_time=dt.time(rng.randint(8, 17), rng.choice((0, 15, 30, 45))),
            duration=dt.timedelta(minutes=rng.choice((30, 45, 60))),
            location=rng.choice(_LOCATIONS),
        )
        for index in range(count)
    ]


def load(engine: sa.Engine, batch: Sequence[Activity]) -> float:
    """Insert every activity, `BATCH_SIZE` per transaction; returns the seconds it took."""
    started = time.perf_counter()
    with engine.connect() as conn:
        types = list_activity_types(conn)
    for chunk in _chunks(batch, BATCH_SIZE):
        with writing(engine) as conn:
            activity_store.insert_many(conn, chunk, types)
    return time.perf_counter() - started


def spread_ids(engine: sa.Engine, owner_id: int, count: int) -> list[int]:
    """`count` of the owner's activity ids, evenly spaced, so edits land all over the window."""
    c = activities.c
    with engine.connect() as conn:
        ids = list(conn.execute(sa.select(c.id).where(c.owner_id == owner_id).order_by(c.id)))
    step = max(len(ids) // count, 1)
    return [row.id for row in ids[::step][:count]]


def rename(engine: sa.Engine, activity_id: int, subject: str) -> None:
    """Change an activity's subject and save it as the CRM does (a new revision)."""
    with writing(engine) as conn:
        current = activity_store.get_activity(conn, activity_id)
        if current is None:
            raise LookupError(f"activity {activity_id} is gone")
        changed = dataclasses.replace(current, subject=subject)
        activity_store.save_activity(conn, changed, list_activity_types(conn))


def _chunks(items: Sequence[Activity], size: int) -> Iterator[Sequence[Activity]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
