"""Microsoft Graph (Outlook calendars) behind the `CalendarProvider` contract.

The pieces, one job each: `endpoints` (where Microsoft lives, CalBridge as
its OAuth client), `api` (calls with Graph's preferences and errors),
`events` (resources <-> contract types), `cursor` (the opaque cursor),
`batch` (JSON `$batch`), `push` (subscriptions and notifications); the
shared `bridge.providers.oauth` (tokens kept fresh, rotated refresh tokens
stored at once) and `bridge.providers.http` (backing off).

Listings use calendarView delta over the window (occurrences expanded,
never series masters) and follow `@odata.nextLink` to the
`@odata.deltaLink`, which the cursor keeps whole. Delta returns no
extended properties, so the stamps of listed events CalBridge has not seen
yet are read in `$batch`es of 20 GETs; a removal (`@removed`) may only mean
the event left the window, so removed events are read in the same batches
and reported deleted only when Graph no longer has them.

Writes never mail anyone: drafts' attendees go into the body text (see
`events`), and events that have attendees (meetings, invitations) are
neither changed nor deleted: each update and delete reads the event first
and refuses a meeting, then writes with `If-Match` on the etag it checked,
so the event written is the one read, attendee-less.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from bridge.providers import (
    AuthExpired,
    CalendarProvider,
    ChangePage,
    EventDraft,
    ExternalCalendar,
    ExternalEvent,
    GrantRevoked,
    ItemRejected,
    NotFound,
    ProviderError,
    WatchedChannel,
)
from bridge.providers.http import DEFAULT_RETRY, RetryPolicy
from bridge.providers.microsoft.api import GraphApi
from bridge.providers.microsoft.batch import MAX_CALLS, BatchCall, Batcher
from bridge.providers.microsoft.cursor import DeltaCursor, Window, id_digest
from bridge.providers.microsoft.endpoints import MICROSOFT, MicrosoftEndpoints
from bridge.providers.microsoft.errors import error_for
from bridge.providers.microsoft.events import (
    STAMP_EXPAND,
    create_body,
    event_body,
    event_etag,
    external_event,
    graph_time,
    removed_event,
    split_etag,
)
from bridge.providers.microsoft.push import delete_subscription, open_subscription
from bridge.providers.oauth import OAuthSession, OAuthTokens

__all__ = ["MicrosoftCalendarProvider", "MicrosoftEndpoints", "OAuthTokens", "RetryPolicy"]

DEFAULT_PAGE_SIZE = 200
MEETING = "meeting with attendees: change it in Outlook (CalBridge never mails attendees)"
PushResult = ExternalEvent | ProviderError
Resource = dict[str, Any]


class MicrosoftCalendarProvider(CalendarProvider):
    """One connected Microsoft account (work, school or personal).

    Delta listings carry no stamps (`lists_stamps`): the engine asks
    `read_stamps` for the events no link knows. Creates go 20 to a `$batch`.

    `on_tokens` receives every renewed token pair at once: Microsoft rotates
    refresh tokens. `window_margin` widens full listings past the window's
    end so the cursor stays usable while the window slides forward (as the
    Google provider does); full listings may hold events that far past the
    window. `page_size` is the `odata.maxpagesize` asked for.
    """

    create_chunk = MAX_CALLS
    lists_stamps = False

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        tokens: OAuthTokens,
        on_tokens: Callable[[OAuthTokens], None],
        endpoints: MicrosoftEndpoints = MICROSOFT,
        retry: RetryPolicy = DEFAULT_RETRY,
        page_size: int = DEFAULT_PAGE_SIZE,
        window_margin: dt.timedelta = dt.timedelta(days=7),
        timeout: float = 30.0,
    ) -> None:
        self._session = OAuthSession(
            endpoints.oauth_app(client_id, client_secret), tokens, on_tokens, timeout
        )
        self._api = GraphApi(self._session, retry, endpoints.graph_api, endpoints.graph_origin)
        self._batcher = Batcher(self._api, retry, self._session.refresh)
        self._page_size = page_size
        self._window_margin = window_margin
        self._stamps: dict[str, int | None] = {}
        """Stamps known by event id (read or written by this instance): not read again."""

    def close(self) -> None:
        self._session.close()

    @property
    def requests_made(self) -> int:
        return self._session.requests

    def account_address(self) -> str:
        """The signed-in user's address (`GET /me`): `mail`, else `userPrincipalName`."""
        me = self._api.call("GET", "/me").json()
        return str(me.get("mail") or me.get("userPrincipalName") or "")

    def list_calendars(self) -> list[ExternalCalendar]:
        calendars = [
            ExternalCalendar(
                id=entry["id"],
                name=entry.get("name", ""),
                primary=bool(entry.get("isDefaultCalendar")),
                writable=entry.get("canEdit", True) is not False,
            )
            for page in self._pages("/me/calendars")
            for entry in page.get("value", ())
        ]
        return sorted(calendars, key=lambda calendar: not calendar.primary)

    def list_changes(self, calendar_id: str, cursor: str | None, window: Window) -> ChangePage:
        """A new delta round over the (widened) window, or the changes since the cursor.

        A cursor whose window does not cover `window` gets a new round,
        which `full_listing` reports.
        """
        known = None if cursor is None else DeltaCursor.decode(cursor, calendar_id)
        if known is not None and known.covers(window):
            covered, first, full = known.covered, known.delta_link, False
            occurrences = dict(known.occurrences)
        else:
            covered = (window[0], window[1] + self._window_margin)
            query = f"startDateTime={graph_time(covered[0])}&endDateTime={graph_time(covered[1])}"
            first = f"{self._calendar_path(calendar_id)}/calendarView/delta?{query}"
            full, occurrences = True, {}
        items, delta_link = self._delta_round(first)
        seen_at = dt.datetime.now(dt.UTC)
        events = self._resolve(items, seen_at, occurrences)
        for event in events:
            if event.recurrence_id is not None and event.status == "confirmed":
                occurrences[id_digest(event.id)] = event.recurrence_id
            elif event.status == "cancelled":
                occurrences.pop(id_digest(event.id), None)
        return ChangePage(
            events=tuple(events),
            cursor=DeltaCursor(calendar_id, covered, delta_link, occurrences).encode(),
            full_listing=full,
        )

    def create(self, calendar_id: str, draft: EventDraft, idempotency_key: str) -> ExternalEvent:
        """POST with a key-derived `transactionId`: a retry returns the first attempt's event."""
        response = self._api.call(
            "POST",
            f"{self._calendar_path(calendar_id)}/events",
            json=create_body(draft, idempotency_key),
        )
        return self._written(response.json(), draft)

    def update(
        self, calendar_id: str, event_id: str, draft: EventDraft, etag: str
    ) -> ExternalEvent:
        """PATCH, so what the owner set in Outlook and CalBridge does not sync (categories,
        reminders, online meeting) survives; refused for meetings (see `event_etag`)."""
        graph_etag, meeting = split_etag(etag)
        if meeting:
            raise ItemRejected(MEETING)
        response = self._api.call(
            "PATCH",
            self._event_path(event_id),
            json=event_body(draft),
            headers={"If-Match": graph_etag},
        )
        return self._written(response.json(), draft)

    def delete(self, calendar_id: str, event_id: str, etag: str | None) -> None:
        """Delete, unless it is a meeting (deleting one mails a cancellation); gone is deleted.

        Without an etag the event is read first, to know whether it is a meeting.
        """
        if etag is None:
            try:
                etag = event_etag(self._read(event_id))
            except NotFound:
                return
        graph_etag, meeting = split_etag(etag)
        if meeting:
            raise ItemRejected(MEETING)
        self._api.call(
            "DELETE",
            self._event_path(event_id),
            headers={"If-Match": graph_etag},
            expected=(404, 410),
        )
        self._stamps.pop(event_id, None)

    def create_many(
        self, calendar_id: str, drafts: Mapping[str, EventDraft]
    ) -> dict[str, PushResult]:
        """Every draft created through `$batch` (20 per request), each with its `transactionId`.

        Parts Graph throttles are sent again alone; a part it refuses gets
        its own `ItemRejected`. A token that cannot be renewed is raised.
        """
        keys = list(drafts)
        target = f"{self._calendar_path(calendar_id)}/events"
        calls = [BatchCall("POST", target, create_body(drafts[key], key)) for key in keys]
        results: dict[str, PushResult] = {}
        for key, reply in zip(keys, self._batcher.send(calls), strict=True):
            if reply.is_success:
                results[key] = self._written(reply.json(), drafts[key])
                continue
            error = error_for(reply)
            if isinstance(error, (AuthExpired, GrantRevoked)):
                raise error
            results[key] = error
        return results

    def watch(
        self, calendar_id: str, address: str, channel_id: str, token: str, ttl: dt.timedelta
    ) -> WatchedChannel:
        """A subscription on the calendar's events (`SupportsPush`; see `push`)."""
        return open_subscription(
            self._api,
            f"me/calendars/{quote(calendar_id, safe='')}/events",
            address=address,
            channel_id=channel_id,
            token=token,
            ttl=ttl,
        )

    def stop_watch(self, channel_id: str, resource_id: str) -> None:
        """`resource_id` is the subscription's id (see `push`)."""
        delete_subscription(self._api, quote(resource_id, safe=""))

    # Listing

    def _delta_round(self, first: str) -> tuple[list[Resource], str]:
        """Every entry of a delta round (the latest per id) and the link of the next round."""
        latest: dict[str, Resource] = {}
        link = first
        while True:
            page = self._api.call("GET", link, page_size=self._page_size, delta=True).json()
            for item in page.get("value", ()):
                latest.pop(item["id"], None)  # keep the order of the latest change
                latest[item["id"]] = item
            if page.get("@odata.nextLink"):
                link = page["@odata.nextLink"]
            elif page.get("@odata.deltaLink"):
                return list(latest.values()), self._api.checked(page["@odata.deltaLink"])
            else:
                raise ProviderError("a Graph delta page with neither a next nor a delta link")

    def _resolve(
        self, items: list[Resource], seen_at: dt.datetime, occurrences: dict[str, str]
    ) -> list[ExternalEvent]:
        """The contract's events for a round's entries, reading what delta leaves out."""
        unknown = [item["id"] for item in items if "@removed" in item or "start" not in item]
        read = self._read_many(unknown)
        events = []
        for item in items:
            event_id = item["id"]
            if event_id in read:
                resource = read[event_id]
                if resource is None:
                    recurrence = occurrences.get(id_digest(event_id))
                    events.append(removed_event(event_id, recurrence, seen_at))
                else:
                    events.append(external_event(resource, seen_at))
            else:
                event = external_event(item, seen_at)
                stamp = self._stamps.get(event_id)
                events.append(dataclasses.replace(event, activity_stamp=stamp))
        return events

    def read_stamps(self, calendar_id: str, event_ids: Sequence[str]) -> dict[str, int | None]:
        """Stamps this instance knows, and the others read in `$batch`es of 20 (with the
        extended property expanded): delta returns none."""
        found = self._read_many(event_id for event_id in event_ids if event_id not in self._stamps)
        return {
            event_id: self._stamps.get(event_id)
            for event_id in event_ids
            if found.get(event_id, True) is not None
        }

    def _read_many(self, event_ids: Iterable[str]) -> dict[str, Resource | None]:
        """The events by id, read with their stamp in `$batch`es; None for those Graph lacks."""
        ids = list(dict.fromkeys(event_ids))
        if not ids:
            return {}
        expand = quote(STAMP_EXPAND, safe="")
        calls = [BatchCall("GET", f"{self._event_path(i)}?$expand={expand}") for i in ids]
        found: dict[str, Resource | None] = {}
        for event_id, reply in zip(ids, self._batcher.send(calls), strict=True):
            if reply.is_success:
                found[event_id] = self._remember(reply.json())
                continue
            error = error_for(reply)
            if not isinstance(error, NotFound):
                raise error
            found[event_id] = None
            self._stamps.pop(event_id, None)
        return found

    def _read(self, event_id: str) -> Resource:
        response = self._api.call(
            "GET", self._event_path(event_id), params={"$expand": STAMP_EXPAND}
        )
        return self._remember(response.json())

    def _remember(self, resource: Resource) -> Resource:
        self._stamps[resource["id"]] = external_event(
            resource, dt.datetime.now(dt.UTC)
        ).activity_stamp
        return resource

    def _written(self, resource: Resource, draft: EventDraft) -> ExternalEvent:
        """The event a write returned; its stamp is the draft's (writes return no extensions)."""
        event = external_event(resource, dt.datetime.now(dt.UTC))
        self._stamps[event.id] = draft.activity_stamp
        return dataclasses.replace(event, activity_stamp=draft.activity_stamp)

    def _pages(self, path: str) -> Iterator[Resource]:
        """Every page of a listing, following `@odata.nextLink`."""
        link: str | None = path
        while link:
            page = self._api.call("GET", link, page_size=self._page_size).json()
            yield page
            link = page.get("@odata.nextLink")

    @staticmethod
    def _calendar_path(calendar_id: str) -> str:
        return f"/me/calendars/{quote(calendar_id, safe='')}"

    @staticmethod
    def _event_path(event_id: str) -> str:
        return f"/me/events/{quote(event_id, safe='')}"
