"""Where Google lives, and CalBridge as Google's OAuth client.

Only these URLs differ between the Google provider in production and in
tests, which point them at the emulator (`tests/emulators/google_calendar.py`)
serving Google's own paths, so no other code path is test-specific.
"""

from __future__ import annotations

from dataclasses import dataclass

from bridge.providers.oauth import OAuthApp

SCOPES = (
    # Read and write events, nothing else of the account.
    "https://www.googleapis.com/auth/calendar.events",
    # List the calendars, so the user can pick one in the settings page.
    "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
)
CONSENT_PARAMS = {"access_type": "offline", "prompt": "consent"}
"""Google issues a refresh token only offline, and again on reconnecting only with consent."""


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

    def oauth_app(self, client_id: str, client_secret: str) -> OAuthApp:
        """CalBridge's Google OAuth client at these endpoints."""
        return OAuthApp(
            label="Google",
            client_id=client_id,
            client_secret=client_secret,
            authorize_url=self.authorize_url,
            token_url=self.token_url,
            scopes=SCOPES,
            authorize_params=CONSENT_PARAMS,
        )


GOOGLE = GoogleEndpoints()
"""Google's real endpoints."""
