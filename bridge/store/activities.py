"""Activity rows: saving (with rendering and revisions) and the queries CalDAV and feeds need.

Every save renders the activity's iCalendar text once and stores it, with the
component kind and the enclosing time range, so reads never render and
time-range queries run in SQL. A save or delete takes the next revision; a
delete leaves a tombstone row. When an activity changes component (an undated
to-do gets a date and becomes an event), a tombstone is left behind in the
collection it leaves, so that collection's sync reports it gone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import sqlalchemy as sa

from bridge import errors
from bridge.domain import Activity, ActivityType, Attendee, ComponentKind
from bridge.ical import render as rendering
from bridge.ical import timerange
from bridge.ical.times import utc_aware
from bridge.store.chunks import chunks
from bridge.store.hrefs import href_for, is_flat
from bridge.store.list_keys import list_key
from bridge.store.revisions import next_revision
from bridge.store.schema import activities
from bridge.store.spans import is_long_span, overlapping

c = activities.c


class ActivityError(errors.InvalidInput):
    """An activity that cannot be stored as given (unknown type, duplicate UID, bad href)."""


class NoSuchActivity(errors.NotFoundError, ActivityError):
    """The activity to update does not exist (or was deleted)."""


class DuplicateUid(errors.Conflict, ActivityError):
    """The owner has an activity with that UID already."""


@dataclass(frozen=True)
class Scope:
    """Which activities a collection or feed shows.

    ``owner_id`` with ``team=False``: that user's own activities. With
    ``team=True``: everyone else's. ``component`` narrows to VEVENT or VTODO.
    """

    owner_id: int
    component: ComponentKind | None = None
    team: bool = False

    def where(self) -> sa.ColumnElement[bool]:
        clauses: list[sa.ColumnElement[bool]] = [
            c.owner_id != self.owner_id if self.team else c.owner_id == self.owner_id
        ]
        if self.component is not None:
            clauses.append(c.component == self.component.value)
        if self.team:
            clauses.append(c.moved.is_(False))
        return sa.and_(*clauses)


def row_to_activity(row: sa.Row) -> Activity:
    return Activity(
        subject=row.subject,
        type_key=row.type_key,
        owner_id=row.owner_id,
        uid=row.uid,
        due_date=row.due_date,
        due_time=row.due_time,
        duration=dt.timedelta(seconds=row.duration_seconds)
        if row.duration_seconds is not None
        else None,
        done=row.done,
        done_at=utc_aware(row.done_at),
        busy=row.busy,
        private=row.private,
        location=row.location,
        public_description=row.public_description,
        note=row.note,
        deal_id=row.deal_id,
        person_id=row.person_id,
        org_id=row.org_id,
        participant_ids=list(row.participant_ids or []),
        attendees=[Attendee(**attendee) for attendee in row.attendees or []],
        href=row.href,
        ical=row.ical,
        id=row.id,
        revision=row.revision,
        created_at=utc_aware(row.created_at),
        updated_at=utc_aware(row.updated_at),
    )


def _mapped_columns(activity: Activity) -> dict[str, object]:
    return {
        "owner_id": activity.owner_id,
        "uid": activity.uid,
        "href": activity.href,
        "type_key": activity.type_key,
        "subject": activity.subject,
        "due_date": activity.due_date,
        "due_time": activity.due_time,
        "duration_seconds": int(activity.duration.total_seconds())
        if activity.duration is not None
        else None,
        "done": activity.done,
        "done_at": activity.done_at,
        "busy": activity.busy,
        "private": activity.private,
        "location": activity.location,
        "public_description": activity.public_description,
        "note": activity.note,
        "deal_id": activity.deal_id,
        "person_id": activity.person_id,
        "org_id": activity.org_id,
        "participant_ids": list(activity.participant_ids),
        "attendees": [
            {"email": a.email, "name": a.name, "status": a.status} for a in activity.attendees
        ],
        "list_key": list_key(activity.due_date, activity.due_time),
    }


def prepare(
    activity: Activity, types: dict[str, ActivityType], revision: int, now: dt.datetime
) -> tuple[Activity, dict[str, object]]:
    """Render an activity and compute the columns a save writes (no I/O)."""
    activity_type = types.get(activity.type_key)
    if activity_type is None:
        raise ActivityError(f"unknown activity type {activity.type_key!r}")
    if activity.done and activity.done_at is None:
        activity = replace(activity, done_at=now)
    if not activity.done:
        activity = replace(activity, done_at=None)
    href = activity.href or href_for(activity.uid)
    if not is_flat(href):
        raise ActivityError(f"href {href!r} is not a single path segment")
    activity = replace(
        activity,
        href=href,
        created_at=activity.created_at or now,
        updated_at=now,
        revision=revision,
    )
    text = rendering.render(activity, activity_type)
    recurring = timerange.is_recurring(text)
    start, end = (
        timerange.time_range(text) if recurring else timerange.activity_time_range(activity)
    )
    activity = replace(activity, ical=text)
    values = _mapped_columns(activity) | {
        "component": rendering.component_kind(activity, activity_type).value,
        "ical": text,
        "range_start": start,
        "range_end": end,
        "recurring": recurring,
        "long_span": is_long_span(start, end, recurring),
        "revision": revision,
        "created_at": activity.created_at,
        "updated_at": now,
        "deleted_at": None,
        "moved": False,
    }
    return activity, values


def save_activity(
    conn: sa.Connection, activity: Activity, types: dict[str, ActivityType]
) -> Activity:
    """Insert or update one activity; returns it with id, href, revision and rendered text."""
    now = dt.datetime.now(dt.UTC)
    revision = next_revision(conn)
    activity, values = prepare(activity, types, revision, now)
    if activity.id is None:
        _check_uid_free(conn, activity)
        new_id = conn.execute(sa.insert(activities).values(**values)).inserted_primary_key[0]
        return replace(activity, id=new_id)
    previous = conn.execute(
        sa.select(activities).where(c.id == activity.id, c.deleted_at.is_(None))
    ).first()
    if previous is None:
        raise NoSuchActivity(f"activity {activity.id} does not exist")
    if previous.component != values["component"] or previous.href != values["href"]:
        _leave_tombstone(conn, previous, revision, now)
    conn.execute(sa.update(activities).where(c.id == activity.id).values(**values))
    return activity


def insert_many(
    conn: sa.Connection, batch: Sequence[Activity], types: dict[str, ActivityType]
) -> int:
    """Insert new activities in one statement under one revision (bulk import)."""
    if not batch:
        return 0
    now = dt.datetime.now(dt.UTC)
    revision = next_revision(conn)
    rows = [prepare(activity, types, revision, now)[1] for activity in batch]
    conn.execute(sa.insert(activities), rows)
    return len(rows)


def _check_uid_free(conn: sa.Connection, activity: Activity) -> None:
    """Two indexed lookups: an OR of both would scan the owner's rows."""
    for column, value in ((c.uid, activity.uid), (c.href, activity.href)):
        clash = conn.execute(
            sa.select(c.id).where(
                c.owner_id == activity.owner_id, c.deleted_at.is_(None), column == value
            )
        ).first()
        if clash is not None:
            raise DuplicateUid(f"an activity with UID {activity.uid!r} already exists")


