"""The occurrence index answers time-range queries exactly as Radicale's own filter does."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import vobject
from hypothesis import given, settings
from hypothesis import strategies as st
from radicale.item import filter as radicale_filter

from plugins.storage.occurrences import index

NOW = dt.datetime(2026, 11, 24, tzinfo=dt.UTC)
BASE = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def _series(
    freq: str, count: int | None, minutes: int, exdate: int | None, moved: int | None
) -> str:
    rule = f"FREQ={freq}" + (f";COUNT={count}" if count else "")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//tests//EN",
        "BEGIN:VEVENT",
        "UID:series@test",
        "DTSTAMP:20261101T000000Z",
        f"DTSTART:{BASE:%Y%m%dT%H%M%SZ}",
        f"DTEND:{BASE + dt.timedelta(minutes=minutes):%Y%m%dT%H%M%SZ}",
        f"RRULE:{rule}",
        "SUMMARY:Series",
    ]
    step = dt.timedelta(days=1 if freq == "DAILY" else 7)
    if exdate is not None:
        lines.append(f"EXDATE:{BASE + exdate * step:%Y%m%dT%H%M%SZ}")
    lines.append("END:VEVENT")
    if moved is not None:
        original = BASE + moved * step
        lines += [
            "BEGIN:VEVENT",
            "UID:series@test",
            "DTSTAMP:20261101T000000Z",
            f"RECURRENCE-ID:{original:%Y%m%dT%H%M%SZ}",
            f"DTSTART:{original + dt.timedelta(hours=30):%Y%m%dT%H%M%SZ}",
            f"DTEND:{original + dt.timedelta(hours=31):%Y%m%dT%H%M%SZ}",
            "SUMMARY:Moved",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def _radicale_says(text: str, start: dt.datetime, end: dt.datetime) -> bool:
    time_range = ET.Element(
        "{urn:ietf:params:xml:ns:caldav}time-range",
        start=f"{start:%Y%m%dT%H%M%SZ}",
        end=f"{end:%Y%m%dT%H%M%SZ}",
    )
    parsed = vobject.readOne(text)
    return radicale_filter.time_range_match(parsed, time_range, "VEVENT", None)


@settings(max_examples=150, deadline=None)
@given(
    freq=st.sampled_from(["DAILY", "WEEKLY"]),
    count=st.one_of(st.none(), st.integers(min_value=1, max_value=40)),
    minutes=st.sampled_from([0, 30, 60, 24 * 60 + 30]),
    exdate=st.one_of(st.none(), st.integers(min_value=0, max_value=10)),
    moved=st.one_of(st.none(), st.integers(min_value=1, max_value=10)),
    offset_hours=st.integers(min_value=-24 * 10, max_value=24 * 400),
    length_hours=st.integers(min_value=1, max_value=24 * 9),
)
def test_the_index_agrees_with_radicale(
    freq: str,
    count: int | None,
    minutes: int,
    exdate: int | None,
    moved: int | None,
    offset_hours: int,
    length_hours: int,
) -> None:
    text = _series(freq, count, minutes, exdate, moved)
    start = BASE + dt.timedelta(hours=offset_hours)
    end = start + dt.timedelta(hours=length_hours)
    answer = index(vobject.readOne(text), NOW).overlaps(start.timestamp(), end.timestamp())
    if answer is not None:
        assert answer == _radicale_says(text, start, end)


def test_an_open_rule_is_known_up_to_the_horizon_only() -> None:
    occurrences = index(vobject.readOne(_series("DAILY", None, 30, None, None)), NOW)
    week = BASE + dt.timedelta(days=70)
    assert occurrences.overlaps(week.timestamp(), (week + dt.timedelta(days=7)).timestamp())
    far = NOW + dt.timedelta(days=20 * 365)
    assert occurrences.overlaps(far.timestamp(), (far + dt.timedelta(days=1)).timestamp()) is None
