"""What colleagues see of time zones and private occurrences: busy time, right, and nothing else."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import icalendar
import recurring_ical_events

from bridge.domain import Activity
from bridge.ical.mask import colleague_view, render_masked
from bridge.ical.parse import activity_from_ical
from bridge.ical.render import render
from tests.ical.ical_samples import MASKING_KEY, MEETING, UPDATED, calendar, event

Strict = Callable[[str], None]

SECRET_ZONE = """BEGIN:VTIMEZONE
TZID:SecretText CANARY-TZ
X-CANARY:tz
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CANARY-DAYLIGHT
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CANARY-STANDARD
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
COMMENT:CANARY-COMMENT
END:STANDARD
END:VTIMEZONE
"""
ZONED = 'TZID="SecretText CANARY-TZ"'
YEAR = (dt.datetime(2024, 1, 1, tzinfo=dt.UTC), dt.datetime(2025, 1, 1, tzinfo=dt.UTC))


def stored(text: str) -> Activity:
    activity = activity_from_ical(text, owner_id=1, default_type_key="meeting")
    activity.updated_at = UPDATED
    activity.ical = render(activity, MEETING)
    return activity


def busy_times(text: str) -> list[tuple[dt.datetime | dt.date, dt.datetime | dt.date]]:
    """Every occurrence's start and end in 2024, in UTC (dates as they are)."""
    found = recurring_ical_events.of(icalendar.Calendar.from_ical(text)).between(*YEAR)
    return sorted(
        (_utc(component["DTSTART"].dt), _utc(component["DTEND"].dt)) for component in found
    )


def _utc(value: dt.datetime | dt.date) -> dt.datetime | dt.date:
    return value.astimezone(dt.UTC) if isinstance(value, dt.datetime) else value


def test_a_private_event_in_a_named_zone_is_masked_in_utc(strict: Strict) -> None:
    activity = stored(
        calendar(
            SECRET_ZONE,
            event(
                f"DTSTART;{ZONED}:20240702T100000",
                f"DTEND;{ZONED}:20240702T113000",
                "SUMMARY:CANARY-SUMMARY",
                "CLASS:PRIVATE",
            ),
        )
    )
    masked = render_masked(activity, MASKING_KEY)
    strict(masked)
    assert "CANARY" not in masked.upper() and "SECRETTEXT" not in masked.upper()
    assert "VTIMEZONE" not in masked and "TZID" not in masked
    assert "DTSTART:20240702T080000Z\r\nDTEND:20240702T093000Z\r\n" in masked


def test_a_private_series_keeps_its_busy_times_across_daylight_saving(strict: Strict) -> None:
    activity = stored(
        calendar(
            SECRET_ZONE,
            event(
                f"DTSTART;{ZONED}:20240102T090000",
                f"DTEND;{ZONED}:20240102T100000",
                "RRULE:FREQ=WEEKLY;BYDAY=TU",
                f"EXDATE;{ZONED}:20240416T090000",
                "SUMMARY:CANARY-SUMMARY",
                "CLASS:PRIVATE",
            ),
            event(
                f"RECURRENCE-ID;{ZONED}:20240709T090000",
                f"DTSTART;{ZONED}:20240709T150000",
                f"DTEND;{ZONED}:20240709T160000",
                "SUMMARY:CANARY-OVERRIDE",
                "CLASS:PRIVATE",
            ),
        )
    )
    assert activity.ical is not None
    masked = render_masked(activity, MASKING_KEY)
    strict(masked)
    assert "CANARY" not in masked.upper() and "SECRETTEXT" not in masked.upper()
    assert masked.count("BEGIN:VTIMEZONE") == 1 and "TZNAME" not in masked
    assert busy_times(masked) == busy_times(activity.ical)
    starts = [start for start, _ in busy_times(masked)]
    assert dt.datetime(2024, 1, 2, 8, tzinfo=dt.UTC) in starts
    assert dt.datetime(2024, 7, 30, 7, tzinfo=dt.UTC) in starts


def test_time_lists_of_a_masked_series_are_in_utc() -> None:
    """Not checked with vobject, which cannot write a PERIOD back."""
    activity = stored(
        calendar(
            SECRET_ZONE,
            event(
                f"DTSTART;{ZONED}:20240301T090000",
                f"DTEND;{ZONED}:20240301T100000",
                f"RDATE;{ZONED}:20240308T090000,20240405T090000",
                f"RDATE;VALUE=PERIOD;{ZONED}:20240412T090000/20240412T120000",
                f"EXDATE;{ZONED}:20240405T090000",
                "SUMMARY:CANARY-SUMMARY",
                "CLASS:PRIVATE",
            ),
        )
    )
    assert activity.ical is not None
    masked = render_masked(activity, MASKING_KEY)
    assert "VTIMEZONE" not in masked and "TZID" not in masked and "CANARY" not in masked
    assert "RDATE:20240308T080000Z,20240405T070000Z\r\n" in masked
    assert "RDATE;VALUE=PERIOD:20240412T070000Z/20240412T100000Z\r\n" in masked
    assert "EXDATE:20240405T070000Z\r\n" in masked
    assert busy_times(masked) == busy_times(activity.ical)


