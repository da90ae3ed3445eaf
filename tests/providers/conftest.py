"""Fixtures for the provider tests: the Google emulator on a real socket and providers bound to it.

The emulator refuses batches of more than 50 calls here, the provider's own
limit, so a batch helper that sent more would fail loudly. Providers get an
injected sleep that records the waits instead of waiting.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bridge.providers.google.endpoints import GoogleEndpoints
from bridge.providers.google.provider import GoogleCalendarProvider
from bridge.providers.http import RetryPolicy
from bridge.providers.oauth import OAuthTokens
from tests.emulators.google_calendar import GoogleEmulator
from tests.providers.google_provider_samples import ProviderFactory, issued_tokens


@pytest.fixture
def sleeps() -> list[float]:
    """Every wait the providers' retry policy asked for, in order."""
    return []


@pytest.fixture
def saved_tokens() -> list[OAuthTokens]:
    """Every renewed token pair the providers handed to `on_tokens`."""
    return []


@pytest.fixture
def connect(
    google: GoogleEmulator,
    endpoints: GoogleEndpoints,
    sleeps: list[float],
    saved_tokens: list[OAuthTokens],
) -> Iterator[ProviderFactory]:
    """Make a provider for the default user; keyword arguments override the constructor's."""
    made: list[GoogleCalendarProvider] = []

    def make(**overrides: Any) -> GoogleCalendarProvider:
        arguments: dict[str, Any] = {
            "client_id": google.client_id,
            "client_secret": google.client_secret,
            "tokens": issued_tokens(google),
            "on_tokens": saved_tokens.append,
            "endpoints": endpoints,
            "retry": RetryPolicy(sleep=sleeps.append, jitter=lambda: 0.5),
            **overrides,
        }
        made.append(GoogleCalendarProvider(**arguments))
        return made[-1]

    yield make
    for provider in made:
        provider.close()


@pytest.fixture
def provider(connect: ProviderFactory) -> GoogleCalendarProvider:
    return connect()


# CalDAV: a stock Radicale per test and a provider logged in to it (see `caldav_fixtures`).
from tests.providers.caldav_fixtures import caldav, calendar_url, radicale  # noqa: E402, F401
