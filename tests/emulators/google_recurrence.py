"""Event times and recurring-event expansion, the way Google Calendar presents them.

With `singleEvents=true` Google lists a recurring event as instances with
ids `<eventId>_<YYYYMMDDTHHMMSSZ>` (`_<YYYYMMDD>` for all-day events),
`recurringEventId` and `originalStartTime`; the bridge keys occurrences on
those, so the emulator derives them from the RRULE exactly that way.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrulestr

TIMED_STAMP = "%Y%m%dT%H%M%SZ"
DATE_STAMP = "%Y%m%d"
RECURRENCE_PREFIXES = ("RRULE", "EXRULE", "RDATE", "EXDATE")


@dataclass(frozen=True)
class EventTime:
    """A `start`/`end`/`originalStartTime` value: an instant, and how to render it back."""

    at: datetime  # aware; all-day events start at midnight UTC (emulated calendars are UTC)
    all_day: bool
    zone: tzinfo
    zone_name: str | None

    def render(self, at: datetime | None = None) -> dict[str, str]:
        moment = self.at if at is None else at
        if self.all_day:
            return {"date": moment.date().isoformat()}
        text = moment.astimezone(self.zone).isoformat().replace("+00:00", "Z")
        return {"dateTime": text, **({"timeZone": self.zone_name} if self.zone_name else {})}


def parse_rfc3339(text: str) -> datetime:
    """An RFC 3339 timestamp with a mandatory offset, as timeMin/timeMax/updatedMin require."""
    moment = datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone offset")
    return moment


def parse_event_time(value: Mapping[str, Any]) -> EventTime:
    """Read `{"date": ...}` or `{"dateTime": ..., "timeZone": ...}`; ValueError if malformed."""
    zone_name = value.get("timeZone")
    try:
        zone = ZoneInfo(zone_name) if zone_name else None
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {zone_name!r}") from exc
    if "date" in value:
        day = date.fromisoformat(value["date"])
        return EventTime(datetime(day.year, day.month, day.day, tzinfo=UTC), True, UTC, None)
    moment = datetime.fromisoformat(str(value["dateTime"]).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        if zone is None:
            raise ValueError("a dateTime without offset needs a timeZone")
        moment = moment.replace(tzinfo=zone)
    shown = zone or moment.tzinfo
    assert shown is not None
    return EventTime(moment.astimezone(shown), False, shown, zone_name)


def instance_id(master_id: str, original: EventTime) -> str:
    if original.all_day:
        return f"{master_id}_{original.at.strftime(DATE_STAMP)}"
    return f"{master_id}_{original.at.astimezone(UTC).strftime(TIMED_STAMP)}"


def split_instance_id(event_id: str) -> tuple[str, datetime] | None:
    """`(master id, original start)` for an instance id, None for any other id."""
    master_id, _, stamp = event_id.rpartition("_")
    for pattern in (TIMED_STAMP, DATE_STAMP):
        try:
            return master_id, datetime.strptime(stamp, pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def occurrences(master: Mapping[str, Any], until: datetime) -> Iterator[EventTime]:
    """Original start times of a recurring event's instances that start before `until`."""
    start = parse_event_time(master["start"])
    dtstart = start.at.replace(tzinfo=None) if start.all_day else start.at
    rules = rrulestr("\n".join(master.get("recurrence", [])), dtstart=dtstart, forceset=True)
    for moment in rules:
        aware = moment.replace(tzinfo=UTC) if start.all_day else moment
        if aware >= until:
            return
        yield EventTime(aware, start.all_day, start.zone, start.zone_name)


def validate_recurrence(master: Mapping[str, Any]) -> None:
    """ValueError unless every line is a parseable RRULE/EXRULE/RDATE/EXDATE."""
    lines = master.get("recurrence", [])
    if not all(str(line).upper().startswith(RECURRENCE_PREFIXES) for line in lines):
        raise ValueError("unsupported recurrence line")
    next(occurrences(master, datetime.max.replace(tzinfo=UTC)), None)


def render_instance(master: Mapping[str, Any], original: EventTime) -> dict[str, Any]:
    """An instance as events.list(singleEvents=true) shows it: the master, moved and renamed."""
    start = parse_event_time(master["start"])
    end = parse_event_time(master["end"])
    instance = copy.deepcopy({k: v for k, v in master.items() if k != "recurrence"})
    instance["id"] = instance_id(master["id"], original)
    instance["recurringEventId"] = master["id"]
    instance["originalStartTime"] = original.render()
    instance["start"] = start.render(original.at)
    instance["end"] = end.render(original.at + (end.at - start.at))
    return instance


def span(resource: Mapping[str, Any]) -> tuple[datetime, datetime] | None:
    """The start and end instants of a stored event, or None if it has no times (a tombstone)."""
    if "start" not in resource or "end" not in resource:
        return None
    return parse_event_time(resource["start"]).at, parse_event_time(resource["end"]).at
