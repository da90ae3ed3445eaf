"""Calendars and their events in memory, with the change sequence that sync tokens point into.

Every write goes through `CalendarStore.save`, which bumps the event's etag
and `updated`, stamps it with the next change sequence number and tells the
listeners (push channels); incremental sync is "everything saved after the
sequence number the token remembers".
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.emulators import google_errors as errors
from tests.emulators.clock import Clock
from tests.emulators.google_times import rfc3339


@dataclass
class StoredEvent:
    resource: dict[str, Any]
    seq: int  # change sequence number of the last write


@dataclass
class Calendar:
    id: str
    owner: str
    summary: str
    primary: bool = False
    time_zone: str = "UTC"
    events: dict[str, StoredEvent] = field(default_factory=dict)
    resource_id: str = field(default_factory=lambda: secrets.token_urlsafe(20))


@dataclass(frozen=True)
class WriteRecord:
    """One write call as the client sent it, so tests can assert e.g. `sendUpdates=none`."""

    method: str
    calendar_id: str
    event_id: str
    send_updates: str | None


@dataclass
class Page:
    """The rest of a listing: items snapshotted at the first page, served slice by slice."""

    scope: str  # a calendar id, or "calendarList:<user>"
    items: list[dict[str, Any]]
    sync_seq: int | None  # sequence the final page's nextSyncToken covers; None: no token


@dataclass
class CalendarStore:
    clock: Clock
    calendars: dict[str, Calendar] = field(default_factory=dict)
    seq: int = 0
    sync_tokens: dict[str, tuple[str, int]] = field(default_factory=dict)
    pages: dict[str, Page] = field(default_factory=dict)
    writes: list[WriteRecord] = field(default_factory=list)
    listeners: list[Callable[[str], None]] = field(default_factory=list)
    _last_etag: int = 0

    def add_calendar(self, owner: str, calendar_id: str, summary: str, primary: bool) -> Calendar:
        calendar = Calendar(calendar_id, owner, summary, primary)
        self.calendars[calendar_id] = calendar
        return calendar

    def calendars_of(self, user: str) -> list[Calendar]:
        return [calendar for calendar in self.calendars.values() if calendar.owner == user]

    def calendar_for(self, user: str, calendar_id: str) -> Calendar:
        """The calendar a path names, "primary" included; 404 if the user cannot see it."""
        if calendar_id == "primary":
            calendar_id = next((c.id for c in self.calendars_of(user) if c.primary), "")
        calendar = self.calendars.get(calendar_id)
        if calendar is None or calendar.owner != user:
            raise errors.not_found()
        return calendar

    def save(self, calendar: Calendar, resource: dict[str, Any]) -> dict[str, Any]:
        """Store a written event: new etag and `updated`, next sequence number, notify."""
        self.seq += 1
        resource["etag"] = self._next_etag()
        resource["updated"] = rfc3339(self.clock.now())
        calendar.events[resource["id"]] = StoredEvent(resource, self.seq)
        for listener in self.listeners:
            listener(calendar.id)
        return resource

    def issue_sync_token(self, calendar_id: str, seq: int) -> str:
        token = "CP" + secrets.token_urlsafe(24)
        self.sync_tokens[token] = (calendar_id, seq)
        return token

    def sync_position(self, calendar_id: str, token: str) -> int:
        """The sequence number a sync token covers; 410 fullSyncRequired once it is unusable."""
        known = self.sync_tokens.get(token)
        if known is None or known[0] != calendar_id:
            raise errors.full_sync_required()
        return known[1]

    def expire_sync_tokens(self, calendar_id: str | None = None) -> int:
        """Invalidate sync tokens (of one calendar, or all); returns how many were dropped."""
        doomed = [t for t, (c, _) in self.sync_tokens.items() if calendar_id in (None, c)]
        for token in doomed:
            del self.sync_tokens[token]
        return len(doomed)

    def paginate(
        self,
        scope: str,
        page_token: str | None,
        size: int,
        first: Callable[[], list[dict[str, Any]]],
        *,
        sync: bool,
    ) -> tuple[list[dict[str, Any]], dict[str, str]]:
        """A page of a listing and its cursor: `nextPageToken`, else `nextSyncToken` if `sync`.

        The first request computes the whole result and remembers the sequence
        number it saw, so the final page's sync token covers exactly that
        snapshot and changes made while paging arrive in the next sync.
        """
        if page_token is None:
            page = Page(scope, first(), self.seq if sync else None)
        else:
            found = self.pages.get(page_token)  # reusable, so a client may retry a failed page
            if found is None or found.scope != scope:
                raise errors.invalid("Invalid page token value.", "pageToken")
            page = found
        items, rest = page.items[:size], page.items[size:]
        if rest:
            token = secrets.token_urlsafe(24)
            self.pages[token] = Page(scope, rest, page.sync_seq)
            return items, {"nextPageToken": token}
        if page.sync_seq is None:
            return items, {}
        return items, {"nextSyncToken": self.issue_sync_token(scope, page.sync_seq)}

    def _next_etag(self) -> str:
        """Google-like quoted numeric etags, strictly increasing even within one microsecond."""
        self._last_etag = max(self._last_etag + 1000, time.time_ns() // 1000 * 2)
        return f'"{self._last_etag}"'
