"""Everything the emulator knows, and the hooks tests use to look at or change it.

Tests play two roles besides the bridge: Google itself (revoke a grant,
expire sync tokens, move the clock) and the calendar's owner editing events
in Google's own UI (which must bump etags, feed incremental sync and fire
push notifications but must not count as the bridge's writes).
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field
from typing import Any

from tests.emulators.clock import Clock
from tests.emulators.google_events import EventService
from tests.emulators.google_oauth import OAuthServer
from tests.emulators.google_push import Channel, PushHub
from tests.emulators.google_store import Calendar, CalendarStore, WriteRecord

CALENDAR_SCOPE = "https://www.googleapis.com/auth/calendar"


@dataclass
class GoogleState:
    clock: Clock
    oauth: OAuthServer
    store: CalendarStore
    push: PushHub
    default_user: str
    lock: threading.RLock = field(default_factory=threading.RLock)

    def __post_init__(self) -> None:
        self._owner = EventService(self.store, self.clock, log=None)

    @property
    def calendars(self) -> dict[str, Calendar]:
        return self.store.calendars

    @property
    def writes(self) -> list[WriteRecord]:
        """Every write the API received, with its `sendUpdates` value."""
        return self.store.writes

    @property
    def channels(self) -> dict[str, Channel]:
        return self.push.channels

    def add_user(self, email: str) -> Calendar:
        """A Google account with its primary calendar (whose id is the address); idempotent."""
        with self.lock:
            existing = self.store.calendars.get(email)
            return existing or self.store.add_calendar(email, email, email, primary=True)

    def add_calendar(self, owner: str, calendar_id: str, summary: str) -> Calendar:
        """A secondary calendar of `owner`."""
        with self.lock:
            return self.store.add_calendar(owner, calendar_id, summary, primary=False)

    def events(self, calendar_id: str) -> dict[str, dict[str, Any]]:
        """A copy of a calendar's stored events (exceptions included) keyed by id."""
        with self.lock:
            stored = self.store.calendars[calendar_id].events
            return {event_id: copy.deepcopy(e.resource) for event_id, e in stored.items()}

    def issue_tokens(
        self,
        user: str | None = None,
        scopes: tuple[str, ...] = (CALENDAR_SCOPE,),
        client_id: str = "",
    ) -> dict[str, Any]:
        """A token response for `user` without the authorize/code dance."""
        with self.lock:
            email = user or self.default_user
            self.add_user(email)
            return self.oauth.issue(email, scopes, client_id or next(iter(self.oauth.clients)))

    def revoke(self, token: str) -> None:
        """The user removes the app's access: refresh answers invalid_grant, API calls 401."""
        with self.lock:
            self.oauth.revoke(token)

    def expire_sync_tokens(self, calendar_id: str | None = None) -> int:
        """Every issued sync token (of one calendar, or all) now answers 410 fullSyncRequired."""
        with self.lock:
            return self.store.expire_sync_tokens(calendar_id)

    def insert_event(self, calendar_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """The owner creates an event in Google Calendar."""
        with self.lock:
            calendar = self.store.calendars[calendar_id]
            return self._owner.insert(calendar, copy.deepcopy(body), None)

    def patch_event(self, calendar_id: str, event_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """The owner edits an event (or one instance of a recurring event)."""
        with self.lock:
            calendar = self.store.calendars[calendar_id]
            return self._owner.patch(calendar, event_id, copy.deepcopy(body), None, None)

    def delete_event(self, calendar_id: str, event_id: str) -> None:
        """The owner deletes an event (or cancels one instance of a recurring event)."""
        with self.lock:
            self._owner.delete(self.store.calendars[calendar_id], event_id, None, None)
