"""The CRM records activities link to: types, organizations, persons, deals.

An activity's stored iCalendar text carries its type's name (a CATEGORIES
line) and its type's kind decides whether it is a VEVENT or a VTODO, so a
type whose name or kind changes has its activities rendered again, each under
a new revision, for CalDAV clients, feeds and the sync worker to pick up. The
colour is not in the text (only the pages show it), so a new colour renders
nothing again.
"""

from __future__ import annotations

import re
from dataclasses import replace

import sqlalchemy as sa

from bridge import errors
from bridge.domain import (
    TASK_TYPE_KEY,
    ActivityType,
    ComponentKind,
    Deal,
    LinkedRecords,
    Organization,
    Person,
)
from bridge.store import activities as activity_store
from bridge.store.db import writing
from bridge.store.schema import activities, activity_types, deals, organizations, persons, users

TYPE_KEY_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
"""A type key: it is written into X-CALBRIDGE-TYPE and feed URLs, so plain and short."""
COLOR_PATTERN = re.compile(r"#[0-9a-f]{6}")
"""`#rrggbb`, what `<input type=color>` sends."""
TYPE_NAME_MAX = 100


class ActivityTypeError(errors.InvalidInput):
    """A type value the request got wrong, naming its `field`; the message starts with it."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name} {message}")
        self.field = field_name


class NoSuchActivityType(errors.NotFoundError):
    """No type with that key."""


def _to_type(row: sa.Row) -> ActivityType:
    return ActivityType(
        key=row.key,
        name=row.name,
        color=row.color,
        active=row.active,
        kind=ComponentKind(row.kind),
        id=row.id,
    )


def list_activity_types(conn: sa.Connection) -> dict[str, ActivityType]:
    rows = conn.execute(sa.select(activity_types).order_by(activity_types.c.id))
    return {row.key: _to_type(row) for row in rows}


def add_activity_type(conn: sa.Connection, activity_type: ActivityType) -> ActivityType:
    new_id = conn.execute(
        sa.insert(activity_types).values(
            key=activity_type.key,
            name=activity_type.name,
            color=activity_type.color,
            active=activity_type.active,
            kind=activity_type.kind.value,
        )
    ).inserted_primary_key[0]
    return ActivityType(
        activity_type.key,
        activity_type.name,
        activity_type.color,
        activity_type.active,
        activity_type.kind,
        new_id,
    )


def _checked(activity_type: ActivityType) -> ActivityType:
    """`activity_type` with its name trimmed and colour lower-cased, or `ActivityTypeError`."""
    name = activity_type.name.strip()
    if not name:
        raise ActivityTypeError("name", "must not be empty")
    if len(name) > TYPE_NAME_MAX:
        raise ActivityTypeError("name", f"must be at most {TYPE_NAME_MAX} characters")
    color = activity_type.color.strip().lower()
    if not COLOR_PATTERN.fullmatch(color):
        raise ActivityTypeError("color", "must be a colour written #rrggbb, like #4a90d9")
    return replace(activity_type, name=name, color=color)


def create_activity_type(conn: sa.Connection, activity_type: ActivityType) -> ActivityType:
    """Add a custom type after checking every field, its key's uniqueness included."""
    if not TYPE_KEY_PATTERN.fullmatch(activity_type.key):
        raise ActivityTypeError(
            "key",
            "must be 1 to 32 lowercase letters, digits, dashes or underscores, "
            "starting with a letter or digit",
        )
    checked = _checked(activity_type)
    if activity_type.key in list_activity_types(conn):
        raise ActivityTypeError("key", f"{activity_type.key!r} is taken by another type")
    return add_activity_type(conn, checked)


def update_activity_type(conn: sa.Connection, changed: ActivityType) -> bool:
    """Save a type's name, colour, active flag and kind; True when its activities must follow.

    The stored iCalendar text of an activity names its type and is an event
    or a to-do by its kind, so a new name or kind asks for `render_type_again`.

    The key stays (activities and settings refer to it). The task type stays
    an active to-do type, and a type that is someone's default for imported
    events stays an active event type: CalDAV uploads and new to-dos fall back
    on them. Deactivating a type only keeps it out of new activities; those
    it has keep it.
    """
    current = list_activity_types(conn).get(changed.key)
    if current is None:
        raise NoSuchActivityType(f"no activity type {changed.key!r}")
    checked = _checked(changed)
    if checked.key == TASK_TYPE_KEY and (not checked.active or checked.kind != ComponentKind.TODO):
        raise ActivityTypeError(
            "kind" if checked.active else "active",
            "of the task type stays an active to-do type: new to-dos get it",
        )
    if (not checked.active or checked.kind != ComponentKind.EVENT) and _is_import_default(
        conn, checked.key
    ):
        raise ActivityTypeError(
            "kind" if checked.active else "active",
            "stays an active event type: it is a user's default type for imported events",
        )
    conn.execute(
        sa.update(activity_types)
        .where(activity_types.c.key == checked.key)
        .values(
            name=checked.name,
            color=checked.color,
            active=checked.active,
            kind=checked.kind.value,
        )
    )
    return (checked.name, checked.kind) != (current.name, current.kind)