def _tombstone(previous: sa.Row, revision: int, now: dt.datetime) -> dict[str, object]:
    """The row a moved activity leaves in the collection it left, so clients there drop it."""
    values = dict(previous._mapping)
    del values["id"]
    values.update(revision=revision, deleted_at=now, moved=True)
    return values


def _leave_tombstone(
    conn: sa.Connection, previous: sa.Row, revision: int, now: dt.datetime
) -> None:
    conn.execute(sa.insert(activities).values(**_tombstone(previous, revision, now)))


def render_again(
    conn: sa.Connection, batch: Sequence[Activity], types: dict[str, ActivityType]
) -> None:
    """Render stored activities again under one new revision, in a few statements.

    For a change that is not theirs (their type's name or kind): one revision
    for the batch, like a bulk import, and one UPDATE and one INSERT of
    tombstones (for those whose component changed) for all of it.
    """
    if not batch:
        return
    now = dt.datetime.now(dt.UTC)
    revision = next_revision(conn)
    ids = [activity.id for activity in batch]
    previous = {row.id: row for row in conn.execute(sa.select(activities).where(c.id.in_(ids)))}
    updates: list[dict[str, object]] = []
    tombstones: list[dict[str, object]] = []
    for activity in batch:
        _rendered, values = prepare(activity, types, revision, now)
        old = previous[activity.id]
        if old.component != values["component"] or old.href != values["href"]:
            tombstones.append(_tombstone(old, revision, now))
        updates.append({"row_id": activity.id, **values})
    if tombstones:
        conn.execute(sa.insert(activities), tombstones)
    conn.execute(sa.update(activities).where(c.id == sa.bindparam("row_id")), updates)


