"""The Google Calendar API emulator on a socket, and CalBridge wired to it as in production.

Only the URLs differ from a real installation: the settings point the
Google endpoints at the emulator, and everything else (the worker
`calbridge worker` builds, the account connection the web page makes) is
CalBridge's own code. The emulator comes from the test suite; its request
log is what the benchmark counts.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

from bench._sync_service import EmulatedService, missing_activities
from bridge.config import Settings
from bridge.providers.google.events import STAMP_PROPERTY
from bridge.providers.oauth import OAuthTokens
from bridge.secrets import generate_key
from tests.emulators.google_calendar import GoogleEmulator, create_google_emulator
from tests.emulators.requests import RequestLog
from tests.providers.google_provider_samples import issued_tokens
from tests.servers import serve_in_thread
from tests.sync_fixtures import emulator_settings

MAX_BATCH_CALLS = 50
"""What the emulator accepts per batch: Google's advice, and the provider's own limit."""


class GoogleService(EmulatedService):
    kind = "google"
    name = "Google"
    title = "Google Calendar sync"
    label = "Google emulator"
    push_requests_per_1000 = 25
    """At most 250 requests for 10,000 activities, scaled with N."""

    def __init__(self, google: GoogleEmulator, base_url: str) -> None:
        super().__init__(base_url)
        self.google = google

    @property
    def requests(self) -> RequestLog:
        return self.google.requests

    def settings(self, database_url: str) -> Settings:
        """Values given here beat the environment, so only the `CALBRIDGE_WORKER_*`
        variables (not set on a plain machine) could change what is measured."""
        return emulator_settings(
            self.google, self.base_url, database_url=database_url, secret_key=generate_key()
        )

    def tokens(self) -> OAuthTokens:
        return issued_tokens(self.google)

    def event_ids(self, calendar_id: str, activity_ids: Sequence[int]) -> dict[int, str]:
        """Copying the whole calendar (`GoogleState.events`) takes about a second for
        10,000 events and holds the emulator's lock."""
        wanted = {str(activity_id): activity_id for activity_id in activity_ids}
        found = {}
        for event_id, event in self.google.state.events(calendar_id).items():
            stamp = event.get("extendedProperties", {}).get("private", {}).get(STAMP_PROPERTY)
            if stamp in wanted:
                found[wanted[stamp]] = event_id
        missing_activities(activity_ids, found)
        return found

    def summary(self, calendar_id: str, event_id: str) -> str | None:
        events = self.google.state.calendars[calendar_id].events
        with self.google.state.lock:
            return events[event_id].resource.get("summary")


@contextlib.contextmanager
def served_emulator() -> Iterator[GoogleService]:
    """A fresh emulator served on 127.0.0.1; stopped afterwards."""
    google = create_google_emulator(max_batch_calls=MAX_BATCH_CALLS)
    try:
        with serve_in_thread(google.app) as base_url:
            yield GoogleService(google, base_url)
    finally:
        google.close()