def _is_import_default(conn: sa.Connection, key: str) -> bool:
    found = conn.execute(sa.select(users.c.id).where(users.c.default_import_type == key).limit(1))
    return found.first() is not None


RENDER_BATCH = 500
"""Activities rendered again per transaction: the write lock is let go between batches."""


def render_type_again(engine: sa.Engine, key: str) -> int:
    """Render every live activity of type `key` again; returns how many.

    A batch per transaction, each under a new revision, so that CalDAV
    writes and sync runs go on between batches even for a type tens of
    thousands of activities have. An activity whose component changed moves
    to the other collection and leaves a tombstone in the one it left.
    """
    done, last_id = 0, 0
    while True:
        with writing(engine) as conn:
            types = list_activity_types(conn)
            rows = conn.execute(
                sa.select(activities)
                .where(
                    activities.c.type_key == key,
                    activities.c.deleted_at.is_(None),
                    activities.c.id > last_id,
                )
                .order_by(activities.c.id)
                .limit(RENDER_BATCH)
            ).all()
            batch = [activity_store.row_to_activity(row) for row in rows]
            activity_store.render_again(conn, batch, types)
        if not rows:
            return done
        done, last_id = done + len(rows), rows[-1].id


def add_organization(conn: sa.Connection, organization: Organization) -> Organization:
    organization.id = conn.execute(
        sa.insert(organizations).values(name=organization.name, address=organization.address)
    ).inserted_primary_key[0]
    return organization


def add_person(conn: sa.Connection, person: Person) -> Person:
    person.id = conn.execute(
        sa.insert(persons).values(
            name=person.name, email=person.email, phone=person.phone, org_id=person.org_id
        )
    ).inserted_primary_key[0]
    return person


def add_deal(conn: sa.Connection, deal: Deal) -> Deal:
    deal.id = conn.execute(
        sa.insert(deals).values(
            title=deal.title,
            value=deal.value,
            currency=deal.currency,
            stage=deal.stage,
            person_id=deal.person_id,
            org_id=deal.org_id,
        )
    ).inserted_primary_key[0]
    return deal


def count_rows(conn: sa.Connection, table: sa.Table) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def linked_records(
    conn: sa.Connection, deal_id: int | None, person_id: int | None, org_id: int | None
) -> LinkedRecords:
    """The deal, person and organization an activity points to, for descriptions."""
    return LinkedRecords(
        deal=get_deal(conn, deal_id) if deal_id else None,
        person=get_person(conn, person_id) if person_id else None,
        organization=get_organization(conn, org_id) if org_id else None,
    )


def _deal(row: sa.Row) -> Deal:
    return Deal(
        title=row.title,
        value=float(row.value),
        currency=row.currency,
        stage=row.stage,
        person_id=row.person_id,
        org_id=row.org_id,
        id=row.id,
    )


def _person(row: sa.Row) -> Person:
    return Person(row.name, row.email, row.phone, row.org_id, row.id)


def _organization(row: sa.Row) -> Organization:
    return Organization(row.name, row.address, row.id)


def get_deal(conn: sa.Connection, deal_id: int) -> Deal | None:
    row = conn.execute(sa.select(deals).where(deals.c.id == deal_id)).first()
    return _deal(row) if row else None


def get_person(conn: sa.Connection, person_id: int) -> Person | None:
    row = conn.execute(sa.select(persons).where(persons.c.id == person_id)).first()
    return _person(row) if row else None


def get_organization(conn: sa.Connection, org_id: int) -> Organization | None:
    row = conn.execute(sa.select(organizations).where(organizations.c.id == org_id)).first()
    return _organization(row) if row else None


def list_deals(conn: sa.Connection, limit: int, offset: int = 0) -> list[Deal]:
    query = sa.select(deals).order_by(deals.c.id).limit(limit).offset(offset)
    return [_deal(row) for row in conn.execute(query)]


def list_persons(conn: sa.Connection, limit: int, offset: int = 0) -> list[Person]:
    query = sa.select(persons).order_by(persons.c.id).limit(limit).offset(offset)
    return [_person(row) for row in conn.execute(query)]


def list_organizations(conn: sa.Connection, limit: int, offset: int = 0) -> list[Organization]:
    query = sa.select(organizations).order_by(organizations.c.id).limit(limit).offset(offset)
    return [_organization(row) for row in conn.execute(query)]
