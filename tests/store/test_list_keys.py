"""The list key orders activities as the lists show them, and `key_at` bounds start times."""

from __future__ import annotations

import datetime as dt

from bridge.store.list_keys import UNDATED, due_of, key_at, list_key

DAY = dt.date(2026, 12, 7)


def test_a_day_lists_all_day_first_then_by_time_and_undated_last() -> None:
    keys = [
        list_key(DAY - dt.timedelta(days=1), dt.time(23, 59, 59)),
        list_key(DAY, None),
        list_key(DAY, dt.time(0, 0)),
        list_key(DAY, dt.time(9, 30)),
        list_key(DAY + dt.timedelta(days=1), None),
        list_key(dt.date.max, dt.time(23, 59, 59)),
        list_key(None, None),
    ]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)
    assert keys[-1] == UNDATED


def _start(due_date: dt.date, due_time: dt.time | None) -> dt.datetime:
    return dt.datetime.combine(due_date, due_time or dt.time(), dt.UTC)


def test_key_at_admits_exactly_the_activities_starting_then_or_later() -> None:
    dues = [(DAY, None), (DAY, dt.time(0, 0)), (DAY, dt.time(9, 30)), (DAY, dt.time(9, 31))]
    moments = [
        dt.datetime(2026, 12, 7, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 7, 9, 30, 0, 1, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 7, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))),
    ]
    for moment in moments:
        for due in dues:
            assert (list_key(*due) >= key_at(moment)) == (_start(*due) >= moment), (moment, due)


def test_a_key_gives_back_its_due_date_and_time() -> None:
    for due in [(DAY, None), (DAY, dt.time(0, 0)), (DAY, dt.time(23, 59, 59)), (None, None)]:
        assert due_of(list_key(*due)) == due
