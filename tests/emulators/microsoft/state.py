"""Everything the emulator knows, and the hooks tests use to look at or change it.

Tests play two roles besides the bridge: Microsoft itself (revoke a grant,
expire delta tokens, move the clock, send lifecycle notifications) and the
mailbox owner editing events in Outlook, which must change change keys,
feed delta and fire change notifications, but sends no mail on the bridge's
behalf and is not counted as the bridge's writes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tests.emulators.clock import Clock
from tests.emulators.microsoft import render, times
from tests.emulators.microsoft.delta import DeltaTracker
from tests.emulators.microsoft.events import EventService
from tests.emulators.microsoft.oauth import IdentityPlatform
from tests.emulators.microsoft.outbox import Mail
from tests.emulators.microsoft.store import Calendar, Instance, Store, User, occurrence_id
from tests.emulators.microsoft.subscriptions import Delivery, Subscription, SubscriptionHub
from tests.emulators.microsoft.times import Preferences

DEFAULT_SCOPES = ("openid", "offline_access", "User.Read", "Calendars.ReadWrite")


@dataclass
class GraphState:
    clock: Clock
    store: Store
    oauth: IdentityPlatform
    delta: DeltaTracker
    hub: SubscriptionHub
    events_service: EventService
    outbox: list[Mail]
    current_user: str
    lock: threading.RLock = field(default_factory=threading.RLock)

    # --- mailboxes -------------------------------------------------------------

    def add_user(self, mail: str, display_name: str | None = None) -> str:
        """A mailbox with its default calendar; returns the user's id. Idempotent."""
        with self.lock:
            return self.store.add_user(mail, display_name).id

    def default_calendar(self, user: str | None = None) -> str:
        with self.lock:
            return self.store.default_calendar(self._user(user)).id

    def add_calendar(self, name: str, can_edit: bool = True, user: str | None = None) -> str:
        """A secondary calendar; `can_edit=False` is a calendar shared read-only."""
        with self.lock:
            owner = self._user(user)
            return self.store.add_calendar(owner, name, can_edit=can_edit, is_default=False).id

    @property
    def deny_consent(self) -> bool:
        """True: the user clicks "Cancel" on the consent page (error=access_denied)."""
        return self.oauth.deny_consent

    @deny_consent.setter
    def deny_consent(self, value: bool) -> None:
        self.oauth.deny_consent = value

    # --- the owner editing in Outlook ------------------------------------------

    def insert_event(
        self, calendar_id: str, body: dict[str, Any], user: str | None = None
    ) -> dict[str, Any]:
        """Another client creates an event (a Graph event body; recurrence supported)."""
        with self.lock:
            calendar = self._calendar(calendar_id, user)
            instance, _ = self.events_service.create(calendar, body, via_api=False)
            return self._render(calendar, instance)

    def patch_event(
        self, calendar_id: str, event_id: str, changes: dict[str, Any]
    ) -> dict[str, Any]:
        """Another client edits an event, or one occurrence of a series (making an exception)."""
        with self.lock:
            calendar = self.store.calendars[calendar_id]
            instance = self.events_service.patch(calendar, event_id, changes, via_api=False)
            return self._render(calendar, instance)

    def delete_event(self, calendar_id: str, event_id: str) -> None:
        """Another client deletes an event, a series, or one occurrence."""
        with self.lock:
            calendar = self.store.calendars[calendar_id]
            self.events_service.delete(calendar, event_id, via_api=False)

    def cancel_occurrence(
        self, calendar_id: str, series_id: str, original_start: str | datetime
    ) -> None:
        """Another client deletes the occurrence of `series_id` originally at `original_start`."""
        moment = (
            times.parse_instant(original_start)
            if isinstance(original_start, str)
            else original_start
        )
        with self.lock:
            calendar = self.store.calendars[calendar_id]
            self.events_service.delete(calendar, occurrence_id(series_id, moment), via_api=False)

    def events(self, calendar_id: str) -> dict[str, dict[str, Any]]:
        """Stored events keyed by id: singles, series masters and their exceptions, in UTC,
        with all their extended properties."""
        with self.lock:
            calendar = self.store.calendars[calendar_id]
            found: dict[str, dict[str, Any]] = {}
            for item in list(calendar.items.values()):
                instance = self.store.instance(calendar, item.id)
                assert instance is not None
                found[item.id] = self._render(calendar, instance)
                for original in item.overrides:
                    exception = self.store.instance(calendar, occurrence_id(item.id, original))
                    if exception is not None:
                        found[exception.id] = self._render(calendar, exception)
            return found

    # --- Microsoft's side ------------------------------------------------------

    def expire_delta_tokens(self) -> int:
        """Every issued $skiptoken/$deltatoken now answers 410 SyncStateNotFound."""
        with self.lock:
            return self.delta.expire()

    def issue_tokens(
        self,
        user: str | None = None,
        scopes: tuple[str, ...] = DEFAULT_SCOPES,
        client_id: str = "",
    ) -> dict[str, Any]:
        """A token response as /token would give it, without the consent page."""
        with self.lock:
            owner = self._user(user)
            return self.oauth.issue(owner.mail, scopes, client_id or next(iter(self.oauth.clients)))

    def revoke(self, refresh_token: str) -> None:
        """The user withdraws consent: refreshing answers invalid_grant.

        Access tokens already issued stay valid until they expire, as issued
        access tokens do; advance the clock to end them.
        """
        with self.lock:
            self.oauth.revoke(refresh_token)

    @property
    def subscriptions(self) -> dict[str, Subscription]:
        return self.hub.subscriptions

    @property
    def deliveries(self) -> list[Delivery]:
        """Every notification POST attempted, in order."""
        return self.hub.deliveries

    def send_lifecycle(self, subscription_id: str, event: str) -> None:
        """A lifecycle notification: reauthorizationRequired, subscriptionRemoved or missed."""
        with self.lock:
            self.hub.send_lifecycle(subscription_id, event)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until queued notifications were delivered (or failed); False on timeout."""
        return self.hub.wait_idle(timeout)

    # --- helpers ---------------------------------------------------------------

    def _user(self, mail: str | None) -> User:
        return self.store.add_user(mail or self.current_user)

    def _calendar(self, calendar_id: str, user: str | None) -> Calendar:
        calendar = self.store.calendars[calendar_id]
        if user is not None and calendar.owner is not self.store.user(user):
            raise KeyError(calendar_id)
        return calendar

    def _render(self, calendar: Calendar, instance: Instance) -> dict[str, Any]:
        expand = set(instance.extended)
        return render.event(instance, calendar.owner, Preferences(), expand=expand)
