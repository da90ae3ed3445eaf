"""Fixtures for driving the Google Calendar emulator over real HTTP.

Here the emulator keeps Google's own batch limit (1000 calls), which its
tests check; `google_url` comes from `tests.sync_fixtures`.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.emulators.google_calendar import GoogleEmulator, create_google_emulator


@pytest.fixture
def google() -> Iterator[GoogleEmulator]:
    emulator = create_google_emulator()
    yield emulator
    emulator.close()


@pytest.fixture
def api(google: GoogleEmulator, google_url: str) -> Iterator[httpx.Client]:
    """A client for /calendar/v3 holding a valid access token of the default user."""
    token = google.state.issue_tokens()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=f"{google_url}/calendar/v3", headers=headers) as client:
        yield client
