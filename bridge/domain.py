"""The CRM as CalBridge sees it: plain types with no I/O.

Read this module first. Everything else in `bridge/` moves these values
between SQL (`bridge.store`), iCalendar (`bridge.ical`) and the outside world
(`bridge.web`, `plugins/`). An *activity* is the CRM's unit of work (a call,
a meeting, a task...) owned by one user and optionally linked to a deal, a
person and an organization. Calendar clients see activities as VEVENTs or
VTODOs; the mapping lives in `bridge.ical`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class ComponentKind(StrEnum):
    """How an activity type shows up in a calendar client."""

    EVENT = "VEVENT"
    TODO = "VTODO"


@dataclass(frozen=True)
class ActivityType:
    """A kind of activity; the six defaults plus any custom ones.

    `kind` decides whether dated activities of this type are calendar events
    or to-dos. Undated activities are always to-dos, whatever their type.
    """

    key: str
    name: str
    color: str = "#4a90d9"
    active: bool = True
    kind: ComponentKind = ComponentKind.EVENT
    id: int | None = None


TASK_TYPE_KEY = "task"
"""The type new to-dos get when nothing says otherwise."""

FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)
"""The dates the API and the pages accept and look at: any date a CRM plans for, and far
enough from the ends of Python's dates that every end, window and week worked out from
one stays a date."""

DEFAULT_ACTIVITY_TYPES: tuple[ActivityType, ...] = (
    ActivityType("call", "Call", "#2e86de"),
    ActivityType("meeting", "Meeting", "#8e44ad"),
    ActivityType(TASK_TYPE_KEY, "Task", "#27ae60", kind=ComponentKind.TODO),
    ActivityType("deadline", "Deadline", "#c0392b"),
    ActivityType("email", "Email", "#f39c12"),
    ActivityType("lunch", "Lunch", "#d35400"),
)


FEED_SCOPES = ("own", "team")
"""What a feed shows: its owner's activities, or the whole team's."""


@dataclass
class User:
    """A person who signs in; owns activities and calendar collections.

    `login` is the name used in CalDAV paths (`/dav/<login>/...`), so it is
    restricted to safe path characters by the store.
    """

    login: str
    name: str
    email: str
    timezone: str = "UTC"
    default_import_type: str = "meeting"
    id: int | None = None


@dataclass
class Organization:
    name: str
    address: str = ""
    id: int | None = None


@dataclass
class Person:
    name: str
    email: str = ""
    phone: str = ""
    org_id: int | None = None
    id: int | None = None


@dataclass
class Deal:
    title: str
    value: float = 0.0
    currency: str = "EUR"
    stage: str = "lead"
    person_id: int | None = None
    org_id: int | None = None
    id: int | None = None


@dataclass(frozen=True)
class Attendee:
    """An invitee as a calendar sees it (an ATTENDEE line)."""

    email: str
    name: str = ""
    status: str = "NEEDS-ACTION"


@dataclass
class Activity:
    """One CRM activity.

    Time: `due_date` alone is an all-day activity; `due_date` with
    `due_time` is a timed one, in UTC; neither means an undated to-do.
    `duration` is how long it lasts (None: a point in time, or one day for an
    all-day activity).

    `note` is internal and never leaves the CRM; `public_description` is what
    calendars show. `private` activities are shown in full to their owner
    only; everyone else sees an opaque busy block (see `bridge.ical.mask`).

    `ical` is the iCalendar object calendars receive for this activity. When
    a calendar client wrote the activity, it starts from the client's text,
    so properties the CRM does not model (alarms, X- properties, attendee
    parameters) survive a round trip.
    """

    subject: str
    type_key: str
    owner_id: int
    uid: str
    due_date: dt.date | None = None
    due_time: dt.time | None = None
    duration: dt.timedelta | None = None
    done: bool = False
    done_at: dt.datetime | None = None
    busy: bool = True
    private: bool = False
    location: str = ""
    public_description: str = ""
    note: str = ""
    deal_id: int | None = None
    person_id: int | None = None
    org_id: int | None = None
    participant_ids: list[int] = field(default_factory=list)
    attendees: list[Attendee] = field(default_factory=list)
    href: str | None = None
    ical: str | None = None
    id: int | None = None
    revision: int = 0
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None

    @property
    def is_all_day(self) -> bool:
        return self.due_date is not None and self.due_time is None

    @property
    def start(self) -> dt.datetime | None:
        """The start as an aware UTC datetime (midnight UTC when all-day)."""
        if self.due_date is None:
            return None
        return dt.datetime.combine(self.due_date, self.due_time or dt.time(0), dt.UTC)


@dataclass(frozen=True)
class LinkedRecords:
    """The CRM records an activity points to, for descriptions and X- properties."""

    deal: Deal | None = None
    person: Person | None = None
    organization: Organization | None = None


class SyncType(StrEnum):
    """Which way the bridge worker syncs a connected calendar."""

    TWO_WAY = "two_way"
    """Activities out, external events in, edits and deletes both ways."""
    ONE_WAY = "one_way"
    """Activities out only: external events never create or delete activities."""


class ImportVisibility(StrEnum):
    """Who sees an activity imported from an external event."""

    EVERYONE = "everyone"
    OWNER_ONLY = "owner_only"


class PrivateEventPolicy(StrEnum):
    """What becomes of an external event marked private (two-way only)."""

    EVERYONE = "everyone"
    """Imported like any other event."""
    BUSY_BLOCK = "busy_block"
    """Imported as a private activity: the owner sees it, everyone else sees "Busy"."""
    SKIP = "skip"
    """Not imported at all."""


class ConflictPolicy(StrEnum):
    """Who wins when an item changed on both sides between two runs."""

    MOST_RECENT = "most_recent"
    CRM_WINS = "crm_wins"
    CALENDAR_WINS = "calendar_wins"


class ProviderKind(StrEnum):
    """The external calendar APIs CalBridge knows; each it syncs is a bridge.providers package."""

    GOOGLE = "google"
    MICROSOFT = "microsoft"
    EWS = "ews"
    CALDAV = "caldav"


@dataclass(frozen=True, kw_only=True)
class SyncSettings:
    """The "Calendar sync" settings of one user's connected account.

    `pushed_type_keys` are the activity types that appear in the external
    calendar; `import_type_key` is the type imported events get. The window
    bounds what is synced: events further in the past or future are left
    alone, so a full listing stays small and old history is never rewritten.
    """

    sync_type: SyncType
    import_visibility: ImportVisibility
    private_events: PrivateEventPolicy
    import_type_key: str
    pushed_type_keys: frozenset[str]
    include_crm_info: bool
    window_past_days: int = 30
    window_future_days: int = 365
    conflict_policy: ConflictPolicy = ConflictPolicy.MOST_RECENT
    calendar_id: str

    def window(self, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """The synced span around `now`, as passed to a provider's `list_changes`."""
        return (
            now - dt.timedelta(days=self.window_past_days),
            now + dt.timedelta(days=self.window_future_days),
        )
