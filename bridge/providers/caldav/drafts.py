"""Writing drafts into CalDAV calendar objects: new objects, edited events, series exceptions.

Pure, no I/O. An update edits the object the server holds rather than
replacing it, so what the owner set in their calendar app and CalBridge
does not sync (alarms, categories, colour, attendee roles) survives; only
the synced properties are rewritten. Times are written in UTC, all-day
ones as DATE values. Attendees get `SCHEDULE-AGENT=CLIENT` (RFC 6638):
the server must not send them invitations, CalBridge never does.

An occurrence of a series is changed by an override VEVENT with its
RECURRENCE-ID, and removed by an EXDATE on the master (dropping any
override), both written in the form of the master's DTSTART (date, UTC,
floating, or local time with the same TZID), as RFC 5545 asks.
"""

from __future__ import annotations

import copy
import datetime as dt

import icalendar
import recurring_ical_events

from bridge.ical.attendees import address_email
from bridge.ical.times import as_utc, recurrence_text
from bridge.providers import EventDraft, Moment, NotFound
from bridge.providers.caldav.events import DAY, STAMP, main_event, vevents
from bridge.providers.caldav.ids import as_date, recurrence_moment, to_moment
from bridge.providers.caldav.series import exdates, find_override

PRODID = "-//CalBridge//EN"
SYNCED = (
    "SUMMARY",
    "DESCRIPTION",
    "LOCATION",
    "DTSTART",
    "DTEND",
    "DURATION",
    "CLASS",
    "TRANSP",
    "ATTENDEE",
    STAMP,
    "DTSTAMP",
    "LAST-MODIFIED",
)
"""What a draft rewrites: its fields, and the stamps that say the event changed."""
SERIES_ONLY = ("RRULE", "RDATE", "EXDATE", "EXRULE")
MODELLED_ATTENDEE_PARAMS = frozenset({"CN", "PARTSTAT", "SCHEDULE-AGENT", "SCHEDULE-STATUS"})


def new_object(draft: EventDraft, uid: str) -> icalendar.Calendar:
    """A VCALENDAR holding one VEVENT made from `draft`."""
    calendar = icalendar.Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    event = icalendar.Event()
    event.add("UID", uid)
    apply_draft(event, draft)
    calendar.add_component(event)
    return calendar


def apply_draft(vevent: icalendar.Component, draft: EventDraft) -> None:
    """Rewrite the synced properties of `vevent` from `draft`, keeping all others.

    A timed event without duration gets no DTEND (an instant, RFC 5545
    3.6.1); an all-day one lasts at least a day.
    """
    earlier = {
        address_email(str(address)).lower(): address for address in _listed(vevent, "ATTENDEE")
    }
    for name in SYNCED:
        vevent.pop(name, None)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    vevent.add("SUMMARY", draft.summary)
    if draft.description:
        vevent.add("DESCRIPTION", draft.description)
    if draft.location:
        vevent.add("LOCATION", draft.location)
    start, end = _span(draft)
    vevent.add("DTSTART", start)
    if end != start:
        vevent.add("DTEND", end)
    if draft.private:
        vevent.add("CLASS", "PRIVATE")
    vevent.add("TRANSP", "OPAQUE" if draft.busy else "TRANSPARENT")
    for attendee in draft.attendees:
        email = "".join(attendee.email.split())
        if not email:
            continue
        params = {
            key: value
            for key, value in getattr(earlier.get(email.lower()), "params", {}).items()
            if key.upper() not in MODELLED_ATTENDEE_PARAMS
        }
        if attendee.name.strip():
            params["CN"] = attendee.name.strip()
        params["PARTSTAT"] = (attendee.status or "NEEDS-ACTION").upper()
        params["SCHEDULE-AGENT"] = "CLIENT"
        vevent.add("ATTENDEE", icalendar.vCalAddress(f"mailto:{email}"), parameters=params)
    vevent.add(STAMP, str(draft.activity_stamp))
    vevent.add("DTSTAMP", now)
    vevent.add("LAST-MODIFIED", now)
    if "SEQUENCE" in vevent:
        vevent["SEQUENCE"] = int(vevent["SEQUENCE"]) + 1


