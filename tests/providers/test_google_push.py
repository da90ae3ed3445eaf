"""Push channels through the Google provider: events.watch and channels.stop at the emulator."""

from __future__ import annotations

import datetime as dt

import pytest

from bridge.providers import NotFound, SupportsPush
from bridge.providers.caldav.provider import CalDavCalendarProvider
from bridge.providers.google.provider import GoogleCalendarProvider
from tests.emulators.google_calendar import GoogleEmulator
from tests.providers.google_provider_samples import CALENDAR
from tests.servers import free_port

TWO_DAYS = dt.timedelta(days=2)


@pytest.fixture
def address() -> str:
    """Where notifications go: nobody listens there, which the emulator only records."""
    return f"http://127.0.0.1:{free_port()}/webhooks/google"


def test_only_google_supports_push(provider: GoogleCalendarProvider) -> None:
    assert isinstance(provider, SupportsPush)
    assert not issubclass(CalDavCalendarProvider, SupportsPush)


def test_watch_opens_a_channel_with_the_given_id_token_address_and_lifetime(
    google: GoogleEmulator, provider: GoogleCalendarProvider, address: str
) -> None:
    before = dt.datetime.now(dt.UTC)

    watched = provider.watch(CALENDAR, address, "channel-1", "token-1", TWO_DAYS)

    channel = google.state.channels["channel-1"]
    assert (channel.calendar_id, channel.address, channel.token) == (CALENDAR, address, "token-1")
    assert watched.channel_id == "channel-1"
    assert watched.resource_id == channel.resource_id
    assert watched.expires_at == channel.expiration
    assert before + TWO_DAYS - dt.timedelta(seconds=1) <= watched.expires_at
    assert watched.expires_at <= dt.datetime.now(dt.UTC) + TWO_DAYS
    assert google.requests["calendar.events.watch"] == 1


def test_stop_watch_closes_the_channel_and_a_gone_channel_counts_as_stopped(
    google: GoogleEmulator, provider: GoogleCalendarProvider, address: str
) -> None:
    watched = provider.watch(CALENDAR, address, "channel-1", "token-1", TWO_DAYS)

    provider.stop_watch(watched.channel_id, watched.resource_id)
    assert google.state.channels == {}

    provider.stop_watch(watched.channel_id, watched.resource_id)
    assert google.requests["calendar.channels.stop"] == 2


def test_watching_a_calendar_that_is_gone_is_not_found(
    google: GoogleEmulator, provider: GoogleCalendarProvider, address: str
) -> None:
    with pytest.raises(NotFound):
        provider.watch("gone@group.calendar.google.com", address, "channel-1", "t", TWO_DAYS)
    assert google.state.channels == {}
