"""One VEVENT -> the contract's `ExternalEvent`; reading calendar objects. Pure, no I/O.

Field rules (RFC 5545): CLASS PRIVATE or CONFIDENTIAL is private,
TRANSP TRANSPARENT is free time, a DATE DTSTART is all-day (DTEND
exclusive, one day when absent), DURATION stands in for DTEND, floating
times are read as UTC (as `bridge.ical.times` does), STATUS CANCELLED is
a deletion, LAST-MODIFIED (else DTSTAMP) is `updated`, and CalBridge's
activity id travels in `X-CALBRIDGE-ACTIVITY-ID`.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import icalendar

from bridge.domain import Attendee
from bridge.ical.attendees import address_email
from bridge.ical.times import as_utc, utc
from bridge.providers import ExternalEvent, Moment
from bridge.providers.caldav.ids import as_date, event_id, to_moment

log = logging.getLogger(__name__)

STAMP = "X-CALBRIDGE-ACTIVITY-ID"
PRIVATE_CLASSES = frozenset({"PRIVATE", "CONFIDENTIAL"})
DAY = dt.timedelta(days=1)


def parse_object(text: str) -> icalendar.Calendar | None:
    """The parsed object, or None (logged) when it is not readable iCalendar."""
    try:
        return icalendar.Calendar.from_ical(text)
    except ValueError as unreadable:
        log.warning("skipping an unreadable calendar object: %s", unreadable)
        return None


def vevents(calendar: icalendar.Calendar) -> list[icalendar.Component]:
    return [component for component in calendar.subcomponents if component.name == "VEVENT"]


def main_event(calendar: icalendar.Calendar) -> icalendar.Component | None:
    """The VEVENT that is not an override: the single event, or the series master."""
    return next((event for event in vevents(calendar) if "RECURRENCE-ID" not in event), None)


def cancelled(event_id: str, recurrence_id: str | None) -> ExternalEvent:
    """A deletion: only `id`, `recurrence_id` and `updated` (now) mean anything."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return ExternalEvent.deletion(event_id, recurrence_id, now)


def external_event(
    vevent: icalendar.Component, href: str, etag: str, recurrence_id: str | None
) -> ExternalEvent:
    """The contract's view of one VEVENT (a single event, override or expanded occurrence)."""
    start = to_moment(vevent["DTSTART"].dt)
    all_day = not isinstance(start, dt.datetime)
    end = _end(vevent, start)
    end = as_date(end) if all_day else as_utc(end)
    stamp = str(vevent.get(STAMP, "")).strip()
    return ExternalEvent(
        id=event_id(href, recurrence_id),
        etag=etag,
        uid=str(vevent.get("UID", "")),
        recurrence_id=recurrence_id,
        series_id=None if recurrence_id is None else href,
        status="cancelled" if _upper(vevent, "STATUS") == "CANCELLED" else "confirmed",
        summary=_text(vevent, "SUMMARY"),
        description=_text(vevent, "DESCRIPTION"),
        location=_text(vevent, "LOCATION"),
        start=start,
        end=end,
        all_day=all_day,
        private=_upper(vevent, "CLASS") in PRIVATE_CLASSES,
        busy=_upper(vevent, "TRANSP") != "TRANSPARENT",
        attendees=attendees(vevent),
        activity_stamp=int(stamp) if stamp.isdigit() else None,
        updated=_updated(vevent),
    )


def attendees(vevent: icalendar.Component) -> tuple[Attendee, ...]:
    found = []
    for address in _all(vevent, "ATTENDEE"):
        email = address_email(str(address))
        if email:
            name = str(address.params.get("CN", "")).strip()
            status = str(address.params.get("PARTSTAT", "NEEDS-ACTION")).upper()
            found.append(Attendee(email=email, name=name, status=status))
    return tuple(found)


def _end(vevent: icalendar.Component, start: Moment) -> dt.date:
    if "DTEND" in vevent:
        return vevent["DTEND"].dt
    if "DURATION" in vevent:
        duration = vevent["DURATION"].dt
        if isinstance(duration, dt.timedelta):
            return start + duration
    return start if isinstance(start, dt.datetime) else start + DAY


def _updated(vevent: icalendar.Component) -> dt.datetime:
    for name in ("LAST-MODIFIED", "DTSTAMP"):
        value = vevent.get(name)
        if value is not None and isinstance(value.dt, dt.datetime):
            return utc(value.dt)
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _all(vevent: icalendar.Component, name: str) -> list[Any]:
    values = vevent.get(name, [])
    return values if isinstance(values, list) else [values]


def _text(vevent: icalendar.Component, name: str) -> str:
    values = _all(vevent, name)
    return str(values[0]) if values else ""


def _upper(vevent: icalendar.Component, name: str) -> str:
    return _text(vevent, name).strip().upper()
