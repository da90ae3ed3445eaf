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
import re
from collections.abc import Mapping
from dataclasses import dataclass

from bridge.domain import Activity, ComponentKind
from bridge.ical.errors import ICalError
from bridge.ical.lines import parse_property, quote_param, unescape_text
from bridge.ical.objects import CalendarObject
from bridge.ical.zones import localize, named_zone, vtimezone_zone

DAY = dt.timedelta(days=1)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

Moment = dt.date | dt.datetime
Lines = Mapping[str, list[str]]
"""A component's raw lines by upper-case property name (`Component.by_name`)."""

_ZONED = frozenset({"DTSTART", "DTEND", "DUE"})
"""The properties whose TZID parameter is honoured when read (not COMPLETED: UTC by RFC 5545)."""
_DURATION = re.compile(r"([-+]?)P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?")
"""RFC 5545 dur-value, as leniently as `icalendar` read it (weeks with days, empty parts)."""


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
    return f"{utc(moment):%Y%m%dT%H%M%SZ}"


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
        tzinfo = vtimezone_zone(vtimezone)
    except ValueError:
        return None
    return Zone(tzid, tzinfo)


def read_when(kind: str, lines: Lines) -> When:
    """The activity's time fields from a VEVENT's or VTODO's lines (see the module docstring)."""
    start = read_moment(lines, "DTSTART")
    end = read_moment(lines, "DTEND" if kind == "VEVENT" else "DUE")
    duration = _duration(lines)
    if kind == "VEVENT":
        if start is None:
            raise ICalError("a VEVENT needs a DTSTART")
        return _when(start, _between(start, end) if end is not None else duration)
    if end is not None:
        return _when(end, _between(start, end) if start is not None else None)
    if start is not None:
        return _when(start if duration is None else _shift(start, duration), duration)
    return When(None, None, None)


def read_moment(lines: Lines, name: str) -> Moment | None:
    """The DATE or DATE-TIME value of property `name`, None when absent; raises ICalError."""
    found = lines.get(name)
    if not found:
        return None
    if len(found) > 1:
        raise ICalError(f"{name} appears more than once")
    prop = parse_property(found[0])
    tzid = prop.param("TZID") if name in _ZONED else None
    value = moment_value(unescape_text(prop.value), named_zone(tzid) if tzid else None)
    if value is None:
        raise ICalError(f"{name} is not a valid date or date-time")
    return value


def moment_value(value: str, zone: dt.tzinfo | None) -> Moment | None:
    """A DATE (midnight in `zone` when there is one) or DATE-TIME value, None when malformed.

    A known zone wins over a trailing Z, as it did when `icalendar` read these;
    without one, a time without Z is floating (naive).
    """
    try:
        if len(value) == 8 and value.isascii() and value.isdigit():
            day = dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
            return day if zone is None else localize(dt.datetime.combine(day, dt.time(0)), zone)
        if len(value) not in (15, 16) or value[8] != "T" or value[15:] not in ("", "Z"):
            return None
        moment = dt.datetime(
            int(value[:4]),
            int(value[4:6]),
            int(value[6:8]),
            int(value[9:11]),
            int(value[11:13]),
            int(value[13:15]),
        )
    except ValueError:
        return None
    if zone is not None:
        return localize(moment, zone)
    return moment.replace(tzinfo=dt.UTC) if value[15:] else moment


def _duration(lines: Lines) -> dt.timedelta | None:
    found = lines.get("DURATION")
    if not found:
        return None
    value = _dur_value(unescape_text(parse_property(found[0]).value)) if len(found) == 1 else None
    if value is None or value < dt.timedelta(0):
        raise ICalError("DURATION is not a valid, non-negative duration")
    return value


def _dur_value(text: str) -> dt.timedelta | None:
    match = _DURATION.fullmatch(text)
    if match is None:
        return None
    sign, *parts = match.groups()
    weeks, days, hours, minutes, seconds = (int(part or 0) for part in parts)
    try:
        value = dt.timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
    except OverflowError:
        return None
    return -value if sign == "-" else value


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
    start = utc(moment).replace(microsecond=0)
    return When(start.date(), start.time(), duration)


def as_utc(value: Moment) -> dt.datetime:
    """Dates become midnight UTC, so mixed DATE/DATE-TIME pairs can be compared."""
    if isinstance(value, dt.datetime):
        return utc(value)
    return dt.datetime.combine(value, dt.time(0), dt.UTC)


def utc_seconds(value: Moment) -> dt.datetime:
    """`as_utc` in whole seconds: iCalendar and Google carry none, so content compares equal."""
    return as_utc(value).replace(microsecond=0)


def utc(moment: dt.datetime) -> dt.datetime:
    """Aware UTC; floating (naive) times are taken to be UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def utc_aware(moment: dt.datetime | None) -> dt.datetime | None:
    """`utc` that lets None through: the store reads optional timestamps, and SQLite hands
    them back naive (PostgreSQL in the session's zone), so every row needs this on the way out."""
    return None if moment is None else utc(moment)


def _activity_start(activity: Activity) -> dt.datetime:
    start = activity.start
    assert start is not None
    return start.replace(microsecond=0)


def recurrence_text(moment: Moment) -> str:
    """RFC 5545 RECURRENCE-ID text: `YYYYMMDD` for all-day, else UTC `YYYYMMDDTHHMMSSZ`."""
    return utc_stamp(moment) if isinstance(moment, dt.datetime) else f"{moment:%Y%m%d}"


def overlaps(start: Moment, end: Moment, window: tuple[dt.datetime, dt.datetime]) -> bool:
    """Whether [start, end) meets the window (an instant counts when it lies inside)."""
    first, last = as_utc(start), as_utc(end)
    low, high = window
    return first < high and (last > low or first >= low)
