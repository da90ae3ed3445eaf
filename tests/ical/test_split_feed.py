"""Imports split into objects and feeds joined from objects, both by fast text handling."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bridge.ical.errors import ICalError
from bridge.ical.feed import feed_calendar
from bridge.ical.parse import activity_from_ical
from bridge.ical.render import render
from bridge.ical.split import split_calendar
from tests.ical.ical_samples import BERLIN, MEETING, calendar, event

Strict = Callable[[str], None]


def test_split_groups_by_uid_with_the_timezones_used(strict: Strict) -> None:
    text = calendar(
        BERLIN,
        event("DTSTART;TZID=Europe/Berlin:20240101T100000", "RRULE:FREQ=DAILY", uid="a"),
        event("DTSTART:20240102T100000Z", "SUMMARY:no zone", uid="b"),
        event(
            "RECURRENCE-ID;TZID=Europe/Berlin:20240103T100000", "DTSTART:20240103T150000Z", uid="a"
        ),
        event("DUE:20240104T100000Z", kind="VTODO", uid="c"),
    )
    parts = split_calendar(text)
    assert len(parts) == 3
    for part in parts:
        strict(part)
    first, second, third = parts
    assert first.count("BEGIN:VEVENT") == 2 and "BEGIN:VTIMEZONE" in first
    assert "BEGIN:VTIMEZONE" not in second and "UID:b" in second
    assert "BEGIN:VTODO" in third
    assert activity_from_ical(first, owner_id=1, default_type_key="meeting").uid == "a"
    assert "PRODID:-//Test//Client//EN" in first


def test_split_generates_stable_uids() -> None:
    no_uid = "BEGIN:VEVENT\nDTSTAMP:20240101T000000Z\nDTSTART:20240102T100000Z\nEND:VEVENT\n"
    other = no_uid.replace("20240102", "20240103")
    parts = split_calendar(calendar(no_uid, other, no_uid))
    assert len(parts) == 2
    assert parts == split_calendar(calendar(no_uid, other))
    uids = [activity_from_ical(p, owner_id=1, default_type_key="x").uid for p in parts]
    assert len(set(uids)) == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no VCALENDAR"),
        ("BEGIN:VEVENT\nUID:a\nEND:VEVENT\n", "other than VCALENDAR"),
        (calendar(event()).replace("END:VEVENT\n", ""), "does not close"),
        (calendar(event()).replace("END:VCALENDAR\n", ""), "never closed"),
        ("SUMMARY:loose\n" + calendar(event()), "outside"),
    ],
)
def test_split_rejects_structural_garbage(text: str, message: str) -> None:
    with pytest.raises(ICalError, match=message):
        split_calendar(text)


def test_split_handles_many_events() -> None:
    count = 2_000
    body = "".join(
        f"BEGIN:VEVENT\r\nUID:e{i}\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240101T100000Z\r\n"
        f"SUMMARY:Event {i}\r\nEND:VEVENT\r\n"
        for i in range(count)
    )
    text = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n{body}END:VCALENDAR\r\n"
    parts = split_calendar(text)
    assert len(parts) == count
    assert parts[-1].count("BEGIN:VEVENT") == 1 and f"UID:e{count - 1}" in parts[-1]


def rendered_objects(count: int) -> list[str]:
    text = calendar(
        BERLIN,
        *(
            event(f"DTSTART;TZID=Europe/Berlin:202401{1 + i % 28:02d}T100000", uid=f"e{i}")
            for i in range(count)
        ),
    )
    return [
        render(activity_from_ical(part, owner_id=1, default_type_key="meeting"), MEETING)
        for part in split_calendar(text)
    ]


def test_feed_dedupes_timezones_and_parses_strictly(strict: Strict) -> None:
    objects = rendered_objects(5)
    feed = feed_calendar(objects, "Ada's activities; all, of them")
    strict(feed)
    assert feed.count("BEGIN:VTIMEZONE") == 1
    assert feed.count("BEGIN:VEVENT") == 5
    assert "X-WR-CALNAME:Ada's activities\\; all\\, of them\r\n" in feed
    assert feed.count("BEGIN:VCALENDAR") == 1 and feed.endswith("END:VCALENDAR\r\n")
    assert feed_calendar([], "empty").count("BEGIN:V") == 1


def test_feed_joins_many_objects() -> None:
    objects = rendered_objects(100) * 10
    feed = feed_calendar(objects, "big")
    assert feed.count("BEGIN:VEVENT") == 1_000
