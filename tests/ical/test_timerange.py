"""Time ranges for SQL prefilters: never narrower than Radicale's own."""

from __future__ import annotations

import datetime as dt

import pytest
import vobject
from radicale.item import find_tag, find_time_range
from radicale.item.filter import TIMESTAMP_MAX, TIMESTAMP_MIN

from bridge.domain import Activity, ActivityType
from bridge.ical.errors import ICalError
from bridge.ical.render import render
from bridge.ical.timerange import activity_time_range, is_recurring, time_range
from tests.ical.ical_samples import MEETING, TASK, calendar, event


def radicale_range(text: str) -> tuple[int, int]:
    item = vobject.readOne(text)
    return find_time_range(item, find_tag(item))


def covers(outer: tuple[int, int], inner: tuple[int, int]) -> bool:
    return outer[0] <= inner[0] and inner[1] <= outer[1]


SAMPLES = [
    calendar(event("DTSTART:20240105T100000Z", "DTEND:20240105T110000Z")),
    calendar(event("DTSTART;VALUE=DATE:20240105")),
    calendar(event("DTSTART:20240105T100000Z", "RRULE:FREQ=DAILY")),
    calendar(event("DTSTART:20240105T100000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY;COUNT=3")),
    calendar(event("DUE:20240105T100000Z", kind="VTODO")),
    calendar(event(kind="VTODO")),
]


@pytest.mark.parametrize("text", SAMPLES)
def test_time_range_matches_radicale(text: str) -> None:
    assert time_range(text) == radicale_range(text)


def test_undated_todo_spans_everything() -> None:
    undated = Activity("x", "task", 1, "u")
    assert activity_time_range(undated) == (TIMESTAMP_MIN, TIMESTAMP_MAX)
    assert time_range(render(undated, TASK)) == (TIMESTAMP_MIN, TIMESTAMP_MAX)


def test_infinite_recurrence_is_open_ended() -> None:
    assert time_range(SAMPLES[2])[1] == TIMESTAMP_MAX


@pytest.mark.parametrize("activity_type", [MEETING, TASK])
@pytest.mark.parametrize(
    ("due_time", "duration"),
    [
        (dt.time(10), None),
        (dt.time(10), dt.timedelta(0)),
        (dt.time(23, 30), dt.timedelta(hours=2)),
        (None, None),
        (None, dt.timedelta(0)),
        (None, dt.timedelta(days=3)),
        (None, dt.timedelta(hours=5)),
    ],
)
def test_activity_time_range_covers_radicale_for_rendered_text(
    activity_type: ActivityType, due_time: dt.time | None, duration: dt.timedelta | None
) -> None:
    activity = Activity(
        "x", "call", 1, "u", due_date=dt.date(2024, 3, 31), due_time=due_time, duration=duration
    )
    text = render(activity, activity_type)
    assert covers(activity_time_range(activity), radicale_range(text))


def test_is_recurring() -> None:
    assert is_recurring(SAMPLES[2])
    assert not is_recurring(SAMPLES[0])
    override = calendar(event("RECURRENCE-ID:20240105T100000Z", "DTSTART:20240105T120000Z"))
    assert is_recurring(override)
    zone_rule = calendar(
        "BEGIN:VTIMEZONE\nTZID:X\nBEGIN:STANDARD\nDTSTART:19701025T030000\n"
        "TZOFFSETFROM:+0200\nTZOFFSETTO:+0100\nRRULE:FREQ=YEARLY\nEND:STANDARD\nEND:VTIMEZONE\n",
        event("DTSTART;TZID=X:20240105T100000"),
    )
    assert not is_recurring(zone_rule)


def test_time_range_rejects_garbage() -> None:
    with pytest.raises(ICalError):
        time_range(calendar(event("SUMMARY:no start")))
