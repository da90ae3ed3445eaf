"""The external calendar in the sync scenarios, whichever provider holds it.

Each side connects alice's account through the real connect path and lets
a test act as the calendar's owner would in their calendar app (add, edit,
delete events) and read back what the calendar holds, independently of
CalBridge's own provider code: the Google side reads the emulator's store,
the Microsoft side the Graph emulator's mailbox, the CalDAV side stock
Radicale's files on disk.
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
from bridge.providers.microsoft.events import STAMP_PROPERTY
from tests.emulators.google_calendar import GoogleEmulator
from tests.emulators.microsoft import GraphEmulator, render
from tests.emulators.microsoft import times as graph_times
from tests.emulators.microsoft.store import parse_occurrence_id
from tests.emulators.microsoft.times import Preferences
from tests.providers import microsoft_samples
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


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
FAR_PAST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
FAR_FUTURE = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


class MicrosoftSide:
    """The mailbox's default calendar at the Graph emulator, edited as its owner in Outlook.

    Writes go through the emulator's owner hooks (they bump change keys,
    feed delta and mail no one); reads take the mailbox's events with every
    extended property, series expanded as a calendar view shows them.
    """

    kind = "microsoft"

    def __init__(self, graph: GraphEmulator, account: CalendarAccount) -> None:
        self.graph = graph
        self.account = account
        self.calendar = graph.state.default_calendar()

    def add(
        self,
        summary: str,
        start: dt.datetime,
        *,
        private: bool = False,
        description: str = "",
        weekly: int = 0,
    ) -> str:
        body = microsoft_samples.utc_body(
            summary,
            start,
            start + dt.timedelta(hours=1),
            body={"contentType": "text", "content": description},
        )
        if private:
            body["sensitivity"] = "private"
        if weekly:
            body["recurrence"] = _weekly(start, weekly)
        return str(self.graph.state.insert_event(self.calendar, body)["id"])

    def edit(self, handle: str, summary: str) -> None:
        self.graph.state.patch_event(self.calendar, handle, {"subject": summary})

    def remove(self, handle: str) -> None:
        self.graph.state.delete_event(self.calendar, handle)

    def connect_again(self, accounts: CalendarAccounts, login: str) -> CalendarAccount:
        tokens = microsoft_samples.issued_tokens(self.graph)
        self.account = accounts.connect_tokens(login, "microsoft", tokens)
        return self.account

    def cancel(self, occurrence: SeenEvent) -> None:
        parsed = parse_occurrence_id(occurrence.handle)
        assert parsed is not None, f"{occurrence.handle} is no occurrence of a series"
        series_id, original_start = parsed
        self.graph.state.cancel_occurrence(self.calendar, series_id, original_start)

    def shorten(self, handle: str, count: int) -> None:
        master = self.graph.state.events(self.calendar)[handle]
        first = graph_times.instant(master["start"])
        self.graph.state.patch_event(self.calendar, handle, {"recurrence": _weekly(first, count)})

    def add_calendar(self, name: str) -> str:
        return self.graph.state.add_calendar(name)

    def events(self, calendar_id: str | None = None) -> list[SeenEvent]:
        state = self.graph.state
        with state.lock:
            calendar = state.store.calendars[calendar_id or self.calendar]
            resources = [
                render.event(instance, calendar.owner, Preferences(), expand=set(instance.extended))
                for instance in state.store.instances(calendar, FAR_PAST, FAR_FUTURE)
            ]
        return [_graph_seen(resource) for resource in resources]


def _weekly(first: dt.datetime, count: int) -> dict[str, Any]:
    return {
        "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": [WEEKDAYS[first.weekday()]]},
        "range": {
            "type": "numbered",
            "startDate": first.date().isoformat(),
            "numberOfOccurrences": count,
        },
    }


def _graph_seen(resource: dict[str, Any]) -> SeenEvent:
    start: dt.datetime | dt.date = graph_times.instant(resource["start"])
    if resource.get("isAllDay"):
        start = graph_times.parse_local(resource["start"]["dateTime"]).date()
    body = resource.get("body") or {}
    text = body.get("content") or ""
    if body.get("contentType") == "html":
        text = render.html_to_text(text)
    stamps = [
        prop["value"]
        for prop in resource.get("singleValueExtendedProperties") or ()
        if prop["id"].lower() == STAMP_PROPERTY.lower()
    ]
    return SeenEvent(
        handle=resource["id"],
        summary=resource.get("subject") or "",
        description=text,
        location=(resource.get("location") or {}).get("displayName") or "",
        private=resource.get("sensitivity") in ("private", "confidential"),
        start=start,
        stamp=stamps[0] if stamps else None,
    )


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
