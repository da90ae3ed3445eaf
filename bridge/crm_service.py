"""The CRM side's activities, deals, persons and organizations, as the API and pages use them.

Every read and write of an activity on behalf of a signed-in user goes
through `CrmService`, so the ownership rules and the masking live in one
place:

- only the owner changes or deletes an activity; anyone else's answers
  `NotFoundError` exactly like a missing one;
- a colleague's activity is listed and readable, but a *private* one only as
  a busy block (`Shown.masked`): its times and nothing else, built from the
  times alone so no detail can slip through (as `bridge.ical.mask` does for
  calendars); it is never readable by id.

Saves and deletes go through `bridge.store.activities` like CalDAV's, so the
iCalendar text, the revisions (CalDAV sync tokens, feed validators) and the
sync workers' wake-up follow at once.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import sqlalchemy as sa

from bridge.domain import TASK_TYPE_KEY, Activity, Deal, Organization, Person, User
from bridge.errors import InvalidInput, NotFoundError
from bridge.store import activities, crm
from bridge.store.activity_lists import ListQuery, SortOrder, SyncFilter, page_of
from bridge.store.db import writing
from bridge.store.list_keys import key_at
from bridge.store.schema import persons as persons_table
from bridge.store.users import get_user, list_users

MAX_LIMIT = 500
DEFAULT_LIMIT = 100
UID_DOMAIN = "calbridge"


class FieldError(InvalidInput):
    """A value the request got wrong, naming its `field`; the message starts with the name."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name} {message}")
        self.field = field_name


class NoSuchActivity(NotFoundError):
    """No activity with that id, as far as the caller is concerned."""


class NoSuchRecord(NotFoundError):
    """No deal, person or organization with that id."""


@dataclass(frozen=True)
class ActivityFilter:
    """What a listing asks for; `owner` is None (own), "all", or a login."""

    owner: str | None = None
    type_keys: tuple[str, ...] | None = None
    done: bool | None = None
    start_from: dt.datetime | None = None
    start_to: dt.datetime | None = None
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
    offset: int = 0
    sync: SyncFilter | None = None
    """Only the caller's own activities, by where their sync stands."""
    sort: SortOrder = SortOrder.START


@dataclass(frozen=True)
class Shown:
    """An activity as the caller may see it: in full, or `masked` to its times alone."""

    activity: Activity
    owner: str
    masked: bool


@dataclass(frozen=True)
class Page:
    """One page; `next_cursor` is given for the sort by start, `more` for any sort."""

    items: list[Shown]
    next_cursor: str | None
    more: bool = False


@dataclass
class ActivityChanges:
    """Fields to set on an activity (by `Activity` attribute name), and a wanted end.

    `end` is a date (all day, the last day) or a UTC datetime (timed): the
    duration is worked out once the date and time are known.
    """

    values: dict[str, object] = field(default_factory=dict)
    end: dt.date | dt.datetime | None = None
    has_end: bool = False
    all_day: bool | None = None


def encode_cursor(position: tuple[int, int]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(position)).encode()).decode().rstrip("=")


