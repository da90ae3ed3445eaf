"""Recurrence rules: which are refused, and walks over stored ones that always end."""

from __future__ import annotations

import datetime as dt

import pytest
from radicale.item.filter import TIMESTAMP_MAX, visit_time_ranges

from bridge.ical.errors import ICalError
from bridge.ical.parse import activity_from_ical
from bridge.ical.recurrence import check_rule, refused_rule
from bridge.ical.timerange import time_range
from bridge.ical.walks import MAX_WALK, read_bounded


def _event(rule: str, start: str = "19900101T100000Z") -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:r@t\r\n"
        f"DTSTAMP:20260101T000000Z\r\nDTSTART:{start}\r\nDURATION:PT1H\r\n"
        f"RRULE:{rule}\r\nSUMMARY:Series\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;UNTIL=20301231T000000Z",
        "FREQ=MONTHLY;BYDAY=-1FR;COUNT=12",
        "FREQ=YEARLY;BYMONTH=3;BYDAY=2SU;BYWEEKNO=10",
        "FREQ=MINUTELY;INTERVAL=15;BYSECOND=0",
        "FREQ=HOURLY;BYMINUTE=0,30;X-VENDOR=1",
        "FREQ=MONTHLY;BYMONTHDAY=-1;BYSETPOS=1;WKST=SU",
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29",
        "FREQ=HOURLY;BYDAY=FR;BYMONTHDAY=13",
        "FREQ=MINUTELY;BYYEARDAY=-1;BYMONTHDAY=31;BYMONTH=12",
    ],
)
def test_sane_rules_pass(rule: str) -> None:
    check_rule(rule)


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;INTERVAL=0",
        "FREQ=DAILY;INTERVAL=-1",
        "FREQ=DAILY;INTERVAL=99999999999999999999",
        "FREQ=SECONDLY",
        "FREQ=MINUTELY;BYSECOND=0,30",
        "FREQ=DAILY;COUNT=0",
        "FREQ=DAILY;COUNT=5;UNTIL=20300101",
        "FREQ=DAILY;FREQ=WEEKLY",
        "FREQ=FORTNIGHTLY",
        "INTERVAL=2",
        "FREQ=DAILY;BYHOUR=24",
        "FREQ=DAILY;BYMONTHDAY=0",
        "FREQ=DAILY;BYDAY=XX",
        "FREQ=DAILY;BYDAY=60MO",
        "FREQ=DAILY;UNTIL=20301399",
        "FREQ=DAILY;BYWEEKNO=1",
        "FREQ=MINUTELY;BYSETPOS=366",
        "FREQ=DAILY;NONSENSE=1",
        "FREQ=DAILY;INTERVAL",
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=MINUTELY;BYYEARDAY=366;BYMONTHDAY=1",
        "FREQ=HOURLY;BYMONTH=4;BYMONTHDAY=-31",
        "FREQ=DAILY;BYDAY=1MO",
    ],
)
def test_dangerous_or_malformed_rules_are_refused(rule: str) -> None:
    with pytest.raises(ICalError):
        check_rule(rule)
    assert refused_rule(_event(rule))


def test_rules_inside_time_zones_are_checked() -> None:
    text = _event("FREQ=DAILY").replace(
        "BEGIN:VEVENT",
        "BEGIN:VTIMEZONE\r\nTZID:X\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\n"
        "RRULE:FREQ=YEARLY;INTERVAL=0\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
        "END:STANDARD\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT",
    )
    assert refused_rule(text)


def test_text_that_is_not_icalendar_is_left_to_the_parser() -> None:
    assert refused_rule("BEGIN:VCALENDAR\r\n") is None


def test_activity_from_ical_refuses_a_rule_that_never_advances() -> None:
    with pytest.raises(ICalError, match="INTERVAL"):
        activity_from_ical(_event("FREQ=DAILY;INTERVAL=0"), owner_id=1, default_type_key="meeting")


def _visits(text: str) -> int:
    visited = 0

    def visit(_start: dt.datetime, _end: dt.datetime, _recurrence: bool) -> bool:
        nonlocal visited
        visited += 1
        return False

    visit_time_ranges(read_bounded(text), "VEVENT", visit, lambda _start: False)
    return visited


def test_a_stored_rule_that_never_advances_is_seen_once() -> None:
    assert _visits(_event("FREQ=DAILY;INTERVAL=0")) == 1
    assert _visits(_event("FREQ=SECONDLY")) == 1


def test_walks_end_at_the_bound() -> None:
    assert _visits(_event("FREQ=MINUTELY")) == MAX_WALK
    exclusions = _event("FREQ=MINUTELY").replace("RRULE:", "EXRULE:FREQ=MINUTELY\r\nRRULE:")
    assert _visits(exclusions) <= 1


def test_between_stops_at_count() -> None:
    rules = read_bounded(_event("FREQ=MINUTELY", start="20300101T000000Z")).vevent.getrruleset()
    after = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    found = rules.between(after, after + dt.timedelta(days=365), inc=True, count=50)
    assert len(found) == 50


def test_a_cut_walk_widens_the_time_range() -> None:
    assert time_range(_event("FREQ=MINUTELY;COUNT=900000"))[1] == TIMESTAMP_MAX
    start, end = time_range(_event("FREQ=DAILY;COUNT=3", start="20300101T100000Z"))
    assert end - start == 2 * 86400 + 3600
