"""Sample client texts and activity types shared by the iCalendar tests."""

from __future__ import annotations

import datetime as dt

from bridge.domain import ActivityType, ComponentKind

MEETING = ActivityType("meeting", "Meeting")
TASK = ActivityType("task", "Task", kind=ComponentKind.TODO)
UPDATED = dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.UTC)
MASKING_KEY = b"the tests' masking key"

BERLIN = """BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
"""


def calendar(*components: str) -> str:
    """A client-style VCALENDAR (LF line ends, as sloppy clients send) around `components`."""
    return (
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Test//Client//EN\n"
        + "".join(components)
        + "END:VCALENDAR\n"
    )


def event(*lines: str, uid: str = "evt-1@example.com", kind: str = "VEVENT") -> str:
    body = "".join(f"{line}\n" for line in lines)
    return f"BEGIN:{kind}\nUID:{uid}\nDTSTAMP:20240101T000000Z\n{body}END:{kind}\n"
