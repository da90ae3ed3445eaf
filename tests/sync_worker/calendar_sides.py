"""The external calendar in the sync scenarios, whichever provider holds it.

Each side connects alice's account through the real connect path and lets
a test act as the calendar's owner would in their calendar app (add, edit,
delete events) and read back what the calendar holds, independently of
CalBridge's own provider code: the Google side reads the emulator's store,
the CalDAV side reads stock Radicale's files on disk.
"""

from __future__ import annotations

import datetime as dt
import pathlib
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
import icalendar
import recurring_ical_events

from bridge.accounts import CalendarAccount
from bridge.calendar_accounts import CalendarAccounts
from tests.emulators.google_calendar import GoogleEmulator
from tests.providers.google_provider_samples import issued_tokens
from tests.stock_radicale import RadicaleServer


@dataclass(frozen=True)
class SeenEvent:
    """An event as the calendar holds it; `stamp` is the activity id CalBridge wrote, if any."""

    handle: str
    summary: str
    description: str
    location: str
    private: bool
    start: dt.datetime | dt.date
    stamp: str | None


class CalendarSide(Protocol):
    kind: str
    account: CalendarAccount

    def add(
        self,
        summary: str,
        start: dt.datetime,
        *,
        private: bool = False,
        description: str = "",
        weekly: int = 0,
    ) -> str:
        """Create an event (with `weekly` > 0: a weekly series of that many); its handle."""

    def edit(self, handle: str, summary: str) -> None: ...

    def remove(self, handle: str) -> None: ...

    def cancel(self, occurrence: SeenEvent) -> None:
        """Cancel one occurrence of a series, as "delete only this event" does."""

    def shorten(self, handle: str, count: int) -> None:
        """Cut a weekly series down to its first `count` occurrences."""

    def events(self, calendar_id: str | None = None) -> list[SeenEvent]:
        """The calendar's events (or another's of the account), series expanded."""

    def add_calendar(self, name: str) -> str:
        """Another calendar of the account; its id as the provider names it."""

    def connect_again(self, accounts: CalendarAccounts, login: str) -> CalendarAccount:
        """Connect the same external account once more (after a disconnect); the new one."""


class GoogleSide:
    kind = "google"
    calendar = "user@example.com"

    def __init__(self, google: GoogleEmulator, url: str, account: CalendarAccount) -> None:
        self.google = google
        self.url = url
        self.account = account

    def add(
        self,
        summary: str,
        start: dt.datetime,
        *,
        private: bool = False,
        description: str = "",
        weekly: int = 0,
    ) -> str:
        body: dict[str, Any] = {
            "summary": summary,
            "description": description,
            "start": {"dateTime": start.isoformat()},
            "end": {"dateTime": (start + dt.timedelta(hours=1)).isoformat()},
        }
        if private:
            body["visibility"] = "private"
        if weekly:
            body["recurrence"] = [f"RRULE:FREQ=WEEKLY;COUNT={weekly}"]
            body["start"]["timeZone"] = body["end"]["timeZone"] = "UTC"
        return self.google.state.insert_event(self.calendar, body)["id"]

    def edit(self, handle: str, summary: str) -> None:
        self.google.state.patch_event(self.calendar, handle, {"summary": summary})

    def remove(self, handle: str) -> None:
        self.google.state.delete_event(self.calendar, handle)

    def connect_again(self, accounts: CalendarAccounts, login: str) -> CalendarAccount:
        self.account = accounts.connect_tokens(login, "google", issued_tokens(self.google))
        return self.account

    def cancel(self, occurrence: SeenEvent) -> None:
        self.google.state.delete_event(self.calendar, occurrence.handle)

    def shorten(self, handle: str, count: int) -> None:
        rule = [f"RRULE:FREQ=WEEKLY;COUNT={count}"]
        self.google.state.patch_event(self.calendar, handle, {"recurrence": rule})

    def add_calendar(self, name: str) -> str:
        calendar_id = f"{name}@group.calendar.google.com"
        self.google.state.add_calendar(self.calendar, calendar_id, name)
        return calendar_id

    def events(self, calendar_id: str | None = None) -> list[SeenEvent]:
        """Read over HTTP with `singleEvents`, as a calendar app shows them (requests counted)."""
        token = self.google.state.issue_tokens()["access_token"]
        url = f"{self.url}/calendar/v3/calendars/{calendar_id or self.calendar}/events"
        params = {"singleEvents": "true", "maxResults": "2500"}
        with httpx.Client(headers={"Authorization": f"Bearer {token}"}, trust_env=False) as http:
            items = http.get(url, params=params).raise_for_status().json()["items"]
        return [
            SeenEvent(
                handle=event["id"],
                summary=event.get("summary", ""),
                description=event.get("description", ""),
                location=event.get("location", ""),
                private=event.get("visibility") == "private",
                start=_google_start(event["start"]),
                stamp=event.get("extendedProperties", {})
                .get("private", {})
                .get("calbridgeActivity"),
            )
            for event in items
        ]


