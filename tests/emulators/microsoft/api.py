"""Microsoft Graph v1.0 routes for the signed-in user's calendars, events and subscriptions.

Each route is one documented operation; `endpoint_of` names it for request
counting (also for calls that fail authentication). Handlers take a `Call`
and return a `Reply`, so `$batch` parts run through exactly the same code.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from tests.emulators.microsoft import errors, render, times
from tests.emulators.microsoft.delta import DeltaTracker
from tests.emulators.microsoft.errors import GraphError
from tests.emulators.microsoft.events import EventService
from tests.emulators.microsoft.http import Call, Reply
from tests.emulators.microsoft.oauth import IdentityPlatform
from tests.emulators.microsoft.store import Calendar, Store, User
from tests.emulators.microsoft.subscriptions import SubscriptionHub
from tests.emulators.microsoft.times import Preferences

Handler = Callable[[Call, User, dict[str, str]], Reply]
CAL = r"(?:calendar|calendars/(?P<cal>[^/]+))"
DEFAULT_PAGE = 10


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    name: str
    handler: str


def _r(method: str, pattern: str, name: str, handler: str) -> Route:
    return Route(method, re.compile(f"^/{pattern}/?$", re.I), name, handler)


ROUTES = [
    _r("GET", "me", "me.get", "get_me"),
    _r("GET", "me/calendars", "calendars.list", "list_calendars"),
    _r("GET", CAL, "calendars.get", "get_calendar"),
    _r(
        "GET",
        f"me/(?:{CAL}/)?calendarView/(?:microsoft\\.graph\\.)?delta(?:\\(\\))?",
        "delta",
        "delta_page",
    ),
    _r("GET", f"me/(?:{CAL}/)?calendarView", "calendarView.list", "calendar_view"),
    _r("POST", f"me/(?:{CAL}/)?events", "events.create", "create_event"),
    _r("GET", f"me/(?:{CAL}/)?events", "events.list", "list_events"),
    _r("GET", f"me/(?:{CAL}/)?events/(?P<id>[^/]+)", "events.get", "get_event"),
    _r("PATCH", f"me/(?:{CAL}/)?events/(?P<id>[^/]+)", "events.update", "update_event"),
    _r("DELETE", f"me/(?:{CAL}/)?events/(?P<id>[^/]+)", "events.delete", "delete_event"),
    _r("POST", "subscriptions", "subscriptions.create", "create_subscription"),
    _r("GET", "subscriptions", "subscriptions.list", "list_subscriptions"),
    _r("GET", "subscriptions/(?P<sub>[^/]+)", "subscriptions.get", "get_subscription"),
    _r("PATCH", "subscriptions/(?P<sub>[^/]+)", "subscriptions.update", "update_subscription"),
    _r("DELETE", "subscriptions/(?P<sub>[^/]+)", "subscriptions.delete", "delete_subscription"),
]
# `me/calendar` alone is a calendar, not `me/calendars`; fix the pattern's leading "me/".
ROUTES[2] = _r("GET", f"me/{CAL}", "calendars.get", "get_calendar")


class GraphApi:
    def __init__(
        self,
        store: Store,
        events: EventService,
        oauth: IdentityPlatform,
        delta: DeltaTracker,
        hub: SubscriptionHub,
        lock: threading.RLock,
    ) -> None:
        self.store = store
        self.events = events
        self.oauth = oauth
        self.delta = delta
        self.hub = hub
        self.lock = lock

    def endpoint_of(self, method: str, path: str) -> str:
        route = self._match(method, path)
        return route[0].name if route else "unknown"

    def handle(self, call: Call) -> Reply:
        try:
            matched = self._match(call.method, call.path)
            if matched is None:
                raise errors.no_route(call.path)
            route, args = matched
            user = self._authenticate(call)
            handler: Handler = getattr(self, route.handler)
            return handler(call, user, args)
        except GraphError as error:
            return Reply.error(error)

    # --- users and calendars -------------------------------------------------

    def get_me(self, call: Call, user: User, args: dict[str, str]) -> Reply:
        given, _, surname = user.display_name.partition(" ")
        return Reply.json(
            200,
            {
                "@odata.context": f"{call.base_url}/v1.0/$metadata#users/$entity",
                "businessPhones": [],
                "displayName": user.display_name,
                "givenName": given,
                "jobTitle": None,
                "mail": user.mail,
                "mobilePhone": None,
                "officeLocation": None,
                "preferredLanguage": "en-US",
                "surname": surname or None,
                "userPrincipalName": user.mail,
                "id": user.id,
            },
        )

    def list_calendars(self, call: Call, user: User, args: dict[str, str]) -> Reply:
        with self.lock:
            calendars = [c.resource() for c in self.store.calendars_of(user)]
        prefs = Preferences.parse(call.header("prefer"))
        return self._page(call, calendars, f"users('{quote(user.mail)}')/calendars", prefs)

    def get_calendar(self, call: Call, user: User, args: dict[str, str]) -> Reply:
        with self.lock:
            calendar = self._calendar(user, args)
            body = calendar.resource()
        context = f"{call.base_url}/v1.0/$metadata#users('{quote(user.mail)}')/calendars/$entity"
        return Reply.json(200, {"@odata.context": context, **body})

    # --- events ----------------------------------------------------------------

    def create_event(self, call: Call, user: User, args: dict[str, str]) -> Reply:
        body = call.json_body()
        prefs = Preferences.parse(call.header("prefer"))
        with self.lock:
            calendar = self._calendar(user, args)
            instance, _ = self.events.create(calendar, body, via_api=True)
            resource = render.event(instance, user, prefs)
        return self._event_reply(201, call, user, resource, prefs)

    def get_event(self, call: Call, user: User, args: dict[str, str]) -> Reply:
        prefs = Preferences.parse(call.header("prefer"))
        expand = render.extended_filter(call.param("$expand"))
        with self.lock:
            _, instance = self._instance(user, args)
            resource = render.event(instance, user, prefs, expand=expand)
        return self._event_reply(200, call, user, _select(resource, call.param("$select")), prefs)

    def update_event(self, call: Call, user: User, args: dict[str, str]) -> Reply:
        body = call.json_body()
        prefs = Preferences.parse(call.header("prefer"))
        with self.lock:
            calendar, instance = self._instance(user, args)
            updated = self.events.patch(
                calendar, instance.id, body, via_api=True, if_match=call.header("if-match")
            )
            resource = render.event(updated, user, prefs)
        return self._event_reply(200, call, user, resource, prefs)

    def delete_event(self, call: Call, user: User, args: dict[str, str]) -> Reply:
        with self.lock:
            calendar, instance = self._instance(user, args)
            self.events.delete(
                calendar, instance.id, via_api=True, if_match=call.header("if-match")
            )
        return Reply.empty(204)

    def list_events(self, call: Call, user: User, args: dict[str, str]) -> Reply:
        prefs = Preferences.parse(call.header("prefer"))
        with self.lock:
            calendar = self._calendar(user, args)
            items = [
                render.event(i, user, prefs)
                for i in (
                    self.store.instance(calendar, item_id) for item_id in list(calendar.items)
                )
                if i is not None
            ]
        return self._page(call, items, f"users('{quote(user.mail)}')/events", prefs)

    def calendar_view(self, call: Call, user: User, args: dict[str, str]) -> Reply:
        prefs = Preferences.parse(call.header("prefer"))
        start, end = call.param("startDateTime"), call.param("endDateTime")
        if not start or not end:
            raise GraphError(
                400,
                "ErrorInvalidParameter",
                "This request requires a time window specified by the query string parameters "
                "StartDateTime and EndDateTime.",
            )
        with self.lock:
            calendar = self._calendar(user, args)
            found = self.store.instances(
                calendar, times.parse_instant(start), times.parse_instant(end)
            )
            items = [render.event(i, user, prefs) for i in found]
        return self._page(call, items, f"users('{quote(user.mail)}')/calendarView", prefs)

    def delta_page(self, call: Call, user: User, args: dict[str, str]) -> Reply:
        prefs = Preferences.parse(call.header("prefer"))
        params = {
            name: call.param(name)
            for name in ("startdatetime", "enddatetime", "skiptoken", "deltatoken")
        }
        with self.lock:
            calendar = self._calendar(user, args)
            reply = self.delta.page(
                calendar, user, params, prefs, call.base_url + "/v1.0" + call.path
            )
        return Reply.json(200, reply, prefs.applied(paged=True))

    # --- subscriptions ---------------------------------------------------------

    def create_subscription(self, call: Call, user: User, args: dict[str, str]) -> Reply:
        body = call.json_body()
        with self.lock:
            subscription = self.hub.check(body, user, self._client_id(call))
        self.hub.validate_endpoint(subscription.notification_url)
        if subscription.lifecycle_url:
            self.hub.validate_endpoint(subscription.lifecycle_url)
        with self.lock:
            self.hub.subscriptions[subscription.id] = subscription
            payload = subscription.resource_body()
        context = f"{call.base_url}/v1.0/$metadata#subscriptions/$entity"
        return Reply.json(201, {"@odata.context": context, **payload})

    def list_subscriptions(self, call: Call, user: User, args: dict[str, str]) -> Reply:
        with self.lock:
            subs = [s.resource_body() for s in self.hub.subscriptions.values() if s.user is user]
        return Reply.json(
            200, {"@odata.context": f"{call.base_url}/v1.0/$metadata#subscriptions", "value": subs}
        )

    def get_subscription(self, call: Call, user: User, args: dict[str, str]) -> Reply:
        with self.lock:
            payload = self.hub.get(args["sub"]).resource_body()
        context = f"{call.base_url}/v1.0/$metadata#subscriptions/$entity"
        return Reply.json(200, {"@odata.context": context, **payload})

    def update_subscription(self, call: Call, user: User, args: dict[str, str]) -> Reply:
        body = call.json_body()
        with self.lock:
            payload = self.hub.renew(args["sub"], body).resource_body()
        context = f"{call.base_url}/v1.0/$metadata#subscriptions/$entity"
        return Reply.json(200, {"@odata.context": context, **payload})

    def delete_subscription(self, call: Call, user: User, args: dict[str, str]) -> Reply:
        with self.lock:
            self.hub.get(args["sub"])
            del self.hub.subscriptions[args["sub"]]
        return Reply.empty(204)

    # --- helpers ---------------------------------------------------------------

    def _match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in ROUTES:
            match = route.pattern.match(path)
            if match and route.method == method.upper():
                return route, {k: v for k, v in match.groupdict().items() if v is not None}
        return None

    def _authenticate(self, call: Call) -> User:
        scheme, _, token = (call.header("authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise errors.unauthenticated("Access token is empty.")
        with self.lock:
            access = self.oauth.authenticate(token.strip())
            if access is None:
                known = token.strip() in self.oauth.access_tokens
                raise errors.unauthenticated(
                    "Lifetime validation failed, the token is expired."
                    if known
                    else "IDX14100: JWT is not well formed, there are no dots (.)."
                )
            return self.store.user(access.user)

    def _client_id(self, call: Call) -> str:
        _, _, token = (call.header("authorization") or "").partition(" ")
        access = self.oauth.access_tokens.get(token.strip())
        return access.grant.client_id if access else ""

    def _calendar(self, user: User, args: dict[str, str]) -> Calendar:
        if "cal" in args:
            return self.store.calendar(user, args["cal"])
        return self.store.default_calendar(user)

    def _instance(self, user: User, args: dict[str, str]) -> tuple[Calendar, Any]:
        if "cal" in args:
            calendar = self.store.calendar(user, args["cal"])
            instance = self.store.instance(calendar, args["id"])
            if instance is None:
                raise errors.not_found()
            return calendar, instance
        return self.store.find(user, args["id"])

    @staticmethod
    def _event_reply(
        status: int, call: Call, user: User, resource: dict[str, Any], prefs: Preferences
    ) -> Reply:
        context = f"{call.base_url}/v1.0/$metadata#users('{quote(user.mail)}')/events/$entity"
        return Reply.json(status, {"@odata.context": context, **resource}, prefs.applied())

    @staticmethod
    def _page(call: Call, items: list[dict[str, Any]], context: str, prefs: Preferences) -> Reply:
        top = call.param("$top")
        skip = call.param("$skip")
        size = int(top) if top and top.isdigit() else prefs.max_page_size or DEFAULT_PAGE
        offset = int(skip) if skip and skip.isdigit() else 0
        body: dict[str, Any] = {
            "@odata.context": f"{call.base_url}/v1.0/$metadata#{context}",
            "value": items[offset : offset + size],
        }
        if offset + size < len(items):
            kept = [(k, v) for k, v in call.query if k.lower().lstrip("$") not in ("skip", "top")]
            query = "&".join(f"{k}={quote(v, safe='')}" for k, v in kept)
            link = f"{call.base_url}/v1.0{call.path}?{query + '&' if query else ''}"
            body["@odata.nextLink"] = link + f"$top={size}&$skip={offset + size}"
        return Reply.json(200, body, prefs.applied(paged=True))


def _select(resource: dict[str, Any], select: str | None) -> dict[str, Any]:
    if not select:
        return resource
    wanted = {s.strip() for s in select.split(",")} | {"id", "@odata.etag"}
    return {
        k: v for k, v in resource.items() if k in wanted or k == "singleValueExtendedProperties"
    }
