"""Fixtures and helpers for the CalDAV provider tests: a stock Radicale per test, and its clients.

The fixtures are registered in `conftest.py`. `put_object` and the other
helpers play the other CalDAV clients of the account (a phone, a desktop
app) writing straight to the server, as the provider must cope with what
they write.
"""

from __future__ import annotations

import datetime as dt
import pathlib
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest

from bridge.domain import Attendee
from bridge.providers import EventDraft
from bridge.providers.caldav.provider import CalDavCalendarProvider
from tests.stock_radicale import USERS, RadicaleServer, WsgiApp, running_radicale
from tests.sync_fixtures import LOOPBACK

BERLIN = """
BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:STANDARD
DTSTART:19701025T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19700329T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
END:VTIMEZONE
"""
"""The VTIMEZONE of the samples' local times."""

WINDOW = (dt.datetime(2030, 1, 1, tzinfo=dt.UTC), dt.datetime(2030, 3, 1, tzinfo=dt.UTC))
"""The sync window of every test: the events live in January and February 2030."""


@pytest.fixture
def radicale(tmp_path: pathlib.Path) -> Iterator[RadicaleServer]:
    with running_radicale(tmp_path) as server:
        yield server


@pytest.fixture
def calendar_url(radicale: RadicaleServer) -> str:
    """Alice's calendar `work`, empty."""
    return radicale.make_calendar("alice", "work")


@pytest.fixture
def caldav(radicale: RadicaleServer) -> Iterator[CalDavCalendarProvider]:
    """A provider logged in as alice."""
    provider = CalDavCalendarProvider(
        radicale.url + "/", radicale.user, radicale.password, allowed_networks=LOOPBACK
    )
    yield provider
    provider.close()


def draft(**changes: object) -> EventDraft:
    """A timed draft on 2030-01-15 09:00-10:00 UTC; keyword arguments replace fields."""
    fields: dict[str, object] = {
        "uid": "activity-7@calbridge",
        "summary": "Call with ACME",
        "description": "Agenda:\n- prices\n- delivery dates",
        "location": "Room 4, Main Street 1",
        "start": dt.datetime(2030, 1, 15, 9, 0, tzinfo=dt.UTC),
        "end": dt.datetime(2030, 1, 15, 10, 0, tzinfo=dt.UTC),
        "all_day": False,
        "private": False,
        "busy": True,
        "attendees": (Attendee("Bob@Example.org", "Bob Builder", "ACCEPTED"),),
        "activity_stamp": 7,
    }
    return EventDraft(**(fields | changes))  # type: ignore[arg-type]


def vcalendar(*components: str) -> str:
    """A VCALENDAR around the given component texts, with CRLF line ends."""
    body = "\n".join(component.strip() for component in components)
    head = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Tests//Other client//EN"
    return f"{head}\n{body}\nEND:VCALENDAR\n".replace("\n", "\r\n")


def put_object(calendar_url: str, name: str, text: str, user: str = "alice") -> str:
    """Store `text` as `name` in the calendar, as another client would; its etag."""
    response = httpx.put(
        calendar_url + name,
        content=text.encode("utf-8"),
        headers={"Content-Type": "text/calendar; charset=utf-8"},
        auth=(user, USERS[user]),
        trust_env=False,
    )
    response.raise_for_status()
    return response.headers["ETag"]


def get_object(url: str, user: str = "alice") -> httpx.Response:
    """The object at `url` (absolute), as the server holds it (any status)."""
    return httpx.get(url, auth=(user, USERS[user]), trust_env=False)


def delete_object(url: str, user: str = "alice") -> None:
    httpx.delete(url, auth=(user, USERS[user]), trust_env=False).raise_for_status()


def member_names(calendar_url: str, user: str = "alice") -> list[str]:
    """The resource names in the calendar, sorted (a Depth 1 PROPFIND)."""
    response = httpx.request(
        "PROPFIND",
        calendar_url,
        headers={"Depth": "1", "Content-Type": "application/xml"},
        content=b'<propfind xmlns="DAV:"><prop><getetag/></prop></propfind>',
        auth=(user, USERS[user]),
        trust_env=False,
    )
    response.raise_for_status()
    tree = ElementTree.fromstring(response.content)
    hrefs = [href.text or "" for href in tree.iter("{DAV:}href")]
    base = httpx.URL(calendar_url).path
    return sorted(href.removeprefix(base) for href in hrefs if href.rstrip("/") != base.rstrip("/"))


Reply = tuple[str, list[tuple[str, str]]]


class Switch:
    """WSGI middleware before a stock Radicale, answering as a proxy or a busy server would.

    Each reply in `queued` answers one request, in order; then `reply`, when
    set, answers every request; otherwise requests pass on (after `delay`).
    """

    def __init__(self) -> None:
        self.queued: list[Reply] = []
        self.reply: Reply | None = None
        self.delay = 0.0
        self._app: WsgiApp | None = None

    def wrap(self, app: WsgiApp) -> WsgiApp:
        self._app = app
        return self

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        time.sleep(self.delay)
        answer = self.queued.pop(0) if self.queued else self.reply
        if answer is None:
            assert self._app is not None
            return self._app(environ, start_response)
        status, headers = answer
        start_response(status, [*headers, ("Content-Length", "0")])
        return [b""]
