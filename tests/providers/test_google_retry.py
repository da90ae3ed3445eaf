"""Rate limits, outages, dropped connections: what the Google provider retries and how long."""

from __future__ import annotations

import datetime as dt

import pytest

from bridge.providers import RateLimited, TemporaryFailure
from bridge.providers.google.provider import GoogleCalendarProvider
from bridge.providers.http import RetryPolicy, retry_after_seconds
from tests.emulators.google_calendar import Fault, GoogleEmulator
from tests.providers.google_provider_samples import CALENDAR, ProviderFactory, draft

WINDOW = (dt.datetime(2024, 1, 1, tzinfo=dt.UTC), dt.datetime(2024, 2, 1, tzinfo=dt.UTC))


def test_429_is_retried_after_the_seconds_retry_after_names(
    google: GoogleEmulator, provider: GoogleCalendarProvider, sleeps: list[float]
) -> None:
    google.inject(Fault.too_many_requests(retry_after=7))

    created = provider.create(CALENDAR, draft(1), "activity-1")

    assert sleeps == [7.0]
    assert list(google.state.events(CALENDAR)) == [created.id]


def test_403_rate_limit_without_retry_after_backs_off_exponentially(
    google: GoogleEmulator, provider: GoogleCalendarProvider, sleeps: list[float]
) -> None:
    google.inject(Fault.rate_limit_exceeded("userRateLimitExceeded", times=2))

    assert provider.list_changes(CALENDAR, None, WINDOW).full_listing

    assert sleeps == [0.75, 1.5]  # half the ceiling plus jitter 0.5 of the other half


def test_500_is_retried_then_succeeds(
    google: GoogleEmulator, provider: GoogleCalendarProvider, sleeps: list[float]
) -> None:
    google.inject(Fault.backend_error(path="/calendarList"))

    assert provider.list_calendars()[0].id == CALENDAR
    assert len(sleeps) == 1
    assert google.requests["calendar.calendarList.list"] == 2


def test_a_dropped_connection_is_retried(
    google: GoogleEmulator, provider: GoogleCalendarProvider, sleeps: list[float]
) -> None:
    google.inject(Fault.dropped_connection(path="/events"))

    created = provider.create(CALENDAR, draft(2), "activity-2")

    assert len(sleeps) == 1
    assert list(google.state.events(CALENDAR)) == [created.id]


def test_retries_stop_after_the_policy_s_attempts(
    google: GoogleEmulator, connect: ProviderFactory, sleeps: list[float]
) -> None:
    provider = connect(retry=RetryPolicy(attempts=3, sleep=sleeps.append, jitter=lambda: 0.0))
    google.inject(Fault.backend_error(times=5))

    with pytest.raises(TemporaryFailure):
        provider.list_calendars()
    assert sleeps == [0.5, 1.0]


def test_a_retry_after_longer_than_the_wait_budget_goes_to_the_caller(
    google: GoogleEmulator, connect: ProviderFactory, sleeps: list[float]
) -> None:
    provider = connect(retry=RetryPolicy(max_total_wait=60, sleep=sleeps.append))
    google.inject(Fault.too_many_requests(retry_after=3600))

    with pytest.raises(RateLimited) as raised:
        provider.list_calendars()
    assert raised.value.retry_after == 3600
    assert sleeps == []


def test_retry_after_is_seconds_or_an_http_date() -> None:
    now = dt.datetime(2024, 1, 8, 9, 0, tzinfo=dt.UTC)

    assert retry_after_seconds("120", now) == 120
    assert retry_after_seconds("Mon, 08 Jan 2024 09:00:30 GMT", now) == 30
    assert retry_after_seconds("Mon, 08 Jan 2024 08:00:00 GMT", now) == 0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None
