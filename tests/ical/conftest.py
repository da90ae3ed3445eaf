"""Fixtures for the iCalendar tests: client texts and a strict three-library parse check."""

from __future__ import annotations

from collections.abc import Callable

import icalendar
import pytest
import vobject
from ical.calendar_stream import IcsCalendarStream

from tests.ical.ical_samples import BERLIN, calendar, event


@pytest.fixture
def client_text() -> str:
    """A rich client object: TZID times, an alarm, X- properties, attendee parameters."""
    return calendar(
        BERLIN,
        event(
            "DTSTART;TZID=Europe/Berlin:20240702T100000",
            "DTEND;TZID=Europe/Berlin:20240702T113000",
            "SUMMARY:Quarterly review\\, Q2",
            "LOCATION:Room 4",
            "DESCRIPTION:Agenda:\\n1. numbers",
            "CLASS:PUBLIC",
            "TRANSP:OPAQUE",
            "X-FOO;X-PARAM=keep:some value",
            'ATTENDEE;CN="Doe, Jane";PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT;RSVP=TRUE:'
            "mailto:jane@example.com",
            "ATTENDEE;PARTSTAT=NEEDS-ACTION:MAILTO:bob@example.com",
            "X-CALBRIDGE-TYPE:call",
            "X-CALBRIDGE-DEAL:42",
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            "TRIGGER:-PT15M",
            "DESCRIPTION:Reminder",
            "END:VALARM",
        ),
    )


@pytest.fixture
def strict() -> Callable[[str], None]:
    """Parse `text` with icalendar (no recorded errors), vobject and the `ical` package."""

    def check(text: str) -> None:
        assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
        parsed = icalendar.Calendar.from_ical(text)
        assert [(c.name, c.errors) for c in parsed.walk() if c.errors] == []
        vobject.readOne(text).serialize()
        IcsCalendarStream.calendar_from_ics(text)

    return check
