"""Client text -> Activity: what a calendar client's VEVENT or VTODO means to the CRM.

The master component (the one without RECURRENCE-ID) drives the fields;
overrides, alarms and everything else the CRM does not model ride along in
`Activity.ical`, from which `render` starts next time.
"""

from __future__ import annotations

import datetime as dt

import icalendar

from bridge.domain import Activity
from bridge.ical.attendees import read_attendees
from bridge.ical.errors import ICalError
from bridge.ical.lines import Component, serialize
from bridge.ical.objects import HEADER, CalendarObject, read_object
from bridge.ical.times import as_utc, read_moment, read_when
from bridge.ical.xprops import DONE, LINKS, TRANSP, TYPE

_PRIVATE_CLASSES = ("PRIVATE", "CONFIDENTIAL")


def activity_from_ical(
    text: str, *, owner_id: int, default_type_key: str, existing: Activity | None = None
) -> Activity:
    """The activity a client's VCALENDAR object describes; raises ICalError when unusable.

    `existing` is the activity the object replaces: the fields a client cannot
    express (note, participants, id, href, revision, timestamps, owner) come
    from it, as do the type and links when the client dropped our X- properties.
    """
    source = read_object(text)
    master = _decoded_master(source)
    when = read_when(master)
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
        private=_text(master, "CLASS").upper() in _PRIVATE_CLASSES,
        location=_text(master, "LOCATION"),
        public_description=_text(master, "DESCRIPTION"),
        attendees=read_attendees(master),
        ical=serialize(source.calendar),
        **{field: _link(master, name, getattr(existing, field, None)) for field, name in LINKS},
    )
    if existing is not None:
        activity.note = existing.note
        activity.participant_ids = list(existing.participant_ids)
        activity.href = existing.href
        activity.id = existing.id
        activity.revision = existing.revision
        activity.created_at = existing.created_at
        activity.updated_at = existing.updated_at
    return activity


def _decoded_master(source: CalendarObject) -> icalendar.Component:
    """The master decoded by `icalendar`, with the VTIMEZONEs its TZIDs need."""
    zones = source.timezones_for([source.master])
    holder = Component("VCALENDAR", list(HEADER), [*zones, source.master])
    try:
        calendar = icalendar.Calendar.from_ical(serialize(holder))
    except ValueError as error:
        raise ICalError(f"unreadable {source.kind}: {error}") from error
    return calendar.subcomponents[-1]


def _text(component: icalendar.Component, name: str) -> str:
    value = component.get(name)
    if isinstance(value, list):
        value = value[0]
    return "" if value is None else str(value)


def _x_text(component: icalendar.Component, name: str) -> str:
    """An X- property's text; `icalendar` leaves unknown properties escaped."""
    return icalendar.vText.from_ical(_text(component, name)).strip()


def _is_done(component: icalendar.Component) -> bool:
    return (
        _text(component, "STATUS").upper() == "COMPLETED"
        or "COMPLETED" in component
        or _x_text(component, DONE).upper() == "TRUE"
    )


def _done_at(component: icalendar.Component, existing: Activity | None) -> dt.datetime | None:
    completed = read_moment(component, "COMPLETED")
    if completed is not None:
        return as_utc(completed).replace(microsecond=0)
    return existing.done_at if existing is not None and existing.done else None


def _link(component: icalendar.Component, name: str, fallback: int | None) -> int | None:
    """An X-CALBRIDGE- link id; garbage (not a positive integer) falls back to the old value."""
    raw = _x_text(component, name)
    return int(raw) if raw.isascii() and raw.isdigit() and int(raw) > 0 else fallback