def _google_start(start: dict[str, str]) -> dt.datetime | dt.date:
    if "date" in start:
        return dt.date.fromisoformat(start["date"])
    return dt.datetime.fromisoformat(start["dateTime"].replace("Z", "+00:00"))


class CalDavSide:
    """alice's calendar `work` on stock Radicale; writes over HTTP, reads Radicale's files."""

    kind = "caldav"

    def __init__(
        self, server: RadicaleServer, root: pathlib.Path, account: CalendarAccount
    ) -> None:
        self.server = server
        self.folder = root / "collections" / "collection-root" / server.user / "work"
        self.calendar_url = server.calendar_url(server.user, "work")
        self.account = account
        self._http = httpx.Client(auth=(server.user, server.password), trust_env=False)

    def add(
        self,
        summary: str,
        start: dt.datetime,
        *,
        private: bool = False,
        description: str = "",
        weekly: int = 0,
    ) -> str:
        event = icalendar.Event()
        event.add("UID", f"{uuid.uuid4()}@owner.test")
        event.add("DTSTAMP", dt.datetime.now(dt.UTC))
        event.add("SUMMARY", summary)
        event.add("DESCRIPTION", description)
        event.add("DTSTART", start)
        event.add("DTEND", start + dt.timedelta(hours=1))
        if private:
            event.add("CLASS", "PRIVATE")
        if weekly:
            event.add("RRULE", {"FREQ": "WEEKLY", "COUNT": weekly})
        handle = f"{event['UID']}.ics"
        self._put(handle, event)
        return handle

    def edit(self, handle: str, summary: str) -> None:
        calendar = icalendar.Calendar.from_ical((self.folder / handle).read_bytes())
        event = next(iter(calendar.walk("VEVENT")))
        event["SUMMARY"] = icalendar.vText(summary)
        now = icalendar.vDDDTypes(dt.datetime.now(dt.UTC))
        event["DTSTAMP"] = event["LAST-MODIFIED"] = now
        self._put(handle, event)

    def remove(self, handle: str) -> None:
        self._http.delete(self.calendar_url + handle).raise_for_status()

    def connect_again(self, accounts: CalendarAccounts, login: str) -> CalendarAccount:
        server = self.server
        self.account = accounts.connect(
            login,
            "caldav",
            {"url": server.url, "username": server.user, "password": server.password},
        )
        return self.account

    def cancel(self, occurrence: SeenEvent) -> None:
        calendar = icalendar.Calendar.from_ical((self.folder / occurrence.handle).read_bytes())
        master = next(iter(calendar.walk("VEVENT")))
        master.add("EXDATE", occurrence.start)
        self._put(occurrence.handle, master)

    def shorten(self, handle: str, count: int) -> None:
        calendar = icalendar.Calendar.from_ical((self.folder / handle).read_bytes())
        master = next(iter(calendar.walk("VEVENT")))
        master["RRULE"] = icalendar.vRecur({"FREQ": "WEEKLY", "COUNT": count})
        self._put(handle, master)

    def add_calendar(self, name: str) -> str:
        return self.server.make_calendar(self.server.user, name)

    def events(self, calendar_id: str | None = None) -> list[SeenEvent]:
        folder = self.folder
        if calendar_id is not None:
            folder = self.folder.parent / calendar_id.rstrip("/").rsplit("/", 1)[-1]
        seen = []
        for path in sorted(folder.glob("*.ics")):
            calendar = icalendar.Calendar.from_ical(path.read_bytes())
            occurrences = recurring_ical_events.of(calendar).between(
                dt.datetime(2000, 1, 1, tzinfo=dt.UTC), dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
            )
            seen += [_seen(path.name, event) for event in occurrences]
        return seen

    def close(self) -> None:
        self._http.close()

    def _put(self, handle: str, event: icalendar.Event) -> None:
        calendar = icalendar.Calendar()
        calendar.add("PRODID", "-//Owner's calendar app//EN")
        calendar.add("VERSION", "2.0")
        calendar.add_component(event)
        self._http.put(
            self.calendar_url + handle,
            content=calendar.to_ical(),
            headers={"Content-Type": "text/calendar; charset=utf-8"},
        ).raise_for_status()


def _seen(handle: str, event: icalendar.Event) -> SeenEvent:
    stamp = event.get("X-CALBRIDGE-ACTIVITY-ID")
    return SeenEvent(
        handle=handle,
        summary=str(event.get("SUMMARY", "")),
        description=str(event.get("DESCRIPTION", "")),
        location=str(event.get("LOCATION", "")),
        private=str(event.get("CLASS", "")).upper() in ("PRIVATE", "CONFIDENTIAL"),
        start=event.decoded("DTSTART"),
        stamp=None if stamp is None else str(stamp),
    )
