"""The provider contract, run against the Google provider and the Google Calendar emulator.

The emulator's state hooks play the calendar's owner and Google itself.
Google full listings reach `window_margin` past the window (the provider
documents it), so the world declares that margin to the contract.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping

import pytest

from bridge.ical.times import recurrence_text
from bridge.providers import ExternalEvent
from bridge.providers.google.provider import GoogleCalendarProvider
from bridge.providers.oauth import OAuthTokens
from tests.emulators.google_calendar import Fault, GoogleEmulator
from tests.providers.contract import HOUR, OutsideWorld, ProviderContract
from tests.providers.google_provider_samples import CALENDAR, ProviderFactory, issued_tokens

MARGIN = dt.timedelta(days=7)


def rfc3339(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class GoogleWorld(OutsideWorld):
    def __init__(
        self, google: GoogleEmulator, provider: GoogleCalendarProvider, tokens: OAuthTokens
    ) -> None:
        self.google = google
        self.provider = provider
        self.calendar_id = CALENDAR
        self.listing_margin = MARGIN
        self.tokens = tokens

    def insert(self, summary: str, start: dt.datetime, end: dt.datetime) -> None:
        self.google.state.insert_event(CALENDAR, _body(summary, start, end))

    def edit(self, event: ExternalEvent, summary: str) -> None:
        self.google.state.patch_event(CALENDAR, event.id, {"summary": summary})

    def remove(self, event: ExternalEvent) -> None:
        self.google.state.delete_event(CALENDAR, event.id)

    def insert_weekly(
        self,
        summary: str,
        first: dt.datetime,
        count: int,
        renamed: Mapping[dt.datetime, str],
        cancelled: Collection[dt.datetime],
    ) -> None:
        body = _body(summary, first, first + HOUR) | {
            "recurrence": [f"RRULE:FREQ=WEEKLY;COUNT={count}"]
        }
        series_id = self.google.state.insert_event(CALENDAR, body)["id"]
        for start, name in renamed.items():
            instance = f"{series_id}_{recurrence_text(start)}"
            self.google.state.patch_event(CALENDAR, instance, {"summary": name})
        for start in cancelled:
            self.google.state.delete_event(CALENDAR, f"{series_id}_{recurrence_text(start)}")

    def expire_cursors(self) -> None:
        self.google.state.expire_sync_tokens(CALENDAR)

    def revoke_grant(self) -> None:
        self.google.state.revoke(self.tokens.refresh_token)

    def rate_limit(self, retry_after: int) -> None:
        self.google.inject(Fault.too_many_requests(retry_after=retry_after))


def _body(summary: str, start: dt.datetime, end: dt.datetime) -> dict[str, object]:
    """An event in UTC (a recurring one needs its time zone named)."""
    return {
        "summary": summary,
        "start": {"dateTime": rfc3339(start), "timeZone": "UTC"},
        "end": {"dateTime": rfc3339(end), "timeZone": "UTC"},
    }


class TestGoogleProvider(ProviderContract):
    @pytest.fixture
    def world(self, google: GoogleEmulator, connect: ProviderFactory) -> OutsideWorld:
        google.state.add_calendar(CALENDAR, "team@group.calendar.google.com", "Team")
        tokens = issued_tokens(google)
        return GoogleWorld(google, connect(tokens=tokens, window_margin=MARGIN), tokens)
