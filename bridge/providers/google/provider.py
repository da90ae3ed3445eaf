"""Google Calendar behind the `CalendarProvider` contract.

The pieces, one job each: `endpoints` (where Google lives, CalBridge as its
OAuth client), `api` (calls with Google's errors mapped), `events`
(resources <-> contract types), `cursor` (the opaque cursor), `batch` and
`bulk` (batched creates), `push` (events.watch channels); the shared
`bridge.providers.oauth` (tokens kept fresh) and `bridge.providers.http`
(backing off). This
module assembles them and speaks the Calendar API v3 (events.list with sync
tokens, insert with client-chosen ids, patch and delete with `If-Match`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from bridge.providers import (
    CalendarProvider,
    ChangePage,
    EventDraft,
    ExternalCalendar,
    ExternalEvent,
    NotFound,
    WatchedChannel,
)
from bridge.providers.google.api import GoogleApi
from bridge.providers.google.batch import Batcher
from bridge.providers.google.bulk import BulkCreate, PushResult
from bridge.providers.google.cursor import SyncCursor, Window
from bridge.providers.google.endpoints import GOOGLE, GoogleEndpoints
from bridge.providers.google.events import (
    event_body,
    event_id_for,
    external_event,
    patch_body,
    rfc3339,
)
from bridge.providers.google.push import open_channel, stop_channel
from bridge.providers.http import DEFAULT_RETRY, RetryPolicy
from bridge.providers.oauth import OAuthSession, OAuthTokens

__all__ = ["GoogleCalendarProvider", "GoogleEndpoints", "OAuthTokens", "RetryPolicy"]

MAX_PAGE_SIZE = 2500  # events.list's largest maxResults
WRITABLE_ROLES = frozenset({"owner", "writer"})
NO_EMAILS = {"sendUpdates": "none"}


class GoogleCalendarProvider(CalendarProvider):
    """One connected Google account.

    `on_tokens` receives every renewed token pair, to be stored before the
    next run. `window_margin` widens full listings past the window's end so
    the cursor stays usable while the window slides forward (see
    `cursor`); full listings may therefore hold events a little past
    the window. `page_size` is events.list's `maxResults`.
    """

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        tokens: OAuthTokens,
        on_tokens: Callable[[OAuthTokens], None],
        endpoints: GoogleEndpoints = GOOGLE,
        retry: RetryPolicy = DEFAULT_RETRY,
        page_size: int = MAX_PAGE_SIZE,
        window_margin: dt.timedelta = dt.timedelta(days=7),
        timeout: float = 30.0,
    ) -> None:
        self._session = OAuthSession(
            endpoints.oauth_app(client_id, client_secret), tokens, on_tokens, timeout
        )
        self._api = GoogleApi(self._session, retry)
        self._batcher = Batcher(self._api, endpoints.batch_url)
        self._root = endpoints.calendar_api
        self._retry = retry
        self._page_size = min(page_size, MAX_PAGE_SIZE)
        self._window_margin = window_margin

    def close(self) -> None:
        self._session.close()

    @property
    def requests_made(self) -> int:
        return self._session.requests

    def list_calendars(self) -> list[ExternalCalendar]:
        calendars = [
            ExternalCalendar(
                id=entry["id"],
                name=entry.get("summaryOverride") or entry.get("summary", ""),
                primary=bool(entry.get("primary")),
                writable=entry.get("accessRole") in WRITABLE_ROLES,
            )
            for page in self._pages("/users/me/calendarList", {})
            for entry in page.get("items", ())
        ]
        return sorted(calendars, key=lambda calendar: not calendar.primary)

    def list_changes(self, calendar_id: str, cursor: str | None, window: Window) -> ChangePage:
        """A full listing of the (widened) window, or the changes since the cursor's sync token.

        Both ask for single events (recurring events as their occurrences)
        and deleted ones; incremental listings send only parameters Google
        allows with `syncToken`. A cursor whose window does not cover
        `window` gets a full listing, which `full_listing` reports.
        """
        known = None if cursor is None else SyncCursor.decode(cursor, calendar_id)
        params: dict[str, Any] = {
            "singleEvents": "true",
            "showDeleted": "true",
            "maxResults": self._page_size,
        }
        if known is not None and known.covers(window):
            covered = known.covered
            params["syncToken"] = known.sync_token
        else:
            covered = (window[0], window[1] + self._window_margin)
            params |= {"timeMin": rfc3339(covered[0]), "timeMax": rfc3339(covered[1])}
        seen_at = dt.datetime.now(dt.UTC)
        pages = list(self._pages(self._events_path(calendar_id), params))
        latest = {item["id"]: item for page in pages for item in page.get("items", ())}
        sync_token = pages[-1]["nextSyncToken"]  # Google puts it on the last page
        return ChangePage(
            events=tuple(external_event(item, seen_at) for item in latest.values()),
            cursor=SyncCursor(calendar_id, covered, sync_token).encode(),
            full_listing="syncToken" not in params,
        )

    def create(self, calendar_id: str, draft: EventDraft, idempotency_key: str) -> ExternalEvent:
        """events.insert with an id derived from the key; on 409 duplicate, the first event."""
        event_id = event_id_for(idempotency_key)
        response = self._api.call(
            "POST",
            self._url(self._events_path(calendar_id)),
            params=NO_EMAILS,
            json={"id": event_id, **event_body(draft)},
            expected=(409,),
        )
        if response.status_code == 409:
            response = self._api.call("GET", self._url(self._events_path(calendar_id, event_id)))
        return self._event(response.json())

    def update(
        self, calendar_id: str, event_id: str, draft: EventDraft, etag: str
    ) -> ExternalEvent:
        """events.patch, so what the owner set in Google and CalBridge does not sync
        (reminders, colour, conferencing) survives; an event deleted in Google is `NotFound`."""
        response = self._api.call(
            "PATCH",
            self._url(self._events_path(calendar_id, event_id)),
            params=NO_EMAILS,
            json=patch_body(draft),
            headers={"If-Match": etag},
        )
        event = self._event(response.json())
        if event.status == "cancelled":
            raise NotFound(f"event {event_id} was deleted in Google Calendar")
        return event

    def delete(self, calendar_id: str, event_id: str, etag: str | None) -> None:
        self._api.call(
            "DELETE",
            self._url(self._events_path(calendar_id, event_id)),
            params=NO_EMAILS,
            headers={} if etag is None else {"If-Match": etag},
            expected=(404, 410),
        )

    def create_many(
        self, calendar_id: str, drafts: Mapping[str, EventDraft]
    ) -> dict[str, PushResult]:
        """Create every draft (keyed by its idempotency key) through batch requests.

        Each key maps to the created (or earlier created) event, or to the
        error for that one draft (`ItemRejected`, or a transient error the
        retry policy gave up on). `GrantRevoked` and a batch request that
        fails as a whole are raised; calling again with the same keys is safe.
        """
        target = urlsplit(self._root).path + self._events_path(calendar_id)
        bulk = BulkCreate(self._batcher, target, self._retry, self._session.refresh)
        return bulk.run(drafts)

    def watch(
        self, calendar_id: str, address: str, channel_id: str, token: str, ttl: dt.timedelta
    ) -> WatchedChannel:
        """events.watch on the calendar's events (`SupportsPush`; see `push`)."""
        return open_channel(
            self._api,
            self._url(self._events_path(calendar_id) + "/watch"),
            address=address,
            channel_id=channel_id,
            token=token,
            ttl=ttl,
        )

    def stop_watch(self, channel_id: str, resource_id: str) -> None:
        stop_channel(self._api, self._url("/channels/stop"), channel_id, resource_id)

    def _pages(self, path: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Every page of a listing, following `nextPageToken`."""
        page_token = None
        while True:
            query = params if page_token is None else {**params, "pageToken": page_token}
            page = self._api.call("GET", self._url(path), params=query).json()
            yield page
            page_token = page.get("nextPageToken")
            if page_token is None:
                return

    def _event(self, resource: dict[str, Any]) -> ExternalEvent:
        return external_event(resource, dt.datetime.now(dt.UTC))

    def _url(self, path: str) -> str:
        return self._root + path

    @staticmethod
    def _events_path(calendar_id: str, event_id: str | None = None) -> str:
        path = f"/calendars/{quote(calendar_id, safe='')}/events"
        return path if event_id is None else f"{path}/{quote(event_id, safe='')}"