def test_an_all_day_private_series_keeps_its_dates(strict: Strict) -> None:
    activity = stored(
        calendar(
            event(
                "DTSTART;VALUE=DATE:20240301",
                "DTEND;VALUE=DATE:20240302",
                "RRULE:FREQ=WEEKLY;COUNT=4",
                "EXDATE;VALUE=DATE:20240308",
                "SUMMARY:CANARY-SUMMARY",
                "CLASS:PRIVATE",
            )
        )
    )
    assert activity.ical is not None
    masked = render_masked(activity, MASKING_KEY)
    strict(masked)
    assert "DTSTART;VALUE=DATE:20240301\r\n" in masked
    assert "EXDATE;VALUE=DATE:20240308\r\n" in masked
    assert busy_times(masked) == busy_times(activity.ical)


def test_a_private_occurrence_of_a_public_series_is_busy_time_only(strict: Strict) -> None:
    activity = stored(
        calendar(
            SECRET_ZONE,
            event(
                "DTSTART:20240102T080000Z",
                "DTEND:20240102T090000Z",
                "RRULE:FREQ=WEEKLY;COUNT=10",
                "SUMMARY:Weekly sync",
                "BEGIN:VALARM",
                "ACTION:DISPLAY",
                "TRIGGER:-PT5M",
                "DESCRIPTION:CANARY-ALARM",
                "END:VALARM",
            ),
            event(
                "RECURRENCE-ID:20240109T080000Z",
                f"DTSTART;{ZONED}:20240109T140000",
                f"DTEND;{ZONED}:20240109T150000",
                "SUMMARY:CANARY-SUMMARY",
                "DESCRIPTION:CANARY-DESC",
                "LOCATION:CANARY-LOC",
                "ATTENDEE:mailto:canary@example.com",
                "X-SECRET:CANARY-X",
                "CLASS:CONFIDENTIAL",
            ),
        )
    )
    assert not activity.private and activity.ical is not None
    view = colleague_view(activity.ical)
    strict(view)
    assert "CANARY" not in view.upper() and "SECRETTEXT" not in view.upper()
    assert "VTIMEZONE" not in view and "VALARM" not in view
    assert "SUMMARY:Weekly sync" in view and f"UID:{activity.uid}" in view
    assert "DTSTART:20240109T130000Z\r\nDTEND:20240109T140000Z\r\n" in view
    assert busy_times(view) == busy_times(activity.ical)


def test_a_text_without_private_components_is_only_stripped_of_alarms() -> None:
    text = stored(calendar(SECRET_ZONE, event(f"DTSTART;{ZONED}:20240102T090000"))).ical
    assert text is not None
    assert colleague_view(text) == text


def test_an_override_of_this_and_future_occurrences_keeps_its_range() -> None:
    activity = stored(
        calendar(
            event(
                "DTSTART:20240102T080000Z",
                "DTEND:20240102T090000Z",
                "RRULE:FREQ=WEEKLY;COUNT=10",
                "CLASS:PRIVATE",
            ),
            event(
                "RECURRENCE-ID;RANGE=THISANDFUTURE;X-P=CANARY:20240109T080000Z",
                "DTSTART:20240109T100000Z",
                "DTEND:20240109T110000Z",
                "CLASS:PRIVATE",
            ),
        )
    )
    masked = render_masked(activity, MASKING_KEY)
    assert "RECURRENCE-ID;RANGE=THISANDFUTURE:20240109T080000Z\r\n" in masked
    assert "CANARY" not in masked


def test_floating_times_are_read_as_utc_like_the_series_start() -> None:
    activity = stored(
        calendar(
            event(
                "DTSTART:20240102T080000",
                "RRULE:FREQ=WEEKLY;COUNT=3",
                "EXDATE:20240109T080000",
                "CLASS:PRIVATE",
            )
        )
    )
    masked = render_masked(activity, MASKING_KEY)
    assert "DTSTART:20240102T080000Z\r\n" in masked
    assert "EXDATE:20240109T080000Z\r\n" in masked
