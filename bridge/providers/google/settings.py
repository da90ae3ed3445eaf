"""The `[google]` settings section (`CALBRIDGE_GOOGLE_*` in the environment)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class GoogleSettings(BaseModel):
    """The `[google]` settings: CalBridge's OAuth client and, for tests, where Google lives."""

    client_id: str = ""
    client_secret: str = Field(default="", repr=False)
    api_base: str = "https://www.googleapis.com"
    authorize_url: str = "https://accounts.google.com/o/oauth2/v2/auth"
    token_url: str = "https://oauth2.googleapis.com/token"
