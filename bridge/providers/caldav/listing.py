"""`list_changes` for CalDAV: full listings of a window, and deltas since a cursor.

A full listing first takes the cursor, then reads the window with a
calendar-query REPORT: a change that lands in between is listed again
next time rather than lost. The cursor is a sync token when the server
answers the sync-collection REPORT (RFC 6578); a server that refuses it
gets the etag-map cursor (see `cursor`), found by a Depth 1
PROPFIND of `getetag`.

A delta fetches the changed objects with calendar-multiget. A changed
single event is returned wherever it now lies (it may have left the
window); a changed series as all its occurrences inside the window, and a
cancelled event for each EXDATE there, and names it in
`complete_series`: an occurrence it no longer has (a shortened RRULE) is
gone. Removed objects come back as `cancelled` events with the href as
id and no recurrence id. Deltas say `full_listing=False`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urljoin

from bridge.providers import ChangePage, CursorExpired, ExternalEvent, NotFound
from bridge.providers.caldav.cursor import Cursor
from bridge.providers.caldav.events import cancelled
from bridge.providers.caldav.http import DavSession, Reply, failure
from bridge.providers.caldav.ids import StoredObject
from bridge.providers.caldav.series import excluded_occurrences, holds_series, object_events
from bridge.providers.caldav.xml import (
    calendar_multiget,
    calendar_query,
    etag_propfind,
    href_path,
    multistatus,
    sync_collection,
)

Window = tuple[dt.datetime, dt.datetime]
MULTIGET_BATCH = 100
MAX_SYNC_ROUNDS = 1000
"""Sync-collection replies a server may cut short in a row before we give up on it."""
NO_SYNC_COLLECTION = frozenset({400, 403, 405, 409, 415, 422, 501})
"""How servers without RFC 6578 answer a sync-collection REPORT."""
EXPIRED_TOKEN = frozenset({400, 403, 409, 410})
VALID_SYNC_TOKEN = "{DAV:}valid-sync-token"


class CalendarListing:
    def __init__(self, session: DavSession) -> None:
        self._session = session

    def full(self, calendar_id: str, window: Window) -> ChangePage:
        cursor = self._snapshot(calendar_id)
        reply = self._session.xml("REPORT", calendar_id, calendar_query(window), depth=1)
        if not reply.ok:
            raise failure(reply, f"listing {calendar_id}")
        stored = [
            StoredObject(entry.href, entry.etag or "", entry.calendar_data)
            for entry in multistatus(reply.tree).entries
            if entry.status == 200 and entry.calendar_data is not None
        ]
        events = (event for item in stored for event in object_events(item, window, any_time=False))
        return ChangePage(_unique(events), cursor.encode(), full_listing=True)

    def since(self, cursor: Cursor, window: Window) -> ChangePage:
        calendar_id = cursor.calendar_id
        if cursor.sync_token is not None:
            changed, removed, token = self._sync(calendar_id, cursor.sync_token)
            following = Cursor(calendar_id, sync_token=token)
        else:
            current = self._etags(calendar_id)
            known = cursor.etags or {}
            changed = {href for href, etag in current.items() if known.get(href) != etag}
            removed = set(known) - set(current)
            following = Cursor(calendar_id, etags=current)
        fetched, missing = self._fetch(calendar_id, sorted(changed))
        events: list[ExternalEvent] = []
        for item in fetched:
            events += object_events(item, window, any_time=True)
            events += excluded_occurrences(item, window)
        events += (cancelled(href, None) for href in sorted(removed | missing))
        series = frozenset(item.href for item in fetched if holds_series(item))
        return ChangePage(
            _unique(events), following.encode(), full_listing=False, complete_series=series
        )

    def _snapshot(self, calendar_id: str) -> Cursor:
        """A cursor for the calendar as it is now."""
        try:
            _, _, token = self._sync(calendar_id, "")
        except _Unsupported:
            return Cursor(calendar_id, etags=self._etags(calendar_id))
        return Cursor(calendar_id, sync_token=token)

    def _sync(self, calendar_id: str, token: str) -> tuple[set[str], set[str], str]:
        """(changed hrefs, removed hrefs, new token) since `token`, following truncated replies."""
        changed: set[str] = set()
        removed: set[str] = set()
        for _ in range(MAX_SYNC_ROUNDS):
            reply = self._session.xml("REPORT", calendar_id, sync_collection(token), depth=0)
            if not reply.ok:
                raise _sync_failure(reply, calendar_id, first=not token)
            answer = multistatus(reply.tree)
            for entry in answer.entries:
                if entry.collection:
                    continue
                gone = entry.status in (404, 410)
                (removed if gone else changed).add(entry.href)
                (changed if gone else removed).discard(entry.href)
            token = answer.sync_token or token
            if not answer.truncated:
                return changed, removed, token
        raise CursorExpired(f"{calendar_id}: the sync-collection reply never ends")

    def _etags(self, calendar_id: str) -> dict[str, str]:
        reply = self._session.xml("PROPFIND", calendar_id, etag_propfind(), depth=1)
        if not reply.ok:
            raise failure(reply, f"listing {calendar_id}")
        return {
            entry.href: entry.etag
            for entry in multistatus(reply.tree).entries
            if entry.status == 200 and not entry.collection and entry.etag is not None
        }

    def _fetch(self, calendar_id: str, hrefs: list[str]) -> tuple[list[StoredObject], set[str]]:
        """The objects at `hrefs`, and the hrefs that turned out to be gone."""
        fetched: list[StoredObject] = []
        missing: set[str] = set()
        for batch in _batches(hrefs, MULTIGET_BATCH):
            reply = self._session.xml("REPORT", calendar_id, calendar_multiget(batch), depth=1)
            if not reply.ok:
                raise failure(reply, f"reading {calendar_id}")
            unanswered = set(batch)
            for entry in multistatus(reply.tree).entries:
                unanswered.discard(entry.href)
                if entry.status in (404, 410):
                    missing.add(entry.href)
                elif entry.calendar_data is not None:
                    fetched.append(StoredObject(entry.href, entry.etag or "", entry.calendar_data))
            for href in sorted(unanswered):  # a server that skipped one: ask for it alone
                single = read_object(self._session, urljoin(calendar_id, href))
                if single is None:
                    missing.add(href)
                else:
                    fetched.append(single)
        return fetched, missing


def read_object(session: DavSession, url: str) -> StoredObject | None:
    """GET one object with its etag (asked separately when the GET has none); None when gone."""
    reply = session.request("GET", url)
    if reply.status in (404, 410):
        return None
    if not reply.ok:
        raise failure(reply, f"reading {url}")
    etag = reply.header("ETag")
    if etag is None:
        found = session.xml("PROPFIND", url, etag_propfind(), depth=0)
        entries = multistatus(found.tree).entries if found.ok else ()
        etag = next((entry.etag for entry in entries if entry.etag), "")
    return StoredObject(href_path(url), etag, reply.text)


class _Unsupported(Exception):
    """The server does not do sync-collection on this calendar."""


def _sync_failure(reply: Reply, calendar_id: str, *, first: bool) -> Exception:
    """Why a sync-collection REPORT failed: no RFC 6578 (first one), an expired token, or else."""
    if reply.status in (404, 410) and VALID_SYNC_TOKEN not in reply.preconditions:
        return NotFound(f"the calendar {calendar_id} is gone")
    if first and reply.status in NO_SYNC_COLLECTION:
        return _Unsupported(reply.status)
    if not first and (reply.status in EXPIRED_TOKEN or VALID_SYNC_TOKEN in reply.preconditions):
        return CursorExpired(f"{calendar_id}: the server no longer accepts the sync token")
    return failure(reply, f"syncing {calendar_id}")


def _unique(events: Iterable[ExternalEvent]) -> tuple[ExternalEvent, ...]:
    """Each (id, recurrence id) once, in its last state."""
    latest = {(event.id, event.recurrence_id): event for event in events}
    return tuple(latest.values())


def _batches(items: list[str], size: int) -> Iterable[list[str]]:
    for offset in range(0, len(items), size):
        yield items[offset : offset + size]
