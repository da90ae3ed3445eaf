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
from collections.abc import Collection, Iterator, Mapping

import pytest

from bridge.ical.times import recurrence_text, utc_stamp
from bridge.providers import ExternalEvent
from bridge.providers.caldav.provider import CalDavCalendarProvider
from tests.providers.caldav_fixtures import Switch, delete_object, put_object, vcalendar
from tests.providers.contract import HOUR, OutsideWorld, ProviderContract
from tests.stock_radicale import USERS, running_radicale
from tests.sync_fixtures import LOOPBACK


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
        switch: Switch,
    ) -> None:
        self.provider = provider
        self.calendar_id = calendar_url
        self.root = root
        self.switch = switch
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
        self.switch.queued.append(("429 Too Many Requests", [("Retry-After", str(retry_after))]))

    def _name(self, event: ExternalEvent) -> str:
        return event.id.rpartition("/")[2]


class TestCalDavProvider(ProviderContract):
    @pytest.fixture
    def world(self, tmp_path: pathlib.Path) -> Iterator[OutsideWorld]:
        switch = Switch()
        with running_radicale(tmp_path, wrap=switch.wrap) as server:
            calendar_url = server.make_calendar("alice", "work")
            provider = CalDavCalendarProvider(
                server.url + "/", server.user, server.password, allowed_networks=LOOPBACK
            )
            yield CalDavWorld(provider, calendar_url, tmp_path, switch)
            provider.close()
