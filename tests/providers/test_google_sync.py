"""Listing changes through the Google provider: paging, sync tokens, recurring events."""

from __future__ import annotations

import datetime as dt

import pytest

from bridge.providers import CursorExpired
from bridge.providers.google.provider import GoogleCalendarProvider
from tests.emulators.google_calendar import GoogleEmulator
from tests.emulators.google_samples import timed_event
from tests.providers.google_provider_samples import CALENDAR, ProviderFactory

JANUARY = (dt.datetime(2024, 1, 1, tzinfo=dt.UTC), dt.datetime(2024, 2, 1, tzinfo=dt.UTC))


def test_full_listing_follows_every_page(google: GoogleEmulator, connect: ProviderFactory) -> None:
    for n in range(7):
        google.state.insert_event(CALENDAR, timed_event(f"event{n:04d}", f"2024-01-{n + 10}"))
    google.state.insert_event(CALENDAR, timed_event("event0099", "2024-06-01"))
    google.requests.reset()

    page = connect(page_size=3).list_changes(CALENDAR, None, JANUARY)

    assert page.full_listing
    assert sorted(event.id for event in page.events) == [f"event{n:04d}" for n in range(7)]
    assert google.requests["calendar.events.list"] == 3
    assert page.cursor


def test_incremental_listing_returns_only_changes_including_cancellations(
    google: GoogleEmulator, provider: GoogleCalendarProvider
) -> None:
    for n in range(3):
        google.state.insert_event(CALENDAR, timed_event(f"event{n:04d}", "2024-01-10"))
    first = provider.list_changes(CALENDAR, None, JANUARY)

    google.state.patch_event(CALENDAR, "event0000", {"summary": "Renamed"})
    google.state.delete_event(CALENDAR, "event0001")
    changes = provider.list_changes(CALENDAR, first.cursor, JANUARY)

    assert not changes.full_listing
    by_id = {event.id: event for event in changes.events}
    assert sorted(by_id) == ["event0000", "event0001"]
    assert (by_id["event0000"].summary, by_id["event0000"].status) == ("Renamed", "confirmed")
    assert by_id["event0001"].status == "cancelled"
    assert provider.list_changes(CALENDAR, changes.cursor, JANUARY).events == ()


def test_expired_sync_token_is_cursor_expired(
    google: GoogleEmulator, provider: GoogleCalendarProvider
) -> None:
    cursor = provider.list_changes(CALENDAR, None, JANUARY).cursor
    google.state.expire_sync_tokens(CALENDAR)

    with pytest.raises(CursorExpired):
        provider.list_changes(CALENDAR, cursor, JANUARY)


def test_a_cursor_of_another_calendar_or_provider_is_cursor_expired(
    google: GoogleEmulator, provider: GoogleCalendarProvider
) -> None:
    google.state.add_calendar(CALENDAR, "team@group.calendar.google.com", "Team")
    cursor = provider.list_changes(CALENDAR, None, JANUARY).cursor

    with pytest.raises(CursorExpired):
        provider.list_changes("team@group.calendar.google.com", cursor, JANUARY)
    with pytest.raises(CursorExpired):
        provider.list_changes(CALENDAR, "caldav-sync-token-17", JANUARY)


def test_a_window_beyond_what_the_cursor_covered_gets_a_full_listing(
    google: GoogleEmulator, connect: ProviderFactory
) -> None:
    provider = connect(window_margin=dt.timedelta(days=7))
    google.state.insert_event(CALENDAR, timed_event("event0000", "2024-02-05"))
    google.state.insert_event(CALENDAR, timed_event("event0001", "2024-02-20"))
    first = provider.list_changes(CALENDAR, None, JANUARY)
    assert [event.id for event in first.events] == ["event0000"]  # inside the margin

    three_days_on = (JANUARY[0], JANUARY[1] + dt.timedelta(days=3))
    assert not provider.list_changes(CALENDAR, first.cursor, three_days_on).full_listing

    a_month_on = (JANUARY[0], JANUARY[1] + dt.timedelta(days=30))
    moved = provider.list_changes(CALENDAR, first.cursor, a_month_on)
    assert moved.full_listing
    assert sorted(event.id for event in moved.events) == ["event0000", "event0001"]


def test_recurring_event_comes_as_its_occurrences_inside_the_window(
    google: GoogleEmulator, connect: ProviderFactory
) -> None:
    google.state.insert_event(
        CALENDAR,
        {
            "id": "standup1",
            "summary": "Standup",
            "start": {"dateTime": "2024-01-08T10:00:00", "timeZone": "Europe/Berlin"},
            "end": {"dateTime": "2024-01-08T10:30:00", "timeZone": "Europe/Berlin"},
            "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=4"],
        },
    )
    window = (dt.datetime(2024, 1, 14, tzinfo=dt.UTC), dt.datetime(2024, 1, 24, tzinfo=dt.UTC))

    page = connect(window_margin=dt.timedelta(0)).list_changes(CALENDAR, None, window)

    occurrences = sorted(page.events, key=lambda event: event.start)
    assert [(e.id, e.recurrence_id) for e in occurrences] == [
        ("standup1_20240115T090000Z", "20240115T090000Z"),
        ("standup1_20240122T090000Z", "20240122T090000Z"),
    ]
    assert {e.uid for e in occurrences} == {"standup1@google.com"}
    assert occurrences[1].start == dt.datetime(2024, 1, 22, 9, tzinfo=dt.UTC)


def test_one_cancelled_occurrence_arrives_as_a_cancelled_occurrence(
    google: GoogleEmulator, provider: GoogleCalendarProvider
) -> None:
    google.state.insert_event(
        CALENDAR,
        {
            "id": "offsite1",
            "start": {"date": "2024-01-10"},
            "end": {"date": "2024-01-11"},
            "recurrence": ["RRULE:FREQ=DAILY;COUNT=3"],
        },
    )
    cursor = provider.list_changes(CALENDAR, None, JANUARY).cursor
    google.state.delete_event(CALENDAR, "offsite1_20240111")

    changes = provider.list_changes(CALENDAR, cursor, JANUARY).events

    assert [(e.id, e.recurrence_id, e.status) for e in changes] == [
        ("offsite1_20240111", "20240111", "cancelled")
    ]


def test_html_descriptions_written_in_google_arrive_as_plain_text(
    google: GoogleEmulator, provider: GoogleCalendarProvider
) -> None:
    html = "Agenda:<br>1. <b>Budget</b> &amp; plan<br>2. Next steps"
    google.state.insert_event(CALENDAR, timed_event("event0000", description=html))
    google.state.insert_event(CALENDAR, timed_event("event0001", description="a < b > c"))

    events = provider.list_changes(CALENDAR, None, JANUARY).events

    assert [e.description for e in events] == [
        "Agenda:\n1. Budget & plan\n2. Next steps",
        "a < b > c",
    ]
