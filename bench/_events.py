"""The benchmark's calendar: N deterministic events, as iCalendar text for both servers.

Both servers must hold exactly the same events, and two runs must hold the
same events too, or their figures could not be compared; so everything is
drawn from a seeded generator around a fixed date (`ANCHOR`), never today.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass, replace

ANCHOR = dt.datetime(2025, 1, 6, tzinfo=dt.UTC)
"""The calendar's "today", a Monday: events spread two years either side of it."""

SPREAD_DAYS = 730
RECURRING_SHARE = 0.01
_SEED = 20250106
_DTSTAMP = "20250101T000000Z"
SUBJECTS = (
    "Discovery call",
    "Pricing review",
    "Contract negotiation",
    "Quarterly business review",
    "Onboarding session",
    "Support escalation",
    "Demo for the buying committee",
    "Renewal check-in",
)
_LOCATIONS = ("", "", "Room 2.14", "Client office", "Video call")


@dataclass(frozen=True)
class Event:
    """One VEVENT: start in UTC, length, and an optional weekly RRULE value."""

    uid: str
    start: dt.datetime
    minutes: int
    summary: str
    location: str = ""
    rrule: str = ""

    @property
    def href(self) -> str:
        """The item name on both servers: CalBridge's import names items `<uid>.ics` too."""
        return f"{self.uid}.ics"


def generate(count: int) -> list[Event]:
    """``count`` events: mostly single 30-60 minute meetings, about 1% weekly series.

    Every other series has no end, as real standing meetings often do: those
    overlap every time range after their start, which costs a server more
    than a bounded series.
    """
    rng = random.Random(_SEED)
    events = []
    for index in range(count):
        start = _random_start(rng)
        rrule = ""
        if rng.random() < RECURRING_SHARE:
            rrule = "FREQ=WEEKLY" if index % 2 else "FREQ=WEEKLY;COUNT=52"
        events.append(
            Event(
                uid=f"bench-{index:06d}",
                start=start,
                minutes=rng.choice((30, 45, 60)),
                summary=f"{rng.choice(SUBJECTS)} #{index}",
                location=rng.choice(_LOCATIONS),
                rrule=rrule,
            )
        )
    return events


def _random_start(rng: random.Random) -> dt.datetime:
    """A working-hours start on a quarter hour, within `SPREAD_DAYS` of `ANCHOR`."""
    day = rng.randint(-SPREAD_DAYS, SPREAD_DAYS)
    quarter = rng.randint(8 * 4, 17 * 4)
    return ANCHOR + dt.timedelta(days=day, minutes=15 * quarter)


def new_event(number: int) -> Event:
    """An event neither server has yet, for timing the PUT of a new item."""
    start = ANCHOR + dt.timedelta(days=number % 7, hours=9)
    return Event(uid=f"bench-new-{number:04d}", start=start, minutes=30, summary="New meeting")


def changed(event: Event, number: int) -> Event:
    """The same event with another summary: what a client PUTs for an edit."""
    return replace(event, summary=f"{event.summary} (edit {number})")


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def _vevent(event: Event) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{_DTSTAMP}",
        f"DTSTART:{_stamp(event.start)}",
        f"DTEND:{_stamp(event.start + dt.timedelta(minutes=event.minutes))}",
        f"SUMMARY:{event.summary}",
    ]
    if event.location:
        lines.append(f"LOCATION:{event.location}")
    if event.rrule:
        lines.append(f"RRULE:{event.rrule}")
    lines.append("END:VEVENT")
    return lines


def calendar_text(events: Iterable[Event]) -> str:
    """One VCALENDAR holding ``events``: an item body for one event, an import file for many."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//CalBridge//bench//EN"]
    for event in events:
        lines.extend(_vevent(event))
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def week_range() -> tuple[str, str]:
    """The one-week time range the calendar-query REPORT asks for, as CalDAV UTC stamps."""
    return _stamp(ANCHOR), _stamp(ANCHOR + dt.timedelta(days=7))
