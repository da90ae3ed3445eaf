"""Mailboxes, calendars and stored events, and their expansion into instances.

A stored `Item` is a single event or a series master; a master keeps its
modified occurrences (exceptions) and cancelled occurrences itself, the way
Exchange does. `Instance` is what calendarView shows: a single event, an
occurrence (computed) or an exception. Listeners hear every change, which
feeds change notifications; delta queries diff instance snapshots instead.
"""

from __future__ import annotations

import base64
import secrets
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.emulators.microsoft import errors, recurrence, times

OCCURRENCE_MARK = "AAMkOcc"
ICAL_PREFIX = "040000008200E00074C5B7101A82E008"

ChangeListener = Callable[[str, str, str], None]  # calendar id, item id, changeType


def new_id(prefix: str = "AAMkAG") -> str:
    """An opaque, URL-safe Exchange-style id (immutable: it never changes)."""
    return prefix + base64.urlsafe_b64encode(secrets.token_bytes(30)).decode("ascii")


def new_change_key() -> str:
    return "DwAAABYAAAA" + base64.b64encode(secrets.token_bytes(12)).decode("ascii")


def occurrence_id(master_id: str, original_start: datetime) -> str:
    """Occurrence ids are derived from the master and the original start, so they are stable."""
    raw = f"{master_id}|{times.offset_timestamp(original_start)}".encode()
    return OCCURRENCE_MARK + base64.urlsafe_b64encode(raw).decode("ascii")


def parse_occurrence_id(instance_id: str) -> tuple[str, datetime] | None:
    if not instance_id.startswith(OCCURRENCE_MARK):
        return None
    try:
        raw = base64.urlsafe_b64decode(instance_id[len(OCCURRENCE_MARK) :]).decode()
        master_id, _, start = raw.partition("|")
        return master_id, times.parse_instant(start)
    except (ValueError, UnicodeDecodeError, errors.GraphError):
        return None


@dataclass
class User:
    id: str
    mail: str
    display_name: str

    def email_address(self) -> dict[str, str]:
        return {"name": self.display_name, "address": self.mail}


@dataclass
class Override:
    """A modified occurrence of a series (an exception): its own fields and change key."""

    fields: dict[str, Any]
    change_key: str
    modified: datetime
    extended: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class Item:
    id: str
    calendar_id: str
    fields: dict[str, Any]
    ical_uid: str
    created: datetime
    modified: datetime
    change_key: str
    extended: dict[str, dict[str, str]] = field(default_factory=dict)  # lower-case id -> prop
    overrides: dict[datetime, Override] = field(default_factory=dict)
    cancelled: set[datetime] = field(default_factory=set)

    @property
    def is_master(self) -> bool:
        return bool(self.fields.get("recurrence"))

    def touch(self, now: datetime) -> None:
        self.change_key = new_change_key()
        self.modified = now


@dataclass(frozen=True)
class Instance:
    """One entry of a calendar view."""

    id: str
    type: str  # singleInstance, occurrence, exception, seriesMaster
    item: Item
    original_start: datetime | None = None
    override: Override | None = None

    @property
    def fields(self) -> dict[str, Any]:
        if self.type in ("occurrence", "exception"):
            return (
                self.item.fields
                | {"recurrence": None}
                | self._occurrence_times()
                | (self.override.fields if self.override else {})
            )
        return self.item.fields

    @property
    def change_key(self) -> str:
        return self.override.change_key if self.override else self.item.change_key

    @property
    def modified(self) -> datetime:
        return self.override.modified if self.override else self.item.modified

    @property
    def extended(self) -> dict[str, dict[str, str]]:
        return self.item.extended | (self.override.extended if self.override else {})

    @property
    def ical_uid(self) -> str:
        """Unique per occurrence, as documented: the date is part of the global object id."""
        if self.original_start is None:
            return self.item.ical_uid
        s = self.original_start
        return ICAL_PREFIX + f"{s.year:04X}{s.month:02X}{s.day:02X}" + self.item.ical_uid[40:]

    def span(self) -> tuple[datetime, datetime]:
        fields = self.fields
        return times.instant(fields["start"]), times.instant(fields["end"])

    def _occurrence_times(self) -> dict[str, Any]:
        assert self.original_start is not None
        master_start, master_end = (
            times.instant(self.item.fields["start"]),
            times.instant(self.item.fields["end"]),
        )
        start = self.original_start
        end = start + (master_end - master_start)
        return {
            "start": {"dateTime": times.graph_local(start), "timeZone": "UTC"},
            "end": {"dateTime": times.graph_local(end), "timeZone": "UTC"},
        }


