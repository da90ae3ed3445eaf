"""Creating, updating and deleting events through the Google provider, against the emulator."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bridge.domain import Attendee
from bridge.providers import ItemRejected, NotFound, PreconditionFailed
from bridge.providers.google.provider import GoogleCalendarProvider
from tests.emulators.google_calendar import GoogleEmulator
from tests.providers.google_provider_samples import CALENDAR, draft


def test_create_twice_with_one_key_makes_one_event_and_sends_no_mail(
    google: GoogleEmulator, provider: GoogleCalendarProvider
) -> None:
    first = provider.create(CALENDAR, draft(7), "activity-7-create-1")
    again = provider.create(CALENDAR, draft(7), "activity-7-create-1")

    assert again == first
    assert list(google.state.events(CALENDAR)) == [first.id]
    assert [(w.method, w.send_updates) for w in google.state.writes] == [("insert", "none")]


def test_stamp_and_fields_round_trip(provider: GoogleCalendarProvider) -> None:
    sent = draft(
        42,
        private=True,
        busy=False,
        attendees=(Attendee("ada@example.com", "Ada", "ACCEPTED"),),
    )

    created = provider.create(CALENDAR, sent, "activity-42")
    listed = provider.list_changes(CALENDAR, None, (sent.start, sent.end)).events

    assert listed == (created,)
    assert created.activity_stamp == 42
    assert (created.summary, created.description, created.location) == (
        sent.summary,
        sent.description,
        sent.location,
    )
    assert (created.start, created.end, created.all_day) == (sent.start, sent.end, False)
    assert (created.private, created.busy, created.status) == (True, False, "confirmed")
    assert created.attendees == sent.attendees
    assert created.uid and created.recurrence_id is None
    assert created.updated.tzinfo == dt.UTC


def test_all_day_draft_becomes_a_date_event(provider: GoogleCalendarProvider) -> None:
    day = dt.date(2024, 3, 1)
    sent = draft(3, start=day, end=day + dt.timedelta(days=1), all_day=True)

    created = provider.create(CALENDAR, sent, "activity-3")

    assert (created.start, created.end, created.all_day) == (day, dt.date(2024, 3, 2), True)


def test_update_with_the_current_etag_patches_and_a_stale_one_is_refused(
    google: GoogleEmulator, provider: GoogleCalendarProvider
) -> None:
    created = provider.create(CALENDAR, draft(5), "activity-5")
    renamed = provider.update(CALENDAR, created.id, draft(5, summary="Renamed"), created.etag)
    assert renamed.summary == "Renamed"
    assert renamed.etag != created.etag

    with pytest.raises(PreconditionFailed):
        provider.update(CALENDAR, created.id, draft(5, summary="Stale"), created.etag)
    assert google.state.events(CALENDAR)[created.id]["summary"] == "Renamed"
    assert {w.send_updates for w in google.state.writes} == {"none"}


def test_update_keeps_what_the_owner_set_in_google_and_can_switch_to_all_day(
    google: GoogleEmulator, provider: GoogleCalendarProvider
) -> None:
    created = provider.create(CALENDAR, draft(6), "activity-6")
    owned = google.state.patch_event(CALENDAR, created.id, {"colorId": "5"})
    day = dt.date(2024, 1, 13)
    all_day = draft(6, start=day, end=day + dt.timedelta(days=1), all_day=True)

    updated = provider.update(CALENDAR, created.id, all_day, owned["etag"])

    assert (updated.start, updated.all_day, updated.activity_stamp) == (day, True, 6)
    assert google.state.events(CALENDAR)[created.id]["colorId"] == "5"


def test_update_of_an_event_deleted_in_google_is_not_found(
    google: GoogleEmulator, provider: GoogleCalendarProvider
) -> None:
    created = provider.create(CALENDAR, draft(8), "activity-8")
    google.state.delete_event(CALENDAR, created.id)
    etag = google.state.events(CALENDAR)[created.id]["etag"]

    with pytest.raises(NotFound):
        provider.update(CALENDAR, created.id, draft(8), etag)
    with pytest.raises(NotFound):
        provider.update(CALENDAR, "nosuchevent1", draft(8), etag)


def test_delete_is_done_also_when_the_event_is_already_gone(
    google: GoogleEmulator, provider: GoogleCalendarProvider
) -> None:
    created = provider.create(CALENDAR, draft(9), "activity-9")

    provider.delete(CALENDAR, created.id, created.etag)
    provider.delete(CALENDAR, created.id, created.etag)
    provider.delete(CALENDAR, "nosuchevent1", None)

    assert google.state.events(CALENDAR)[created.id]["status"] == "cancelled"
    assert [w.send_updates for w in google.state.writes if w.method == "delete"] == ["none"]


def test_delete_with_a_stale_etag_is_refused(
    google: GoogleEmulator, provider: GoogleCalendarProvider
) -> None:
    created = provider.create(CALENDAR, draft(10), "activity-10")
    google.state.patch_event(CALENDAR, created.id, {"summary": "Edited in Google"})

    with pytest.raises(PreconditionFailed):
        provider.delete(CALENDAR, created.id, created.etag)
    assert google.state.events(CALENDAR)[created.id]["status"] == "confirmed"


def test_a_draft_google_refuses_is_item_rejected(provider: GoogleCalendarProvider) -> None:
    backwards = draft(11)
    backwards = dataclasses.replace(backwards, end=backwards.start - dt.timedelta(hours=1))

    with pytest.raises(ItemRejected, match="timeRangeEmpty"):
        provider.create(CALENDAR, backwards, "activity-11")


def test_events_of_a_missing_calendar_are_not_found(provider: GoogleCalendarProvider) -> None:
    with pytest.raises(NotFound):
        provider.create("nobody@example.com", draft(12), "activity-12")


def test_calendars_list_primary_first(
    google: GoogleEmulator, provider: GoogleCalendarProvider
) -> None:
    google.state.add_calendar(CALENDAR, "team@group.calendar.google.com", "Team")

    calendars = provider.list_calendars()

    assert [(c.id, c.name, c.primary) for c in calendars] == [
        (CALENDAR, CALENDAR, True),
        ("team@group.calendar.google.com", "Team", False),
    ]
