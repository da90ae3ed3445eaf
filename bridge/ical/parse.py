"""Client text -> Activity: what a calendar client's VEVENT or VTODO means to the CRM.

The master component (the one without RECURRENCE-ID) drives the fields;
overrides, alarms and everything else the CRM does not model ride along in
`Activity.ical`, from which `render` starts next time.
"""

from __future__ import annotations

import datetime as dt

from bridge.domain import Activity
from bridge.ical.attendees import read_attendees
from bridge.ical.errors import ICalError
from bridge.ical.lines import parse_property, serialize, unescape_text
from bridge.ical.objects import PRIVATE_CLASSES, CalendarObject, read_object
from bridge.ical.recurrence import check_components
from bridge.ical.times import Lines, as_utc, event_span, read_moment, read_when, todo_span
from bridge.ical.xprops import DONE, LINKS, TRANSP, TYPE
from bridge.ical.zones import vtimezone_zone

MAX_UID_LENGTH = 255
"""The longest UID an activity keeps (the size of its ``uid`` column)."""
MAX_DURATION = dt.timedelta(seconds=2**31 - 1)
"""The longest activity: its duration is kept in seconds, as a 32-bit integer (68 years)."""
MAX_LINK_ID = 2**31 - 1
"""The largest id an X-CALBRIDGE- link may name: the CRM's ids are 32-bit integers."""


def activity_from_ical(
    text: str, *, owner_id: int, default_type_key: str, existing: Activity | None = None
) -> Activity:
    """The activity a client's VCALENDAR object describes; raises ICalError when unusable.

    `existing` is the activity the object replaces: the fields a client cannot
    express (note, participants, id, href, revision, timestamps, owner) come
    from it, as do the type and links when the client dropped our X- properties.
    """
    source = read_object(text)
    check_components([source.calendar])
    _check_timezones(source)
    master = source.master.by_name()
    when = read_when(source.kind, master)
    done = _is_done(master)
    activity = Activity(
        subject=_text(master, "SUMMARY"),
        type_key=_x_text(master, TYPE)
        or (existing.type_key if existing is not None else default_type_key),
        owner_id=existing.owner_id if existing is not None else owner_id,
        uid=source.uid,
        due_date=when.due_date,
        due_time=when.due_time,
        duration=when.duration,
        done=done,
        done_at=_done_at(master, existing) if done else None,
        busy=(_text(master, "TRANSP") or _x_text(master, TRANSP)).upper() != "TRANSPARENT",
        private=_text(master, "CLASS").upper() in PRIVATE_CLASSES,
        location=_text(master, "LOCATION"),
        public_description=_text(master, "DESCRIPTION"),
        attendees=read_attendees(master.get("ATTENDEE", [])),
        ical=serialize(source.calendar),
        **{field: _link(master, name, getattr(existing, field, None)) for field, name in LINKS},
    )
    _check_limits(activity)
    if existing is not None:
        activity.note = existing.note
        activity.participant_ids = list(existing.participant_ids)
        activity.href = existing.href
        activity.id = existing.id
        activity.revision = existing.revision
        activity.created_at = existing.created_at
        activity.updated_at = existing.updated_at
    return activity


def _check_limits(activity: Activity) -> None:
    """Refuse what the CRM cannot keep, before anything reaches the database.

    Caught here, an over-long UID or a duration of millennia is a clear
    ICalError (a 400 for a client) rather than a database error.
    """
    if len(activity.uid) > MAX_UID_LENGTH:
        raise ICalError(
            f"the UID has {len(activity.uid)} characters; at most {MAX_UID_LENGTH} are kept"
        )
    if activity.duration is not None and activity.duration > MAX_DURATION:
        raise ICalError(f"the activity lasts longer than {MAX_DURATION.days} days")
    if activity.due_date is not None:
        try:
            event_span(activity)
            todo_span(activity)
        except OverflowError:
            raise ICalError("the activity's times reach beyond the years 1 to 9999") from None


def _check_timezones(source: CalendarObject) -> None:
    """Reject an object whose master uses a VTIMEZONE that cannot be read.

    Reading it also makes a custom zone known by its TZID (see `bridge.ical.zones`).
    """
    for vtimezone in source.timezones_for([source.master]):
        try:
            vtimezone_zone(vtimezone)
        except ValueError as error:
            raise ICalError(f"unreadable {source.kind}: {error}") from error


def _value(lines: Lines, name: str) -> str | None:
    """The raw (still escaped) value of the first property called `name`, or None."""
    found = lines.get(name)
    return parse_property(found[0]).value if found else None


def _text(lines: Lines, name: str) -> str:
    return unescape_text(_value(lines, name) or "")


def _x_text(lines: Lines, name: str) -> str:
    """An X- property's value as written (unknown value types are not unescaped), stripped."""
    return (_value(lines, name) or "").strip()


def _is_done(lines: Lines) -> bool:
    return (
        _text(lines, "STATUS").upper() == "COMPLETED"
        or "COMPLETED" in lines
        or _x_text(lines, DONE).upper() == "TRUE"
    )


def _done_at(lines: Lines, existing: Activity | None) -> dt.datetime | None:
    completed = read_moment(lines, "COMPLETED")
    if completed is not None:
        return as_utc(completed).replace(microsecond=0)
    return existing.done_at if existing is not None and existing.done else None


def _link(lines: Lines, name: str, fallback: int | None) -> int | None:
    """An X-CALBRIDGE- link id; garbage (not a positive integer) falls back to the old value.

    A number too large to be an id is refused: no record has it, and the
    database could not even compare it.
    """
    raw = _x_text(lines, name)
    digits = raw.lstrip("0")
    if not (digits.isascii() and digits.isdigit()):
        return fallback
    if len(digits) > len(str(MAX_LINK_ID)) or int(digits) > MAX_LINK_ID:
        raise ICalError(f"{name} is not a record id: ids go up to {MAX_LINK_ID}")
    return int(digits)
