"""Generated .ics files for import tests: a VTIMEZONE, timed and all-day events, to-dos."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from tests.ical.ical_samples import BERLIN

# A DTSTART no parser can read: the object must be reported, the others imported.
BROKEN = """BEGIN:VEVENT
UID:broken@example.com
DTSTAMP:20260101T000000Z
DTSTART;TZID=Europe/Berlin:not-a-date
SUMMARY:Broken
END:VEVENT
"""

FIRST_DAY = dt.date(2026, 3, 2)


def event(number: int) -> str:
    """Event ``number``: mostly timed in Berlin time, every tenth all-day, every
    twentieth an undated to-do."""
    day = FIRST_DAY + dt.timedelta(days=number % 300)
    head = f"UID:event-{number}@example.com\nDTSTAMP:20260101T000000Z\nSUMMARY:Event {number}\n"
    if number % 20 == 0:
        return f"BEGIN:VTODO\n{head}END:VTODO\n"
    if number % 10 == 0:
        times = f"DTSTART;VALUE=DATE:{day:%Y%m%d}\n"
    else:
        hour = 8 + number % 9
        times = (
            f"DTSTART;TZID=Europe/Berlin:{day:%Y%m%d}T{hour:02}0000\n"
            f"DTEND;TZID=Europe/Berlin:{day:%Y%m%d}T{hour:02}3000\n"
        )
    return f"BEGIN:VEVENT\n{head}{times}LOCATION:Room {number % 7}\nEND:VEVENT\n"


def calendar(numbers: Iterable[int], *, broken: bool = False) -> str:
    body = "".join(event(number) for number in numbers) + (BROKEN if broken else "")
    head = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//CalBridge tests//EN\n"
    return f"{head}{BERLIN}{body}END:VCALENDAR\n".replace("\n", "\r\n")