@dataclass
class Calendar:
    id: str
    name: str
    owner: User
    can_edit: bool
    is_default: bool
    items: dict[str, Item] = field(default_factory=dict)
    transactions: dict[str, str] = field(default_factory=dict)  # transactionId -> item id
    change_key: str = field(default_factory=new_change_key)

    def resource(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "color": "auto",
            "hexColor": "",
            "isDefaultCalendar": self.is_default,
            "changeKey": self.change_key,
            "canShare": self.can_edit,
            "canViewPrivateItems": True,
            "canEdit": self.can_edit,
            "allowedOnlineMeetingProviders": ["teamsForBusiness"],
            "defaultOnlineMeetingProvider": "teamsForBusiness",
            "isTallyingResponses": True,
            "isRemovable": not self.is_default,
            "owner": self.owner.email_address(),
        }


class Store:
    """Every mailbox's calendars; the caller holds the state lock."""

    def __init__(self) -> None:
        self.users: dict[str, User] = {}
        self.calendars: dict[str, Calendar] = {}
        self.listeners: list[ChangeListener] = []

    def add_user(self, mail: str, display_name: str | None = None) -> User:
        key = mail.lower()
        if key not in self.users:
            name = display_name or mail.split("@")[0].replace(".", " ").title()
            self.users[key] = User(str(uuid.uuid4()), mail, name)
            self.add_calendar(self.users[key], "Calendar", can_edit=True, is_default=True)
        return self.users[key]

    def user(self, mail_or_id: str) -> User:
        found = self.users.get(mail_or_id.lower()) or next(
            (u for u in self.users.values() if u.id == mail_or_id), None
        )
        if found is None:
            raise errors.GraphError(
                404, "ErrorInvalidUser", f"The requested user '{mail_or_id}' is invalid."
            )
        return found

    def add_calendar(self, user: User, name: str, *, can_edit: bool, is_default: bool) -> Calendar:
        calendar = Calendar(new_id("AAMkAGCal"), name, user, can_edit, is_default)
        self.calendars[calendar.id] = calendar
        return calendar

    def calendars_of(self, user: User) -> list[Calendar]:
        return [c for c in self.calendars.values() if c.owner is user]

    def default_calendar(self, user: User) -> Calendar:
        return next(c for c in self.calendars_of(user) if c.is_default)

    def calendar(self, user: User, calendar_id: str) -> Calendar:
        calendar = self.calendars.get(calendar_id)
        if calendar is None or calendar.owner is not user:
            raise errors.not_found()
        return calendar

    def find(self, user: User, instance_id: str) -> tuple[Calendar, Instance]:
        """An event by id in any of the user's calendars (as /me/events/{id} does)."""
        for calendar in self.calendars_of(user):
            instance = self.instance(calendar, instance_id)
            if instance is not None:
                return calendar, instance
        raise errors.not_found()

    def instance(self, calendar: Calendar, instance_id: str) -> Instance | None:
        item = calendar.items.get(instance_id)
        if item is not None:
            return Instance(item.id, "seriesMaster" if item.is_master else "singleInstance", item)
        parsed = parse_occurrence_id(instance_id)
        if parsed is None or parsed[0] not in calendar.items:
            return None
        master = calendar.items[parsed[0]]
        if not master.is_master or parsed[1] in master.cancelled:
            return None
        if parsed[1] not in set(self.original_starts(master, parsed[1] + timedelta(days=1))):
            return None
        return self._occurrence(master, parsed[1])

    def original_starts(self, master: Item, until: datetime) -> Iterator[datetime]:
        """Original start instants of a series, up to `until`."""
        start = master.fields["start"]
        rec = master.fields["recurrence"]
        tz = times.zone(rec.get("range", {}).get("recurrenceTimeZone") or start.get("timeZone"))
        local_time = times.instant(start).astimezone(tz).timetz().replace(tzinfo=None)
        for day in recurrence.dates(rec, until.astimezone(tz).date()):
            yield datetime.combine(day, local_time).replace(tzinfo=tz).astimezone(UTC)

    def instances(self, calendar: Calendar, start: datetime, end: datetime) -> list[Instance]:
        """calendarView: single events, occurrences and exceptions overlapping [start, end)."""
        found: list[Instance] = []
        for item in calendar.items.values():
            if not item.is_master:
                found.append(Instance(item.id, "singleInstance", item))
                continue
            length = times.instant(item.fields["end"]) - times.instant(item.fields["start"])
            for original in self.original_starts(item, end):
                if original in item.cancelled or original + max(length, timedelta(0)) < start:
                    continue
                found.append(self._occurrence(item, original))
        return sorted(
            (i for i in found if _overlaps(i.span(), start, end)), key=lambda i: i.span()[0]
        )

    def changed(self, calendar: Calendar, item_id: str, change_type: str) -> None:
        for listener in self.listeners:
            listener(calendar.id, item_id, change_type)

    @staticmethod
    def _occurrence(master: Item, original: datetime) -> Instance:
        override = master.overrides.get(original)
        return Instance(
            occurrence_id(master.id, original),
            "exception" if override else "occurrence",
            master,
            original,
            override,
        )


def _overlaps(span: tuple[datetime, datetime], start: datetime, end: datetime) -> bool:
    first, last = span
    if first == last:
        return start <= first < end
    return first < end and last > start