def delete_activity(conn: sa.Connection, activity_id: int) -> None:
    """Turn a live activity into a tombstone under a new revision."""
    revision = next_revision(conn)
    conn.execute(
        sa.update(activities)
        .where(c.id == activity_id, c.deleted_at.is_(None))
        .values(deleted_at=dt.datetime.now(dt.UTC), revision=revision, ical="")
    )


def restore_activity(
    conn: sa.Connection, activity_id: int, types: dict[str, ActivityType]
) -> Activity | None:
    """Bring a deleted activity back from its tombstone under a new revision.

    None when there is nothing to restore: the activity is alive, or its
    tombstone is one left by a move (whose live row goes on under the same id).
    The client's original iCalendar text went with the deletion; the activity
    is rendered again from its columns.
    """
    row = conn.execute(
        sa.select(activities).where(
            c.id == activity_id, c.deleted_at.is_not(None), c.moved.is_(False)
        )
    ).first()
    if row is None:
        return None
    tombstone = replace(row_to_activity(row), ical="")
    _check_uid_free(conn, tombstone)
    activity, values = prepare(tombstone, types, next_revision(conn), dt.datetime.now(dt.UTC))
    conn.execute(sa.update(activities).where(c.id == activity_id).values(**values))
    return activity


def get_activity(conn: sa.Connection, activity_id: int) -> Activity | None:
    row = conn.execute(
        sa.select(activities).where(c.id == activity_id, c.deleted_at.is_(None))
    ).first()
    return row_to_activity(row) if row else None


def find_by_uid(conn: sa.Connection, owner_id: int, uid: str) -> Activity | None:
    row = conn.execute(
        sa.select(activities).where(c.owner_id == owner_id, c.uid == uid, c.deleted_at.is_(None))
    ).first()
    return row_to_activity(row) if row else None


def find_by_href(conn: sa.Connection, scope: Scope, href: str) -> Activity | None:
    row = conn.execute(
        sa.select(activities).where(scope.where(), c.href == href, c.deleted_at.is_(None))
    ).first()
    return row_to_activity(row) if row else None


def list_activities(conn: sa.Connection, owner_id: int | None = None) -> list[Activity]:
    query = sa.select(activities).where(c.deleted_at.is_(None)).order_by(c.id)
    if owner_id is not None:
        query = query.where(c.owner_id == owner_id)
    return [row_to_activity(row) for row in conn.execute(query)]


# Columns a listing needs without the heavy text; the text is fetched on demand.
LISTING_COLUMNS = (
    c.id,
    c.href,
    c.uid,
    c.component,
    c.revision,
    c.private,
    c.owner_id,
    c.range_start,
    c.range_end,
    c.recurring,
    c.updated_at,
)


LARGE_LOOKUP = 2_000
"""Above this many hrefs, one scan filtered in Python beats many IN lists."""


def listing(
    conn: sa.Connection,
    scope: Scope,
    *,
    hrefs: Iterable[str] | None = None,
    ids: Iterable[int] | None = None,
    time_range: tuple[int, int] | None = None,
    latest: bool = False,
) -> list[sa.Row]:
    """Live activities in ``scope``, optionally narrowed to hrefs, ids or a time range.

    ``latest`` returns only the most recently changed one.
    """
    query = sa.select(*LISTING_COLUMNS).where(scope.where(), c.deleted_at.is_(None))
    if hrefs is not None:
        return _by_hrefs(conn, scope, list(hrefs))
    if ids is not None:
        return _in_chunks(conn, query, c.id, list(ids))
    if time_range is not None:
        return overlapping(conn, query.order_by(c.id), activities, *time_range)
    if latest:
        return list(conn.execute(query.order_by(c.revision.desc()).limit(1)))
    return list(conn.execute(query.order_by(c.id)))


