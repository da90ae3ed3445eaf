"""The one UTC conversion every layer uses: naive means UTC, aware is converted."""

from __future__ import annotations

import datetime as dt

from bridge.ical.times import utc, utc_aware, utc_seconds

BERLIN_SUMMER = dt.timezone(dt.timedelta(hours=2))


def test_a_naive_datetime_is_taken_to_be_utc_already() -> None:
    naive = dt.datetime(2026, 6, 1, 9, 30, 15, 250)

    assert utc(naive) == dt.datetime(2026, 6, 1, 9, 30, 15, 250, tzinfo=dt.UTC)


def test_an_aware_datetime_is_converted_and_keeps_its_microseconds() -> None:
    aware = dt.datetime(2026, 6, 1, 11, 30, 15, 250, tzinfo=BERLIN_SUMMER)

    assert utc(aware) == dt.datetime(2026, 6, 1, 9, 30, 15, 250, tzinfo=dt.UTC)
    assert utc(aware).tzinfo is dt.UTC


def test_the_store_variant_lets_none_through_and_reads_naive_rows_as_utc() -> None:
    assert utc_aware(None) is None
    assert utc_aware(dt.datetime(2026, 6, 1, 9, 30, 0, 7)) == dt.datetime(
        2026, 6, 1, 9, 30, 0, 7, tzinfo=dt.UTC
    )
    assert utc_aware(dt.datetime(2026, 6, 1, 11, 30, tzinfo=BERLIN_SUMMER)) == dt.datetime(
        2026, 6, 1, 9, 30, tzinfo=dt.UTC
    )


def test_whole_seconds_drop_the_fraction_and_dates_become_midnight() -> None:
    aware = dt.datetime(2026, 6, 1, 11, 30, 15, 999_999, tzinfo=BERLIN_SUMMER)

    assert utc_seconds(aware) == dt.datetime(2026, 6, 1, 9, 30, 15, tzinfo=dt.UTC)
    assert utc_seconds(dt.date(2026, 6, 1)) == dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
