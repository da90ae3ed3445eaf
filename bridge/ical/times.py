"""When an activity happens, both ways: DTSTART/DTEND/DUE/DURATION <-> due date, time, duration.

The conventions live here and nowhere else:

- VEVENT: DTSTART is the activity's start and DTEND its start plus duration.
  An all-day event lasts whole days, at least one.
- VTODO: DUE is the activity's due moment (the CRM's due date is a deadline,
  and a deadline is what task lists show); DTSTART is the due moment minus
  the duration, and is left out when there is no duration.
- Times are written in UTC, except that when the client wrote DTSTART with a
  TZID whose VTIMEZONE it sent, the zone is kept (at the activity's instant),
  so a weekly 9:00 meeting stays at 9:00 local time across daylight saving.
- Floating times (no zone) are read as UTC: nothing better is known here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import icalendar

from bridge.domain import Activity, ComponentKind
from bridge.ical.errors import ICalError
from bridge.ical.lines import quote_param, serialize
from bridge.ical.objects import CalendarObject

DAY = dt.timedelta(days=1)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

Moment = dt.date | dt.datetime


@dataclass(frozen=True)
class Zone:
    """A time zone the client used, by the TZID it called it."""

    tzid: str
    tzinfo: dt.tzinfo


@dataclass(frozen=True)
class When:
    """The time fields of an activity, as read from a component."""

    due_date: dt.date | None
    due_time: dt.time | None
    duration: dt.timedelta | None


def utc_stamp(moment: dt.datetime) -> str:
    """A UTC DATE-TIME value; naive datetimes are taken to be UTC already."""
    return f"{_utc(moment):%Y%m%dT%H%M%SZ}"


def dtstamp(activity: Activity) -> str:
    """The DTSTAMP value: the last change, so unchanged activities render identically."""
    return utc_stamp(activity.updated_at or activity.created_at or EPOCH)


def clean_duration(duration: dt.timedelta | None) -> dt.timedelta | None:
    """Whole seconds, never negative: what iCalendar can carry."""
    if duration is None:
        return None
    return max(dt.timedelta(seconds=int(duration.total_seconds())), dt.timedelta(0))


def _whole_days(duration: dt.timedelta) -> int:
    return -(-duration // DAY)


def event_span(activity: Activity) -> tuple[Moment, Moment | None]:
    """DTSTART and DTEND values of a dated activity shown as a VEVENT."""
    assert activity.due_date is not None
    duration = clean_duration(activity.duration)
    if activity.due_time is None:
        days = max(_whole_days(duration), 1) if duration is not None else 1
        return activity.due_date, activity.due_date + days * DAY
    start = _activity_start(activity)
    return start, None if duration is None else start + duration


def todo_span(activity: Activity) -> tuple[Moment | None, Moment]:
    """DTSTART (or None) and DUE values of a dated activity shown as a VTODO."""
    assert activity.due_date is not None
    duration = clean_duration(activity.duration)
    due: Moment = activity.due_date if activity.due_time is None else _activity_start(activity)
    if duration is None:
        return None, due
    if activity.due_time is None:
        return due - _whole_days(duration) * DAY, due
    return due - duration, due


def time_lines(activity: Activity, kind: ComponentKind, zone: Zone | None) -> list[str]:
    """The DTSTART/DTEND (VEVENT) or DTSTART/DUE (VTODO) lines; none for an undated to-do."""
    if activity.due_date is None:
        return []
    event = kind is ComponentKind.EVENT
    spans = event_span(activity) if event else todo_span(activity)
    names = ("DTSTART", "DTEND" if event else "DUE")
    return [
        _moment_line(name, value, zone)
        for name, value in zip(names, spans, strict=True)
        if value is not None
    ]


def _moment_line(name: str, value: Moment, zone: Zone | None) -> str:
    if not isinstance(value, dt.datetime):
        return f"{name};VALUE=DATE:{value:%Y%m%d}"
    if zone is not None:
        local = value.astimezone(zone.tzinfo).replace(tzinfo=None)
        if local.replace(tzinfo=zone.tzinfo).astimezone(dt.UTC) == value:
            return f"{name};TZID={quote_param(zone.tzid)}:{local:%Y%m%dT%H%M%S}"
    return f"{name}:{utc_stamp(value)}"


def source_zone(source: CalendarObject) -> Zone | None:
    """The zone of the master's DTSTART when the client sent its VTIMEZONE, else None."""
    start = source.master.first("DTSTART")
    tzid = start.param("TZID") if start is not None else None
    vtimezone = source.timezones.get(tzid) if tzid else None
    if tzid is None or vtimezone is None:
        return None
    try:
        tzinfo = icalendar.Timezone.from_ical(serialize(vtimezone)).to_tz()
    except ValueError:
        return None
    return Zone(tzid, tzinfo)


def read_when(component: icalendar.Component) -> When:
    """The activity's time fields from a decoded VEVENT or VTODO (see the module docstring)."""
    start = read_moment(component, "DTSTART")
    end = read_moment(component, "DTEND" if component.name == "VEVENT" else "DUE")
    duration = _duration(component)
    if component.name == "VEVENT":
        if start is None:
            raise ICalError("a VEVENT needs a DTSTART")
        return _when(start, _between(start, end) if end is not None else duration)
    if end is not None:
        return _when(end, _between(start, end) if start is not None else None)
    if start is not None:
        return _when(start if duration is None else _shift(start, duration), duration)
    return When(None, None, None)


def read_moment(component: icalendar.Component, name: str) -> Moment | None:
    if name not in component:
        return None
    if isinstance(component[name], list):
        raise ICalError(f"{name} appears more than once")
    value = component.decoded(name)
    if not isinstance(value, dt.date):
        raise ICalError(f"{name} is not a valid date or date-time")
    return value


def _duration(component: icalendar.Component) -> dt.timedelta | None:
    if "DURATION" not in component:
        return None
    value = component.decoded("DURATION")
    if not isinstance(value, dt.timedelta) or value < dt.timedelta(0):
        raise ICalError("DURATION is not a valid, non-negative duration")
    return value


def _between(start: Moment, end: Moment) -> dt.timedelta:
    if isinstance(start, dt.datetime) or isinstance(end, dt.datetime):
        difference = as_utc(end) - as_utc(start)
    else:
        difference = end - start
    if difference < dt.timedelta(0):
        raise ICalError("the component ends before it starts")
    return difference


def _shift(value: Moment, delta: dt.timedelta) -> Moment:
    if not isinstance(value, dt.datetime) and delta % DAY:
        return as_utc(value) + delta
    return value + delta


def _when(moment: Moment, duration: dt.timedelta | None) -> When:
    duration = clean_duration(duration)
    if not isinstance(moment, dt.datetime):
        return When(moment, None, duration)
    utc = _utc(moment).replace(microsecond=0)
    return When(utc.date(), utc.time(), duration)


def as_utc(value: Moment) -> dt.datetime:
    """Dates become midnight UTC, so mixed DATE/DATE-TIME pairs can be compared."""
    if isinstance(value, dt.datetime):
        return _utc(value)
    return dt.datetime.combine(value, dt.time(0), dt.UTC)


def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def _activity_start(activity: Activity) -> dt.datetime:
    start = activity.start
    assert start is not None
    return start.replace(microsecond=0)
