"""The requests a calendar client makes, each timed the same way against either server.

A `Target` is one server's calendar as a client sees it. Each `Probe` sends
one kind of request (after any untimed set-up it needs, such as the edits an
incremental sync should report) and returns a `Sample`: the wall time from
sending the request to having read the whole response, and how many items
the response held, so a reader can check both servers answered the same.
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx
from _events import Event, calendar_text, changed, new_event, week_range

CHANGES_PER_SYNC = 10
_RESPONSE = re.compile(rb"<(?:[A-Za-z0-9_]+:)?response[\s>]")

CTAG_PROPFIND = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/">'
    "<d:prop><cs:getctag/><d:sync-token/></d:prop></d:propfind>"
)
ETAG_PROPFIND = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>'
)


def _week_query() -> str:
    start, end = week_range()
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
        "<d:prop><d:getetag/><c:calendar-data/></d:prop>"
        '<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">'
        f'<c:time-range start="{start}" end="{end}"/>'
        "</c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"
    )


def _sync_collection(token: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<d:sync-collection xmlns:d="DAV:">'
        f"<d:sync-token>{token}</d:sync-token><d:sync-level>1</d:sync-level>"
        "<d:prop><d:getetag/></d:prop></d:sync-collection>"
    )


@dataclass(frozen=True)
class Sample:
    ms: float
    items: int


@dataclass(frozen=True)
class Target:
    """One server's calendar collection, reached through a keep-alive client."""

    name: str
    client: httpx.Client
    calendar: str
    """The collection's URL path, with a trailing slash."""
    events: Sequence[Event]

    def send(
        self,
        method: str,
        path: str,
        body: str = "",
        headers: dict[str, str] | None = None,
        expect: tuple[int, ...] = (207,),
    ) -> tuple[float, httpx.Response]:
        """Milliseconds until the whole response was read, and the response."""
        started = time.perf_counter()
        content = body.encode() if body else None
        response = self.client.request(method, path, content=content, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code not in expect:
            raise RuntimeError(
                f"{self.name}: {method} {path} answered {response.status_code}: "
                f"{response.text[:500]}"
            )
        return elapsed, response

    def dav(self, method: str, body: str, depth: str) -> tuple[float, httpx.Response]:
        headers = {"Depth": depth, "Content-Type": "application/xml; charset=utf-8"}
        return self.send(method, self.calendar, body, headers)

    def put(self, event: Event, *, new: bool) -> float:
        headers = {"Content-Type": "text/calendar; charset=utf-8"}
        if new:
            headers["If-None-Match"] = "*"
        elapsed, _ = self.send(
            "PUT",
            self.calendar + event.href,
            calendar_text([event]),
            headers,
            expect=(201,) if new else (201, 204),
        )
        return elapsed

    def sync_token(self) -> str:
        """The collection's current sync token, from a depth-0 PROPFIND (untimed)."""
        _, response = self.dav("PROPFIND", CTAG_PROPFIND, "0")
        token = ET.fromstring(response.content).findtext(".//{DAV:}sync-token")
        if not token:
            raise RuntimeError(f"{self.name}: no sync-token in {response.text[:500]}")
        return token


def _items(response: httpx.Response) -> int:
    """How many `response` elements a multistatus holds, without parsing 100,000 of them."""
    return len(_RESPONSE.findall(response.content))


Probe = Callable[[Target, int], Sample]
"""Sends one request of its kind; the int numbers the repeat, so edits never repeat."""


def ctag(target: Target, _round: int) -> Sample:
    elapsed, response = target.dav("PROPFIND", CTAG_PROPFIND, "0")
    return Sample(elapsed, _items(response))


def etags(target: Target, _round: int) -> Sample:
    elapsed, response = target.dav("PROPFIND", ETAG_PROPFIND, "1")
    return Sample(elapsed, _items(response))


def week_report(target: Target, _round: int) -> Sample:
    elapsed, response = target.dav("REPORT", _week_query(), "1")
    return Sample(elapsed, _items(response))


def initial_sync(target: Target, _round: int) -> Sample:
    elapsed, response = target.dav("REPORT", _sync_collection(""), "0")
    return Sample(elapsed, _items(response))


def incremental_sync(target: Target, round_: int) -> Sample:
    """Edit `CHANGES_PER_SYNC` events (untimed), then time the sync from the token before."""
    token = target.sync_token()
    first = round_ * CHANGES_PER_SYNC
    for event in target.events[first : first + CHANGES_PER_SYNC]:
        target.put(changed(event, round_), new=False)
    elapsed, response = target.dav("REPORT", _sync_collection(token), "0")
    return Sample(elapsed, _items(response))


def put_new(target: Target, round_: int) -> Sample:
    return Sample(target.put(new_event(round_), new=True), 1)


PROBES: tuple[tuple[str, Probe], ...] = (
    ("CTag PROPFIND (depth 0)", ctag),
    ("PROPFIND getetag (depth 1)", etags),
    ("one-week REPORT (calendar-data)", week_report),
    ("sync-collection, initial", initial_sync),
    (f"sync-collection after {CHANGES_PER_SYNC} changes", incremental_sync),
    ("PUT one new event", put_new),
)
