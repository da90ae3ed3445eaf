"""Pushing many events through Google's batch endpoint."""

from __future__ import annotations

import dataclasses
import datetime as dt

from bridge.providers import ExternalEvent, ItemRejected
from bridge.providers.google.provider import GoogleCalendarProvider
from tests.emulators.google_calendar import Fault, GoogleEmulator
from tests.providers.google_provider_samples import CALENDAR, draft


def test_120_creates_take_3_batch_requests(
    google: GoogleEmulator, provider: GoogleCalendarProvider
) -> None:
    drafts = {f"activity-{n}": draft(n) for n in range(1, 121)}
    google.requests.reset()

    results = provider.create_many(CALENDAR, drafts)

    assert google.requests["batch"] == 3
    assert google.requests_total == 3
    assert google.requests.batched["calendar.events.insert"] == 120
    events = list(results.values())
    assert all(isinstance(event, ExternalEvent) for event in events)
    assert sorted(event.activity_stamp for event in events) == list(range(1, 121))
    assert len(google.state.events(CALENDAR)) == 120
    assert {write.send_updates for write in google.state.writes} == {"none"}


def test_pushing_again_returns_the_events_already_created(
    google: GoogleEmulator, provider: GoogleCalendarProvider
) -> None:
    drafts = {f"activity-{n}": draft(n) for n in range(1, 4)}
    first = provider.create_many(CALENDAR, drafts)

    again = provider.create_many(CALENDAR, drafts)

    assert again == first
    assert len(google.state.events(CALENDAR)) == 3
    assert google.requests.batched["calendar.events.get"] == 3


def test_each_part_fails_or_is_retried_on_its_own(
    google: GoogleEmulator, provider: GoogleCalendarProvider, sleeps: list[float]
) -> None:
    good = draft(1)
    backwards = dataclasses.replace(draft(2), end=good.start - dt.timedelta(hours=1))
    google.inject(Fault.too_many_requests(retry_after=2, path=r"/events$"))

    results = provider.create_many(CALENDAR, {"a": good, "b": backwards, "c": draft(3)})

    assert isinstance(results["a"], ExternalEvent)  # 429 at first, created on the retry
    assert isinstance(results["b"], ItemRejected)
    assert isinstance(results["c"], ExternalEvent)
    assert sleeps == [2.0]
    assert google.requests["batch"] == 2
    assert len(google.state.events(CALENDAR)) == 2


def test_parts_whose_token_expired_are_sent_again_after_one_renewal(
    google: GoogleEmulator, provider: GoogleCalendarProvider
) -> None:
    provider.list_calendars()
    google.state.clock.advance(3600)
    google.requests.reset()

    results = provider.create_many(CALENDAR, {"a": draft(1), "b": draft(2)})

    assert all(isinstance(event, ExternalEvent) for event in results.values())
    assert google.requests["oauth.token"] == 1
    assert google.requests["batch"] == 2
