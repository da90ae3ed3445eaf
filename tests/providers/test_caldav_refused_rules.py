"""A series on a CalDAV server whose rule CalDAV would refuse is skipped, never expanded."""

from __future__ import annotations

import datetime as dt

import pytest

from bridge.providers.caldav.ids import StoredObject
from bridge.providers.caldav.series import object_events

WINDOW = (dt.datetime(2030, 1, 1, tzinfo=dt.UTC), dt.datetime(2030, 3, 1, tzinfo=dt.UTC))


def _series(rule: str) -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:s@other\r\n"
        "DTSTAMP:20260101T000000Z\r\nDTSTART:20300105T100000Z\r\nDTEND:20300105T110000Z\r\n"
        f"RRULE:{rule}\r\nSUMMARY:Series\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


@pytest.mark.parametrize("rule", ["FREQ=DAILY;INTERVAL=0", "FREQ=SECONDLY"])
def test_a_series_with_a_refused_rule_is_skipped(rule: str) -> None:
    stored = StoredObject("/cal/s.ics", '"1"', _series(rule))
    assert object_events(stored, WINDOW, any_time=False) == []


def test_a_sane_series_is_still_expanded() -> None:
    stored = StoredObject("/cal/s.ics", '"1"', _series("FREQ=WEEKLY;COUNT=3"))
    assert len(object_events(stored, WINDOW, any_time=False)) == 3
