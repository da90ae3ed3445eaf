"""Migration 0007 gives every stored activity its list key, on both databases."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from bridge.store.db import downgrade, migrate
from bridge.store.list_keys import UNDATED, list_key
from tests.store.old_tables import activities, users

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)

list_keys = sa.table("activities", sa.column("id"), sa.column("list_key"))

DUE = {
    1: (dt.date(2026, 12, 7), dt.time(9, 30)),
    2: (dt.date(2026, 12, 7), None),
    3: (None, None),
}


def _seed_at_0006(engine: sa.Engine, count: int = 2500) -> None:
    """Activities stored before the key existed, more than one batch of them."""
    migrate(engine, "0006")
    rows = []
    for row_id in range(1, count + 1):
        due_date, due_time = DUE.get(row_id, (dt.date(2026, 1, 1), dt.time(row_id % 24)))
        rows.append(
            {
                "id": row_id,
                "owner_id": 1,
                "uid": f"a{row_id}@crm.test",
                "href": f"a{row_id}.ics",
                "type_key": "call",
                "subject": "Call",
                "due_date": due_date,
                "due_time": due_time,
                "participant_ids": [],
                "attendees": [],
                "component": "VEVENT" if due_date else "VTODO",
                "ical": "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
                "range_start": 0,
                "range_end": 3600,
                "revision": 1,
                "created_at": NOW,
                "updated_at": NOW,
            }
        )
    with engine.begin() as conn:
        conn.execute(
            sa.insert(users).values(
                id=1, login="alice", name="", email="", password_hash="x", created_at=NOW
            )
        )
        conn.execute(sa.insert(activities), rows)


def _keys(engine: sa.Engine) -> dict[int, int]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(list_keys.c.id, list_keys.c.list_key)).all())


def test_every_stored_activity_gets_its_key(empty_engine: sa.Engine) -> None:
    _seed_at_0006(empty_engine)

    migrate(empty_engine)

    keys = _keys(empty_engine)
    assert len(keys) == 2500
    assert keys[1] == list_key(*DUE[1])
    assert keys[2] == list_key(*DUE[2]) < keys[1]
    assert keys[3] == UNDATED
    assert keys[2500] == list_key(dt.date(2026, 1, 1), dt.time(2500 % 24))


def test_downgrading_drops_the_key_and_upgrading_again_computes_it(
    empty_engine: sa.Engine,
) -> None:
    _seed_at_0006(empty_engine, count=3)
    migrate(empty_engine)
    migrated = _keys(empty_engine)

    downgrade(empty_engine, "0006")
    migrate(empty_engine)

    assert _keys(empty_engine) == migrated