def set_occurrence(calendar: icalendar.Calendar, recurrence_id: str, draft: EventDraft) -> None:
    """Write `draft` into the occurrence `recurrence_id`: its override, made from the master
    when there is none. `NotFound` when the series has no such occurrence (any more)."""
    override = find_override(calendar, recurrence_id)
    if override is None:
        master = main_event(calendar)
        if master is None or not _occurs(calendar, master, recurrence_id):
            raise NotFound(f"the series has no occurrence {recurrence_id}")
        override = copy.deepcopy(master)
        for name in (*SERIES_ONLY, "RECURRENCE-ID"):
            override.pop(name, None)
        value, params = _in_series_form(recurrence_moment(recurrence_id), master)
        override.add("RECURRENCE-ID", value, parameters=params)
        calendar.add_component(override)
    apply_draft(override, draft)


def remove_occurrence(calendar: icalendar.Calendar, recurrence_id: str) -> bool:
    """Take the occurrence out of the series: EXDATE on the master, its override dropped.

    False when nothing is left (an object of overrides only lost its last
    one), which means the whole object should go.
    """
    override = find_override(calendar, recurrence_id)
    if override is not None:
        calendar.subcomponents.remove(override)
    master = main_event(calendar)
    if master is not None:
        excluded = {recurrence_text(moment) for moment in exdates(master)}
        if recurrence_id not in excluded:
            value, params = _in_series_form(recurrence_moment(recurrence_id), master)
            master.add("EXDATE", value, parameters=params)
            master.pop("DTSTAMP", None)
            master.add("DTSTAMP", dt.datetime.now(dt.UTC).replace(microsecond=0))
    return bool(vevents(calendar))


def _occurs(calendar: icalendar.Calendar, master: icalendar.Component, recurrence_id: str) -> bool:
    """Whether the master's recurrence set (EXDATEs applied) holds `recurrence_id`."""
    alone = icalendar.Calendar()
    for component in calendar.subcomponents:
        if component.name == "VTIMEZONE":
            alone.add_component(component)
    alone.add_component(master)
    moment = recurrence_moment(recurrence_id)
    around = (moment - DAY, moment + DAY)
    try:
        occurrences = recurring_ical_events.of(alone).between(*around)
    except ValueError:
        return False
    return any(
        recurrence_text(to_moment(occurrence["RECURRENCE-ID"].dt)) == recurrence_id
        for occurrence in occurrences
        if "RECURRENCE-ID" in occurrence
    )


def _in_series_form(moment: Moment, master: icalendar.Component) -> tuple[dt.date, dict[str, str]]:
    """`moment` as a RECURRENCE-ID/EXDATE value of the master's series, with its parameters."""
    start = master["DTSTART"]
    if not isinstance(start.dt, dt.datetime):
        return as_date(moment), {"VALUE": "DATE"}
    instant = as_utc(moment)
    if start.dt.tzinfo is None:
        return instant.replace(tzinfo=None), {}
    tzid = start.params.get("TZID")
    if tzid:
        return instant.astimezone(start.dt.tzinfo).replace(tzinfo=None), {"TZID": str(tzid)}
    return instant, {}


def _span(draft: EventDraft) -> tuple[dt.date, dt.date]:
    if draft.all_day:
        start, end = as_date(draft.start), as_date(draft.end)
        return start, max(end, start + DAY)
    start, end = (as_utc(moment).replace(microsecond=0) for moment in (draft.start, draft.end))
    return start, max(end, start)


def _listed(vevent: icalendar.Component, name: str) -> list[icalendar.vCalAddress]:
    values = vevent.get(name, [])
    return values if isinstance(values, list) else [values]
