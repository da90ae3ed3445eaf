"""Values and helpers shared by the Google provider tests (fixtures live in conftest.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from bridge.providers import EventDraft
from bridge.providers.google.endpoints import SCOPES
from bridge.providers.google.provider import GoogleCalendarProvider
from bridge.providers.oauth import OAuthTokens
from tests.emulators.google_calendar import GoogleEmulator

CALENDAR = "user@example.com"
ProviderFactory = Callable[..., GoogleCalendarProvider]


def issued_tokens(google: GoogleEmulator) -> OAuthTokens:
    """Tokens for the default user, as if the consent flow had run."""
    reply = google.state.issue_tokens(scopes=SCOPES, client_id=google.client_id)
    expires_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=reply["expires_in"])
    return OAuthTokens(reply["access_token"], reply["refresh_token"], expires_at)


def draft(stamp: int = 1, **fields: Any) -> EventDraft:
    """A one-hour draft stamped `stamp`, at 09:00 UTC on day `stamp` after 2024-01-07."""
    start = dt.datetime(2024, 1, 7, 9, tzinfo=dt.UTC) + dt.timedelta(days=stamp)
    values: dict[str, Any] = {
        "uid": f"activity-{stamp}@calbridge",
        "summary": f"Activity {stamp}",
        "description": "Call about the renewal",
        "location": "Room 1",
        "start": start,
        "end": start + dt.timedelta(hours=1),
        "all_day": False,
        "private": False,
        "busy": True,
        "attendees": (),
        "activity_stamp": stamp,
        **fields,
    }
    return EventDraft(**values)
