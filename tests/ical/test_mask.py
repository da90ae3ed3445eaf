"""Private activities as other users see them: nothing but busy time."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import replace

from bridge.domain import Activity, Attendee
from bridge.ical.mask import masked_uid, render_masked, without_alarms
from bridge.ical.parse import activity_from_ical
from bridge.ical.render import render
from tests.ical.ical_samples import MASKING_KEY, MEETING, UPDATED, calendar, event

Strict = Callable[[str], None]

CANARIES = (
    "CANARY-UID",
    "CANARY-SUMMARY",
    "CANARY-DESC",
    "CANARY-LOC",
    "canary-attendee",
    "CANARY-XPROP",
    "CANARY-XPARAM",
    "CANARY-ALARM",
    "CANARY-OVERRIDE",
    "CANARY-NOTE",
    "CANARY-COMMENT",
    "CANARYRULE",
)


def secret_activity() -> Activity:
    text = calendar(
        """BEGIN:VTIMEZONE
TZID:Europe/Berlin
X-CANARY-XPROP:tz
COMMENT:CANARY-COMMENT
BEGIN:STANDARD
DTSTART:19701025T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19700329T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
END:VTIMEZONE
""",
        event(
            "DTSTART;TZID=Europe/Berlin:20240102T090000",
            "DTEND;TZID=Europe/Berlin:20240102T100000",
            "RRULE;X-P=CANARY-XPARAM:FREQ=WEEKLY;COUNT=10;X-NAME=CANARYRULE",
            "EXDATE;TZID=Europe/Berlin:20240116T090000",
            "SUMMARY:CANARY-SUMMARY",
            "DESCRIPTION:CANARY-DESC",
            "LOCATION:CANARY-LOC",
            "CLASS:PRIVATE",
            "ATTENDEE;CN=CANARY-SUMMARY:mailto:canary-attendee@example.com",
            "X-SECRET:CANARY-XPROP",
            "X-CALBRIDGE-DEAL:77",
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            "TRIGGER:-PT5M",
            "DESCRIPTION:CANARY-ALARM",
            "END:VALARM",
            uid="CANARY-UID",
        ),
        event(
            "RECURRENCE-ID;TZID=Europe/Berlin:20240109T090000",
            "DTSTART;TZID=Europe/Berlin;X-P=CANARY-XPARAM:20240109T140000",
            "DTEND;TZID=Europe/Berlin:20240109T150000",
            "SUMMARY:CANARY-OVERRIDE",
            "LOCATION:CANARY-LOC",
            uid="CANARY-UID",
        ),
    )
    activity = activity_from_ical(text, owner_id=1, default_type_key="meeting")
    activity = replace(activity, note="CANARY-NOTE", updated_at=UPDATED, org_id=12)
    return replace(activity, ical=render(activity, MEETING))


def test_masked_output_reveals_nothing_but_time(strict: Strict) -> None:
    activity = secret_activity()
    masked = render_masked(activity, MASKING_KEY)
    strict(masked)
    for canary in CANARIES:
        assert canary.lower() not in masked.lower(), canary
    for leak in ("ATTENDEE", "VALARM", "LOCATION", "DESCRIPTION", "CATEGORIES", "X-", "77"):
        assert leak not in masked
    assert masked.count("SUMMARY:Busy") == 2
    assert "RRULE:FREQ=WEEKLY;COUNT=10\r\n" in masked
    assert "Europe/Berlin" not in masked
    zone = re.search(r"\r\nTZID:(masked-[0-9a-f]{16})\r\n", masked)
    assert zone is not None, masked
    assert f"EXDATE;TZID={zone[1]}:20240116T090000" in masked
    assert f"DTSTART;TZID={zone[1]}:20240102T090000" in masked
    assert f"DTSTART;TZID={zone[1]}:20240109T140000" in masked
    assert f"UID:{masked_uid('CANARY-UID', MASKING_KEY)}" in masked


def test_masked_uid_is_keyed() -> None:
    uid = "demo-7@calbridge"
    assert masked_uid(uid, MASKING_KEY) == masked_uid(uid, MASKING_KEY)
    assert masked_uid(uid, MASKING_KEY) != masked_uid("demo-8@calbridge", MASKING_KEY)
    assert masked_uid(uid, MASKING_KEY) != masked_uid(uid, b"another server")
    assert masked_uid(uid, MASKING_KEY) != hashlib.sha256(uid.encode()).hexdigest()
    assert len(masked_uid(uid, MASKING_KEY)) == 64


def test_masked_fresh_activities(strict: Strict) -> None:
    timed = Activity(
        "CANARY-SUMMARY",
        "call",
        1,
        "CANARY-UID",
        due_date=dt.date(2024, 1, 2),
        due_time=dt.time(9),
        duration=dt.timedelta(minutes=30),
        private=True,
        attendees=[Attendee("canary-attendee@example.com")],
    )
    masked = render_masked(timed, MASKING_KEY)
    strict(masked)
    assert "DTSTART:20240102T090000Z\r\nDTEND:20240102T093000Z\r\n" in masked
    assert "CLASS:PRIVATE\r\n" in masked and "TRANSP:OPAQUE\r\n" in masked
    all_day = render_masked(replace(timed, due_time=None, duration=None), MASKING_KEY)
    strict(all_day)
    assert "DTSTART;VALUE=DATE:20240102\r\nDTEND;VALUE=DATE:20240103\r\n" in all_day
    undated = render_masked(replace(timed, due_date=None, due_time=None), MASKING_KEY)
    strict(undated)
    assert "BEGIN:VTODO" in undated and "DTSTART" not in undated
    for text in (masked, all_day, undated):
        assert "CANARY" not in text.upper()


def test_masked_todo_type_activity_is_a_busy_event(strict: Strict) -> None:
    text = calendar(event("DUE:20240105T170000Z", "SUMMARY:CANARY-SUMMARY", kind="VTODO"))
    activity = activity_from_ical(text, owner_id=1, default_type_key="task")
    masked = render_masked(activity, MASKING_KEY)
    strict(masked)
    assert "BEGIN:VEVENT" in masked and "DTSTART:20240105T170000Z" in masked
    assert "CANARY" not in masked


def test_without_alarms_keeps_everything_else() -> None:
    activity = secret_activity()
    assert activity.ical is not None
    text = without_alarms(activity.ical)
    assert "VALARM" not in text and "CANARY-ALARM" not in text
    assert text == activity.ical.replace(
        "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nDESCRIPTION:CANARY-ALARM\r\n"
        "END:VALARM\r\n",
        "",
    )
    assert without_alarms("") == ""