def _in_chunks(
    conn: sa.Connection, query: sa.Select, column: sa.ColumnElement, values: list
) -> list[sa.Row]:
    rows: list[sa.Row] = []
    for chunk in chunks(values):
        rows.extend(conn.execute(query.where(column.in_(chunk))))
    return rows


def _by_hrefs(conn: sa.Connection, scope: Scope, hrefs: list[str]) -> list[sa.Row]:
    """Rows for hrefs, looked up by (owner, href), the live-row unique index.

    Left to itself the planner may prefer the (owner, component, revision)
    index and scan every row of the owner; the component is checked here.
    """
    assert not scope.team, "team items are named by id"
    if not hrefs:
        return []
    if len(hrefs) > LARGE_LOOKUP:
        wanted = set(hrefs)
        return [row for row in listing(conn, scope) if row.href in wanted]
    query = sa.select(*LISTING_COLUMNS).where(c.owner_id == scope.owner_id, c.deleted_at.is_(None))
    rows = _in_chunks(conn, query, c.href, hrefs)
    return [row for row in rows if scope.component is None or row.component == scope.component]


def texts(conn: sa.Connection, ids: Sequence[int]) -> dict[int, tuple[str, bool, str, str]]:
    """id -> (text, private, uid, type_key), fetched in chunks for lazily loaded items."""
    result: dict[int, tuple[str, bool, str, str]] = {}
    for chunk in chunks(ids):
        for row in conn.execute(
            sa.select(c.id, c.ical, c.private, c.uid, c.type_key).where(c.id.in_(chunk))
        ):
            result[row.id] = (row.ical, row.private, row.uid, row.type_key)
    return result


def max_revision(conn: sa.Connection, scope: Scope) -> int:
    value = conn.execute(sa.select(sa.func.max(c.revision)).where(scope.where())).scalar()
    return int(value or 0)


def changed_since(conn: sa.Connection, scope: Scope, revision: int) -> list[str]:
    """Hrefs (team scope: ids) of activities added, changed or deleted after ``revision``."""
    key = c.id if scope.team else c.href
    rows = conn.execute(sa.select(key).where(scope.where(), c.revision > revision).distinct())
    return [f"{value}.ics" if scope.team else value for value in rows.scalars()]


def feed_rows(
    conn: sa.Connection,
    scope: Scope,
    *,
    type_keys: Sequence[str] | None,
    include_done: bool,
    window: tuple[int, int] | None,
) -> list[sa.Row]:
    """Activities for an iCal feed, text included, filtered as the feed URL asks."""
    query = sa.select(
        c.id,
        c.ical,
        c.private,
        c.uid,
        c.revision,
        c.updated_at,
        c.type_key,
        c.due_date,
        c.due_time,
        c.duration_seconds,
        c.owner_id,
        c.recurring,
        c.done,
    ).where(scope.where(), c.deleted_at.is_(None))
    if type_keys:
        query = query.where(c.type_key.in_(list(type_keys)))
    if not include_done:
        query = query.where(c.done.is_(False))
    if window is not None:
        return overlapping(conn, query.order_by(c.id), activities, *window)
    return list(conn.execute(query.order_by(c.id)))


@dataclass(frozen=True)
class Fingerprint:
    """What changes whenever a scope's feed could: validators for ETag and Last-Modified."""

    revision: int
    live_count: int
    last_change: dt.datetime


def feed_fingerprint(conn: sa.Connection, scope: Scope) -> Fingerprint:
    """The scope's fingerprint; a deletion counts by its tombstone's time."""
    row = conn.execute(
        sa.select(
            sa.func.max(c.revision),
            sa.func.count().filter(c.deleted_at.is_(None)),
            sa.func.max(sa.func.coalesce(c.deleted_at, c.updated_at)),
        ).where(scope.where())
    ).one()
    last_change = utc_aware(row[2]) if row[2] is not None else dt.datetime.fromtimestamp(0, dt.UTC)
    return Fingerprint(int(row[0] or 0), int(row[1] or 0), last_change)


def by_ids(conn: sa.Connection, ids: Sequence[int]) -> list[Activity]:
    """Live activities by id, in chunks (for loading a listing's texts)."""
    found: list[Activity] = []
    for chunk in chunks(ids):
        query = sa.select(activities).where(c.id.in_(chunk), c.deleted_at.is_(None))
        found.extend(row_to_activity(row) for row in conn.execute(query))
    return found
