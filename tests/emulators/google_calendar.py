"""An in-process Google Calendar API v3 (plus Google OAuth) for CalBridge's tests.

The production Google client is written against this emulator and differs
from its tests only in base URLs, so the emulator follows Google's
documented behaviour: OAuth code flow with PKCE and refresh, events.list
paging and incremental sync with 410 fullSyncRequired, client-chosen ids,
etags with If-Match, recurring-event expansion, batch requests, push
channels, and injectable failures. Serve `create_google_emulator().app`
with `tests.servers.serve_in_thread`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from starlette.types import ASGIApp

from tests.emulators.clock import Clock
from tests.emulators.google_api import CalendarApi
from tests.emulators.google_app import build_app
from tests.emulators.google_batch import MAX_BATCH_CALLS, BatchRunner
from tests.emulators.google_events import EventService
from tests.emulators.google_faults import Fault, FaultQueue
from tests.emulators.google_oauth import OAuthServer
from tests.emulators.google_push import PushHub
from tests.emulators.google_state import CALENDAR_SCOPE, GoogleState
from tests.emulators.google_store import CalendarStore
from tests.emulators.requests import RequestLog

__all__ = ["CALENDAR_SCOPE", "Fault", "GoogleEmulator", "create_google_emulator"]

DEFAULT_USER = "user@example.com"
DEFAULT_CLIENT_ID = "calbridge-tests.apps.googleusercontent.com"
DEFAULT_CLIENT_SECRET = "emulator-client-secret"


@dataclass
class GoogleEmulator:
    app: ASGIApp
    state: GoogleState
    requests: RequestLog
    faults: FaultQueue
    client_id: str
    client_secret: str

    @property
    def requests_total(self) -> int:
        """HTTP requests received since the last `requests.reset()`; a batch counts once."""
        return self.requests.total

    def inject(self, fault: Fault) -> None:
        """Serve `fault` instead of the real reply to the next matching request(s)."""
        self.faults.inject(fault)

    def close(self) -> None:
        """Stop the push-notification thread."""
        self.state.push.close()


def create_google_emulator(
    *,
    users: Iterable[str] = (DEFAULT_USER,),
    client_id: str = DEFAULT_CLIENT_ID,
    client_secret: str = DEFAULT_CLIENT_SECRET,
    redirect_uris: frozenset[str] | None = None,
    access_token_lifetime: int = 3599,
    max_batch_calls: int = MAX_BATCH_CALLS,
) -> GoogleEmulator:
    """A fresh emulator: `users` each get a primary calendar; the first is the default login."""
    accounts = list(users)
    clock = Clock()
    oauth = OAuthServer(clock, access_token_lifetime)
    oauth.register_client(client_id, client_secret, redirect_uris)
    store = CalendarStore(clock)
    push = PushHub(clock)
    store.listeners.append(push.calendar_changed)
    state = GoogleState(clock, oauth, store, push, accounts[0])
    for account in accounts:
        state.add_user(account)
    api = CalendarApi(
        store, EventService(store, clock, store.writes), oauth, push, clock, state.lock
    )
    requests, faults = RequestLog(), FaultQueue()
    batch = BatchRunner(api.handle, api.endpoint_of, faults, requests, max_batch_calls)
    app = build_app(state, api, batch, faults, requests)
    return GoogleEmulator(app, state, requests, faults, client_id, client_secret)