def decode_cursor(text: str) -> tuple[int, int]:
    """A (list key, id) position this API gave out; anything else names the field."""
    try:
        padded = text + "=" * (-len(text) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise FieldError("cursor", "is not a cursor this API gave out") from None
    if (
        not isinstance(key, list)
        or len(key) != 2
        or not all(type(part) is int and 0 <= part < 2**63 for part in key)
    ):
        raise FieldError("cursor", "is not a cursor this API gave out")
    return key[0], key[1]


def busy_block(activity: Activity) -> Activity:
    """A private activity as colleagues see it: its times, and nothing else of it."""
    assert activity.id is not None
    return Activity(
        subject="Busy",
        type_key="",
        owner_id=activity.owner_id,
        uid="",
        due_date=activity.due_date,
        due_time=activity.due_time,
        duration=activity.duration,
        busy=True,
        private=True,
        id=activity.id,
    )


@dataclass(frozen=True)
class _Viewer:
    """The signed-in user and every user's login by id: what masking and owner filters need."""

    user: User
    logins: Mapping[int, str]

    @classmethod
    def of(cls, conn: sa.Connection, login: str) -> _Viewer:
        return cls(get_user(conn, login), {user.id: user.login for user in list_users(conn)})


class CrmService:
    """Activities and CRM records on behalf of signed-in users (by login)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    # -- activities: reading -------------------------------------------------------

    def list_activities(self, login: str, wanted: ActivityFilter) -> Page:
        with self.engine.connect() as conn:
            viewer = _Viewer.of(conn, login)
            positions = self._positions(conn, viewer, wanted, wanted.limit + 1)
            page = positions[: wanted.limit]
            items = self._shown_many(conn, viewer, [row_id for row_id, _key in page])
        more = len(positions) > wanted.limit
        next_cursor = None
        if more and page and wanted.sort is SortOrder.START:
            next_cursor = encode_cursor((page[-1][1], page[-1][0]))
        return Page(items, next_cursor, more=more)

    def positions(self, login: str, wanted: ActivityFilter, most: int) -> list[tuple[int, int]]:
        """(id, list key) of up to `most` matches in list order, loading no activity.

        Enough to lay out a calendar (the key holds the start) before loading
        only the activities that fit on it.
        """
        with self.engine.connect() as conn:
            return self._positions(conn, _Viewer.of(conn, login), wanted, most)

    def shown(self, login: str, ids: Sequence[int]) -> list[Shown]:
        """The live activities among `ids`, in that order, as the caller may see them."""
        with self.engine.connect() as conn:
            return self._shown_many(conn, _Viewer.of(conn, login), ids)

    def _positions(
        self, conn: sa.Connection, viewer: _Viewer, wanted: ActivityFilter, most: int
    ) -> list[tuple[int, int]]:
        assert viewer.user.id is not None
        query = replace(self._query(viewer.user.id, wanted, viewer.logins), limit=most)
        return page_of(conn, query)[:most]

    def _shown_many(self, conn: sa.Connection, viewer: _Viewer, ids: Sequence[int]) -> list[Shown]:
        found = {activity.id: activity for activity in activities.by_ids(conn, ids)}
        user, logins = viewer.user, viewer.logins
        return [self._shown(found[row_id], user, logins) for row_id in ids if row_id in found]

    @staticmethod
    def _query(viewer_id: int, wanted: ActivityFilter, logins: Mapping[int, str]) -> ListQuery:
        owner_id: int | None = viewer_id
        if wanted.owner == "all":
            owner_id = None
        elif wanted.owner is not None:
            owner_id = next((key for key, value in logins.items() if value == wanted.owner), None)
            if owner_id is None:
                raise FieldError("owner", f"names no user: {wanted.owner!r}")
        after = None
        if wanted.cursor is not None:
            if wanted.sort is not SortOrder.START:
                raise FieldError("cursor", "pages only the sort by start; use offset")
            after = decode_cursor(wanted.cursor)
        return ListQuery(
            viewer_id=viewer_id,
            owner_id=owner_id,
            type_keys=wanted.type_keys,
            done=wanted.done,
            key_from=key_at(wanted.start_from) if wanted.start_from is not None else None,
            key_to=key_at(wanted.start_to) if wanted.start_to is not None else None,
            sync=wanted.sync,
            sort=wanted.sort,
            after=after,
            offset=wanted.offset,
            limit=wanted.limit,
        )

    @staticmethod
    def _shown(activity: Activity, me: User, logins: Mapping[int, str]) -> Shown:
        owner = logins.get(activity.owner_id, "")
        if activity.private and activity.owner_id != me.id:
            return Shown(busy_block(activity), owner, masked=True)
        return Shown(activity, owner, masked=False)

    def activity(self, login: str, activity_id: int) -> Shown:
        """The caller's activity, or a colleague's that is not private."""
        with self.engine.connect() as conn:
            viewer = _Viewer.of(conn, login)
            found = activities.get_activity(conn, activity_id)
        if found is None or (found.owner_id != viewer.user.id and found.private):
            raise NoSuchActivity(f"no activity {activity_id}")
        return self._shown(found, viewer.user, viewer.logins)

    # -- activities: writing -------------------------------------------------------

    def create_activity(self, login: str, changes: ActivityChanges) -> Shown:
        with writing(self.engine) as conn:
            me = get_user(conn, login)
            assert me.id is not None
            if "subject" not in changes.values:
                raise FieldError("subject", "is required")
            values = dict(changes.values)
            if "type_key" not in values:
                dated = values.get("due_date") is not None
                values["type_key"] = me.default_import_type if dated else TASK_TYPE_KEY
            draft = Activity(
                subject="",
                type_key="",
                owner_id=me.id,
                uid=f"{uuid.uuid4()}@{UID_DOMAIN}",
            )
            activity = self._apply(conn, draft, replace(changes, values=values), new=True)
            saved = activities.save_activity(conn, activity, crm.list_activity_types(conn))
        return Shown(saved, me.login, masked=False)

    def update_activity(self, login: str, activity_id: int, changes: ActivityChanges) -> Shown:
        with writing(self.engine) as conn:
            me = get_user(conn, login)
            existing = self._own(conn, me, activity_id)
            activity = self._apply(conn, existing, changes, new=False)
            saved = activities.save_activity(conn, activity, crm.list_activity_types(conn))
        return Shown(saved, me.login, masked=False)

    def delete_activity(self, login: str, activity_id: int) -> None:
        with writing(self.engine) as conn:
            me = get_user(conn, login)
            self._own(conn, me, activity_id)
            activities.delete_activity(conn, activity_id)

    @staticmethod
    def _own(conn: sa.Connection, me: User, activity_id: int) -> Activity:
        found = activities.get_activity(conn, activity_id)
        if found is None or found.owner_id != me.id:
            raise NoSuchActivity(f"no activity {activity_id}")
        return found

    def _apply(
        self, conn: sa.Connection, activity: Activity, changes: ActivityChanges, *, new: bool
    ) -> Activity:
        """`activity` with `changes`, checked against each other and the database."""
        values = changes.values
        if "type_key" in values:
            known = crm.list_activity_types(conn)
            chosen = known.get(str(values["type_key"]))
            if chosen is None or (not chosen.active and chosen.key != activity.type_key):
                names = ", ".join(key for key, kind in known.items() if kind.active)
                raise FieldError("type", f"must be one of {names}, not {values['type_key']!r}")
        for name, column_check in (
            ("deal_id", crm.get_deal),
            ("person_id", crm.get_person),
            ("org_id", crm.get_organization),
        ):
            record_id = values.get(name)
            if record_id is not None and column_check(conn, int(record_id)) is None:  # type: ignore[arg-type]
                raise FieldError(name, f"names no record: {record_id}")
        participants = values.get("participant_ids")
        if participants:
            wanted = set(participants)  # type: ignore[arg-type]
            found = set(
                conn.execute(
                    sa.select(persons_table.c.id).where(persons_table.c.id.in_(wanted))
                ).scalars()
            )
            missing = sorted(wanted - found)
            if missing:
                raise FieldError("participant_ids", f"names no person: {missing[0]}")
        if "due_date" in values and values["due_date"] is None and "due_time" not in values:
            values = {**values, "due_time": None, "duration": None}
        result = replace(activity, **values)  # type: ignore[arg-type]
        if changes.all_day is True:
            if result.due_date is None:
                raise FieldError("all_day", "needs a date")
            if "due_time" in values and values["due_time"] is not None:
                raise FieldError("all_day", "cannot go with a time")
            result = replace(result, due_time=None)
        elif changes.all_day is False and result.due_time is None:
            raise FieldError("all_day", "false needs a time")
        if result.due_time is not None and result.due_date is None:
            raise FieldError("time", "needs a date")
        if result.is_all_day != activity.is_all_day and "duration" not in values:
            # Days do not become hours: a duration is kept only where it means the same.
            result = replace(result, duration=None)
        if changes.has_end:
            result = replace(result, duration=_duration_until(result, changes.end))
        return result

    # -- deals, persons, organizations --------------------------------------------

    def deals(self, limit: int, offset: int) -> list[Deal]:
        with self.engine.connect() as conn:
            return crm.list_deals(conn, limit, offset)

    def persons(self, limit: int, offset: int) -> list[Person]:
        with self.engine.connect() as conn:
            return crm.list_persons(conn, limit, offset)

    def organizations(self, limit: int, offset: int) -> list[Organization]:
        with self.engine.connect() as conn:
            return crm.list_organizations(conn, limit, offset)

    def deal(self, deal_id: int) -> Deal:
        with self.engine.connect() as conn:
            found = crm.get_deal(conn, deal_id)
        if found is None:
            raise NoSuchRecord(f"no deal {deal_id}")
        return found

    def person(self, person_id: int) -> Person:
        with self.engine.connect() as conn:
            found = crm.get_person(conn, person_id)
        if found is None:
            raise NoSuchRecord(f"no person {person_id}")
        return found

    def organization(self, org_id: int) -> Organization:
        with self.engine.connect() as conn:
            found = crm.get_organization(conn, org_id)
        if found is None:
            raise NoSuchRecord(f"no organization {org_id}")
        return found

    def add_deal(self, deal: Deal) -> Deal:
        with writing(self.engine) as conn:
            self._check_links(conn, person_id=deal.person_id, org_id=deal.org_id)
            return crm.add_deal(conn, deal)

    def add_person(self, person: Person) -> Person:
        with writing(self.engine) as conn:
            self._check_links(conn, org_id=person.org_id)
            return crm.add_person(conn, person)

    def add_organization(self, organization: Organization) -> Organization:
        with writing(self.engine) as conn:
            return crm.add_organization(conn, organization)

    @staticmethod
    def _check_links(
        conn: sa.Connection, person_id: int | None = None, org_id: int | None = None
    ) -> None:
        if person_id is not None and crm.get_person(conn, person_id) is None:
            raise FieldError("person_id", f"names no person: {person_id}")
        if org_id is not None and crm.get_organization(conn, org_id) is None:
            raise FieldError("org_id", f"names no organization: {org_id}")


def _duration_until(activity: Activity, end: dt.date | dt.datetime | None) -> dt.timedelta | None:
    """The duration that makes `activity` end at `end`; refused when it would end first."""
    if end is None:
        return None
    if activity.due_date is None:
        raise FieldError("end", "needs a date")
    if activity.due_time is None:
        if isinstance(end, dt.datetime):
            raise FieldError("end", "of an all-day activity must be a date (its last day)")
        if end < activity.due_date:
            raise FieldError("end", "is before the start")
        return dt.timedelta(days=(end - activity.due_date).days + 1)
    if not isinstance(end, dt.datetime):
        raise FieldError("end", "of a timed activity must be a date and time")
    start = dt.datetime.combine(activity.due_date, activity.due_time, dt.UTC)
    if end < start:
        raise FieldError("end", "is before the start")
    return end - start
