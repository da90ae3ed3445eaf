"""Migration 0004 gives rows stored under an href with a slash a flat one, on both databases."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from bridge.store.db import downgrade, migrate
from bridge.store.hrefs import href_for
from tests.store.old_tables import activities, users

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def _row(row_id: int, uid: str, href: str, revision: int, deleted: bool = False) -> dict:
    return {
        "id": row_id,
        "owner_id": 1,
        "uid": uid,
        "href": href,
        "type_key": "meeting",
        "subject": "Weekly review",
        "participant_ids": [],
        "attendees": [],
        "component": "VEVENT",
        "ical": "" if deleted else "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
        "range_start": 0,
        "range_end": 3600,
        "revision": revision,
        "created_at": NOW,
        "updated_at": NOW,
        "deleted_at": NOW if deleted else None,
    }


def _seed_at_0003(engine: sa.Engine) -> None:
    """What sync stored before: occurrences under ``<uid>/<recurrence id>.ics``."""
    migrate(engine, "0003")
    with engine.begin() as conn:
        conn.execute(
            sa.insert(users).values(
                id=1, login="alice", name="", email="", password_hash="x", created_at=NOW
            )
        )
        conn.execute(
            sa.insert(activities),
            [
                _row(1, "plain@crm.test", "plain@crm.test.ics", 1),
                _row(2, "acc-recr/20261207T100000Z", "acc-recr/20261207T100000Z.ics", 2),
                _row(3, "acc-recr/20261214T100000Z", "acc-recr/20261214T100000Z.ics", 3),
                _row(4, "acc-recr/20261221T100000Z", "acc-recr/20261221T100000Z.ics", 4, True),
            ],
        )
        conn.execute(sa.text("UPDATE counters SET value = 4 WHERE name = 'activity'"))


def _hrefs_and_revisions(engine: sa.Engine) -> dict[int, tuple[str, int]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(activities.c.id, activities.c.href, activities.c.revision)
        ).all()
    return {row.id: (row.href, row.revision) for row in rows}


def test_slashed_hrefs_become_flat_under_one_new_revision(empty_engine: sa.Engine) -> None:
    _seed_at_0003(empty_engine)

    migrate(empty_engine)

    assert _hrefs_and_revisions(empty_engine) == {
        1: ("plain@crm.test.ics", 1),
        2: (href_for("acc-recr/20261207T100000Z"), 5),
        3: (href_for("acc-recr/20261214T100000Z"), 5),
        4: (href_for("acc-recr/20261221T100000Z"), 5),
    }
    with empty_engine.connect() as conn:
        counter = conn.execute(sa.text("SELECT value FROM counters")).scalar_one()
    assert counter == 5


def test_downgrading_keeps_the_flat_hrefs_and_upgrading_again_changes_nothing(
    empty_engine: sa.Engine,
) -> None:
    _seed_at_0003(empty_engine)
    migrate(empty_engine)
    migrated = _hrefs_and_revisions(empty_engine)

    downgrade(empty_engine, "0003")
    assert _hrefs_and_revisions(empty_engine) == migrated
    migrate(empty_engine)

    assert _hrefs_and_revisions(empty_engine) == migrated
    assert all("/" not in href for href, _ in migrated.values())
