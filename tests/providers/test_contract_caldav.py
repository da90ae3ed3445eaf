"""The provider contract, run against the CalDAV provider and a stock Radicale.

Radicale plays the server; other clients are plain HTTP writes of
iCalendar objects (`put_object`). What stock Radicale has no switch for is
done the way it happens in the field: a revoked grant is a changed
password (the htpasswd file is rewritten, Radicale reads it at every
login), expired cursors are sync tokens the server forgot (its sync-token
cache is emptied), and a rate limit comes from a small WSGI middleware in
front of Radicale that answers 429 with Retry-After, as a proxy would.
"""

from __future__ import annotations

import datetime as dt
import itertools
import pathlib
import shutil
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import Any

import pytest

from bridge.ical.times import recurrence_text, utc_stamp
from bridge.providers import ExternalEvent
from bridge.providers.caldav.provider import CalDavCalendarProvider
from tests.providers.caldav_fixtures import delete_object, put_object, vcalendar
from tests.providers.contract import HOUR, OutsideWorld, ProviderContract
from tests.stock_radicale import USERS, WsgiApp, running_radicale
from tests.sync_fixtures import LOOPBACK


class Throttle:
    """WSGI middleware: a request meets 429 with the next queued Retry-After, if one is queued."""

    def __init__(self) -> None:
        self.retry_after: list[int] = []
        self._app: WsgiApp | None = None

    def wrap(self, app: WsgiApp) -> WsgiApp:
        self._app = app
        return self

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if self.retry_after:
            seconds = self.retry_after.pop(0)
            headers = [("Retry-After", str(seconds)), ("Content-Length", "0")]
            start_response("429 Too Many Requests", headers)
            return [b""]
        assert self._app is not None
        return self._app(environ, start_response)


def vevent(uid: str, summary: str, start: dt.datetime, end: dt.datetime, *extra: str) -> str:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        "DTSTAMP:20291201T070000Z",
        f"DTSTART:{utc_stamp(start)}",
        f"DTEND:{utc_stamp(end)}",
        *extra,
        f"SUMMARY:{summary}",
        "END:VEVENT",
    ]
    return "\n".join(lines)


class CalDavWorld(OutsideWorld):
    def __init__(
        self,
        provider: CalDavCalendarProvider,
        calendar_url: str,
        root: pathlib.Path,
        throttle: Throttle,
    ) -> None:
        self.provider = provider
        self.calendar_id = calendar_url
        self.root = root
        self.throttle = throttle
        self.objects: dict[str, tuple[str, dt.datetime, dt.datetime]] = {}
        """Name of each object another client wrote, with its start and end."""
        self._names = itertools.count(1)

    def insert(self, summary: str, start: dt.datetime, end: dt.datetime) -> None:
        name = f"outside-{next(self._names)}.ics"
        put_object(self.calendar_id, name, vcalendar(vevent(f"{name}@other", summary, start, end)))
        self.objects[name] = (summary, start, end)

    def edit(self, event: ExternalEvent, summary: str) -> None:
        name = self._name(event)
        _, start, end = self.objects[name]
        put_object(self.calendar_id, name, vcalendar(vevent(f"{name}@other", summary, start, end)))

    def remove(self, event: ExternalEvent) -> None:
        delete_object(self.calendar_id + self._name(event))

    def insert_weekly(
        self,
        summary: str,
        first: dt.datetime,
        count: int,
        renamed: Mapping[dt.datetime, str],
        cancelled: Collection[dt.datetime],
    ) -> None:
        uid = "weekly@other"
        exdates = [f"EXDATE:{recurrence_text(start)}" for start in cancelled]
        master = vevent(
            uid, summary, first, first + HOUR, f"RRULE:FREQ=WEEKLY;COUNT={count}", *exdates
        )
        overrides = [
            vevent(uid, name, start, start + HOUR, f"RECURRENCE-ID:{recurrence_text(start)}")
            for start, name in renamed.items()
        ]
        put_object(self.calendar_id, "weekly.ics", vcalendar(master, *overrides))

    def expire_cursors(self) -> None:
        for tokens in (self.root / "collections").rglob("sync-token"):
            shutil.rmtree(tokens)

    def revoke_grant(self) -> None:
        users = {**USERS, "alice": "a new password"}
        (self.root / "users").write_text("".join(f"{u}:{p}\n" for u, p in users.items()))

    def rate_limit(self, retry_after: int) -> None:
        self.throttle.retry_after.append(retry_after)

    def _name(self, event: ExternalEvent) -> str:
        return event.id.rpartition("/")[2]


class TestCalDavProvider(ProviderContract):
    @pytest.fixture
    def world(self, tmp_path: pathlib.Path) -> Iterator[OutsideWorld]:
        throttle = Throttle()
        with running_radicale(tmp_path, wrap=throttle.wrap) as server:
            calendar_url = server.make_calendar("alice", "work")
            provider = CalDavCalendarProvider(
                server.url + "/", server.user, server.password, allowed_networks=LOOPBACK
            )
            yield CalDavWorld(provider, calendar_url, tmp_path, throttle)
            provider.close()
