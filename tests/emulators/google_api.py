"""Routing and authorization of Calendar API v3 calls, for plain and batched requests alike.

Each call needs a live Bearer access token whose scopes cover the method
(401 authError otherwise, 403 insufficientPermissions for too narrow a
grant), then runs against the in-memory calendars under the state lock.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from tests.emulators import google_errors as errors
from tests.emulators.clock import Clock
from tests.emulators.google_errors import ApiError
from tests.emulators.google_event_list import EventQuery, list_events
from tests.emulators.google_events import EventService
from tests.emulators.google_http import Call, Reply
from tests.emulators.google_oauth import OAuthServer
from tests.emulators.google_push import PushHub
from tests.emulators.google_store import Calendar, CalendarStore

SCOPE = "https://www.googleapis.com/auth/calendar"
READ = frozenset({SCOPE, f"{SCOPE}.readonly", f"{SCOPE}.events", f"{SCOPE}.events.readonly"})
WRITE = frozenset({SCOPE, f"{SCOPE}.events"})
CALENDAR_LIST = frozenset(
    {SCOPE, f"{SCOPE}.readonly", f"{SCOPE}.calendarlist", f"{SCOPE}.calendarlist.readonly"}
)
CALENDAR = r"/calendar/v3/calendars/(?P<calendar_id>[^/]+)"
EVENT = CALENDAR + r"/events/(?P<event_id>[^/]+)"

Handler = Callable[..., Reply]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    endpoint: str  # Google's method name, the key of the request counters
    scopes: frozenset[str]
    handler: Handler


class CalendarApi:
    def __init__(
        self,
        store: CalendarStore,
        events: EventService,
        oauth: OAuthServer,
        push: PushHub,
        clock: Clock,
        lock: threading.RLock,
    ) -> None:
        self.store = store
        self.events = events
        self.oauth = oauth
        self.push = push
        self.clock = clock
        self.lock = lock
        table: list[tuple[str, str, str, frozenset[str], Handler]] = [
            (
                "GET",
                "/calendar/v3/users/me/calendarList",
                "calendarList.list",
                CALENDAR_LIST,
                self._calendar_list,
            ),
            ("GET", CALENDAR + "/events", "events.list", READ, self._list),
            ("POST", CALENDAR + "/events", "events.insert", WRITE, self._insert),
            ("POST", CALENDAR + "/events/watch", "events.watch", READ, self._watch),
            ("GET", EVENT, "events.get", READ, self._get),
            ("PATCH", EVENT, "events.patch", WRITE, self._patch),
            ("PUT", EVENT, "events.update", WRITE, self._update),
            ("DELETE", EVENT, "events.delete", WRITE, self._delete),
            (
                "POST",
                "/calendar/v3/channels/stop",
                "channels.stop",
                READ | CALENDAR_LIST,
                self._stop,
            ),
        ]
        self.routes = [
            Route(method, re.compile(pattern + "$"), "calendar." + name, scopes, handler)
            for method, pattern, name, scopes, handler in table
        ]

    def endpoint_of(self, method: str, path: str) -> str:
        """The counter key of a call, e.g. "calendar.events.list"; "unknown" if unrouted."""
        found = self._route(method, path)
        return found[0].endpoint if found else "unknown"

    def handle(self, call: Call) -> Reply:
        found = self._route(call.method, call.path)
        try:
            with self.lock:
                user = self._authorize(call, found[0].scopes if found else READ)
                if found is None:
                    raise errors.not_found()
                route, arguments = found
                return route.handler(call, user, **arguments)
        except ApiError as error:
            return Reply.error(error)

    def _route(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            match = route.pattern.match(path)
            if match and route.method == method:
                return route, match.groupdict()
        return None

    def _authorize(self, call: Call, scopes: frozenset[str]) -> str:
        scheme, _, token = call.headers.get("authorization", "").partition(" ")
        access = self.oauth.authenticate(token) if scheme.lower() == "bearer" else None
        if access is None:
            raise errors.auth_error()
        if not scopes.intersection(access.scopes):
            raise errors.insufficient_scopes()
        return access.user

    def _calendar_list(self, call: Call, user: str) -> Reply:
        def entries() -> list[dict[str, object]]:
            return [_list_entry(calendar) for calendar in self.store.calendars_of(user)]

        items, cursor = self.store.paginate(
            f"calendarList:{user}",
            call.param("pageToken"),
            call.page_size(100, 250),
            entries,
            sync=False,
        )
        body = {"kind": "calendar#calendarList", "etag": f'"c{self.store.seq:016d}"'}
        return Reply.json(200, {**body, "items": items, **cursor})

    def _list(self, call: Call, user: str, calendar_id: str) -> Reply:
        calendar = self.store.calendar_for(user, calendar_id)
        query = EventQuery.parse(call)
        return Reply.json(200, list_events(self.store, calendar, query, self.clock.now()))

    def _insert(self, call: Call, user: str, calendar_id: str) -> Reply:
        calendar = self.store.calendar_for(user, calendar_id)
        event = self.events.insert(calendar, call.json_body(), call.param("sendUpdates"))
        return _event_reply(event)

    def _get(self, call: Call, user: str, calendar_id: str, event_id: str) -> Reply:
        event = self.events.get(self.store.calendar_for(user, calendar_id), event_id)
        if call.headers.get("if-none-match") == event["etag"]:
            return Reply(304, {"ETag": event["etag"]})
        return _event_reply(event)

    def _patch(self, call: Call, user: str, calendar_id: str, event_id: str) -> Reply:
        event = self.events.patch(
            self.store.calendar_for(user, calendar_id),
            event_id,
            call.json_body(),
            call.headers.get("if-match"),
            call.param("sendUpdates"),
        )
        return _event_reply(event)

    def _update(self, call: Call, user: str, calendar_id: str, event_id: str) -> Reply:
        event = self.events.update(
            self.store.calendar_for(user, calendar_id),
            event_id,
            call.json_body(),
            call.headers.get("if-match"),
            call.param("sendUpdates"),
        )
        return _event_reply(event)

    def _delete(self, call: Call, user: str, calendar_id: str, event_id: str) -> Reply:
        self.events.delete(
            self.store.calendar_for(user, calendar_id),
            event_id,
            call.headers.get("if-match"),
            call.param("sendUpdates"),
        )
        return Reply.empty()

    def _watch(self, call: Call, user: str, calendar_id: str) -> Reply:
        calendar = self.store.calendar_for(user, calendar_id)
        uri = f"{call.base_url}/calendar/v3/calendars/{quote(calendar.id, safe='')}/events?alt=json"
        channel = self.push.watch(calendar.id, calendar.resource_id, uri, call.json_body())
        return Reply.json(200, channel)

    def _stop(self, call: Call, user: str) -> Reply:
        self.push.stop(call.json_body())
        return Reply.empty()


def _event_reply(event: dict[str, object]) -> Reply:
    return Reply.json(200, event, {"ETag": str(event["etag"])})


def _list_entry(calendar: Calendar) -> dict[str, object]:
    entry: dict[str, object] = {
        "kind": "calendar#calendarListEntry",
        "etag": f'"e{len(calendar.events):016d}"',
        "id": calendar.id,
        "summary": calendar.summary,
        "timeZone": calendar.time_zone,
        "accessRole": "owner",
        "defaultReminders": [],
        "selected": True,
    }
    return entry | ({"primary": True} if calendar.primary else {})
