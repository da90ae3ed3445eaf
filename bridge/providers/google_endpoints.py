"""Where Google lives: all that differs between the Google provider in production and in tests.

Tests point these at the emulator (`tests/emulators/google_calendar.py`),
which serves Google's own paths, so no other code path is test-specific.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GoogleEndpoints:
    """Base URLs of the Calendar API, the batch endpoint and Google's OAuth 2.0 server."""

    api_base: str = "https://www.googleapis.com"
    authorize_url: str = "https://accounts.google.com/o/oauth2/v2/auth"
    token_url: str = "https://oauth2.googleapis.com/token"
    batch_path: str = "/batch/calendar/v3"

    @property
    def calendar_api(self) -> str:
        """The Calendar API v3 root every call's path starts from."""
        return self.api_base.rstrip("/") + "/calendar/v3"

    @property
    def batch_url(self) -> str:
        return self.api_base.rstrip("/") + self.batch_path


GOOGLE = GoogleEndpoints()
"""Google's real endpoints."""
