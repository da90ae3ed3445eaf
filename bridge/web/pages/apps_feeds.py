"""Settings → Calendar apps and feeds: the CalDAV address, app passwords and feed URLs.

What the page changes goes through the functions the CLI and the JSON API
use (`bridge.store.users` for app passwords, `bridge.feed_service` for
feeds), scoped to the signed-in user, so another user's password or feed is
"not found" here too. Every change is a plain form: revoking and rotating
ask first on a page of their own, and a done change is answered 303 back to
the page with a notice. A new secret (an app password, a feed URL) is the
one exception: it is answered on a page of its own, never in a URL, and it
is shown that once, since only its digest is stored.

Feed filters are not stored with the token; they are the URL's query
string, checked by the parser the feed endpoint itself uses, so the page
cannot build a URL the feed would refuse. Rotating asks for them again.

The addresses shown start from the `public_url` setting, or without one
from the address the browser used, which is what reached the app.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bridge.config import Settings
from bridge.domain import ActivityType, User
from bridge.errors import InvalidInput, NotFoundError, UserError
from bridge.feed_service import LABEL_MAX, FeedService, feed_url
from bridge.store.crm import list_activity_types
from bridge.store.db import writing
from bridge.store.feeds import FeedToken
from bridge.store.users import (
    AppPassword,
    add_app_password,
    credentials_version,
    list_app_passwords,
    revoke_app_password,
)
from bridge.web.feeds import FeedQuery, QueryError
from bridge.web.notices import redirect_with_notice, take_notice
from bridge.web.pages.forms import form_fields, parse_form
from bridge.web.pages.session import signed_in
from bridge.web.pages.templates import render

PAGE = "/settings/apps"
SCOPES = {"own": "My activities", "team": "My colleagues' activities (private ones as Busy)"}
NOTICES = {
    "password-revoked": "The app password was revoked: clients using it are signed out.",
    "feed-revoked": "The feed was revoked: its URL no longer works.",
}


class FieldError(InvalidInput):
    """A value of a form on this page, named by its field."""


def public_base(request: Request, settings: Settings) -> str:
    """Where people reach the app: the `public_url` setting, else the address in use."""
    if settings.public_url:
        return settings.public_url.rstrip("/")
    return str(request.base_url).rstrip("/")


def checked_label(fields: dict[str, str], *, required: bool) -> str:
    """The posted label, trimmed; an app password needs one, since the list tells them apart.

    Its length is the store's to check (and the feed service's), for every door.
    """
    label = fields.get("label", "").strip()
    if required and not label:
        raise FieldError("label must not be empty: name the device or app, like “iPhone”")
    return label


def feed_filters(fields: list[tuple[str, str]], known_types: frozenset[str]) -> dict[str, str]:
    """The query parameters a posted filter form asks for, checked as the feed checks them.

    No type ticked means every type; "include done" is a checkbox, so its
    absence means `done=0`; an empty number of days means no limit.
    """
    named = dict(fields)
    params: dict[str, str] = {}
    types = [value for name, value in fields if name == "types"]
    if types:
        params["types"] = ",".join(types)
    if "include_done" not in named:
        params["done"] = "0"
    for name in ("past_days", "future_days"):
        text = named.get(name, "").strip()
        if text:
            params[name] = text
    try:
        FeedQuery.parse(QueryParams(params), known_types)
    except QueryError as error:
        raise FieldError(str(error)) from None
    return params


def describe_filters(params: dict[str, str]) -> str:
    """A feed's filters in words, for the page that shows its URL."""
    parts = []
    if "types" in params:
        parts.append(f"types {params['types'].replace(',', ', ')}")
    if params.get("done") == "0":
        parts.append("without done activities")
    if "past_days" in params:
        parts.append(f"from {params['past_days']} days ago")
    if "future_days" in params:
        parts.append(f"up to {params['future_days']} days ahead")
    return "; ".join(parts) or "everything in the scope"


def confirm_page(
    request: Request,
    title: str,
    text: str,
    action: str,
    button: str,
    *,
    filter_types: list[ActivityType] | None = None,
) -> Response:
    """The page that asks before a revocation or rotation: no script needed to confirm.

    With `filter_types` it asks for the feed filters too (rotating makes a new URL).
    """
    context = {
        "title": title,
        "text": text,
        "action": action,
        "button": button,
        "types": filter_types or [],
        "with_filters": filter_types is not None,
    }
    return render(request, "settings_apps_confirm.html", context)


class AppsFeedsPages:
    """The routes of Settings → Calendar apps and feeds."""

    def __init__(self, engine: sa.Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self.feeds = FeedService(engine)

    def routes(self) -> list[BaseRoute]:
        guard = signed_in(self.engine)
        return [
            Route(PAGE, guard(self.show), methods=["GET", "HEAD"]),
            Route(f"{PAGE}/passwords", guard(self.create_password), methods=["POST"]),
            Route(
                f"{PAGE}/passwords/{{id:int}}/revoke", guard(self.revoke_password), methods=["POST"]
            ),
            Route(f"{PAGE}/feeds", guard(self.create_feed), methods=["POST"]),
            Route(f"{PAGE}/feeds/{{id:int}}/rotate", guard(self.rotate_feed), methods=["POST"]),
            Route(f"{PAGE}/feeds/{{id:int}}/revoke", guard(self.revoke_feed), methods=["POST"]),
        ]

    # -- reading ----------------------------------------------------------------

    def _passwords(self, login: str) -> list[AppPassword]:
        with self.engine.connect() as conn:
            return list_app_passwords(conn, login)

    def _live_feeds(self, login: str) -> list[FeedToken]:
        return [feed for feed in self.feeds.feeds(login) if not feed.revoked]

    def _types(self) -> list[ActivityType]:
        with self.engine.connect() as conn:
            return sorted(list_activity_types(conn).values(), key=lambda item: item.name)

    def _page_data(self, login: str) -> dict[str, Any]:
        return {
            "passwords": self._passwords(login),
            "feeds": self._live_feeds(login),
            "types": self._types(),
        }

    def _common(self, request: Request) -> dict[str, Any]:
        return {"caldav_url": f"{public_base(request, self.settings)}/dav/", "scopes": SCOPES}

    async def _page(
        self,
        request: Request,
        user: User,
        *,
        error: UserError | None = None,
        form: dict[str, str] | None = None,
    ) -> Response:
        data = await run_in_threadpool(self._page_data, user.login)
        context = {
            **self._common(request),
            **data,
            "error": str(error) if error else None,
            "form": form or {},
        }
        notice, failed = take_notice(request)
        context["notice"], context["error"] = notice, context["error"] or failed
        status = error.http_status if error else 200
        return render(request, "settings_apps.html", context, status_code=status)

    async def show(self, request: Request, user: User) -> Response:
        return await self._page(request, user)

    # -- app passwords ------------------------------------------------------------

    async def create_password(self, request: Request, user: User) -> Response:
        """The new password on a page of its own: the one time it is ever shown."""
        fields = parse_form(await request.body())
        try:
            label = checked_label(fields, required=True)
            secret = await run_in_threadpool(self._add_password, user.login, label)
        except UserError as error:
            return await self._page(
                request, user, error=error, form={"password_label": label_of(fields)}
            )
        return render(
            request,
            "settings_apps_secret.html",
            {**self._common(request), "secret": secret, "label": label, "what": "password"},
        )

    def _add_password(self, login: str, label: str) -> str:
        with writing(self.engine) as conn:
            return add_app_password(conn, login, label)

    async def revoke_password(self, request: Request, user: User) -> Response:
        password_id = request.path_params["id"]
        fields = parse_form(await request.body())
        passwords = await run_in_threadpool(self._passwords, user.login)
        found = next((item for item in passwords if item.id == password_id), None)
        try:
            if found is None:
                raise NotFoundError(f"no app password {password_id}")
            if fields.get("confirm") != "yes":
                return confirm_page(
                    request,
                    f"Revoke the app password “{found.label}”?",
                    "Calendar apps signed in with it are refused from now on, on every server. "
                    "The app's own calendars stay on the device.",
                    f"{PAGE}/passwords/{password_id}/revoke",
                    "Yes, revoke",
                )
            version = await run_in_threadpool(self._revoke_password, user.login, password_id)
        except UserError as error:
            return await self._page(request, user, error=error)
        # Revoking ends every session begun before it; the one that revoked carries on.
        request.session["version"] = version
        return redirect_with_notice(request, PAGE, NOTICES["password-revoked"])

    def _revoke_password(self, login: str, password_id: int) -> int | None:
        """Revokes; returns the user's new credentials version."""
        with writing(self.engine) as conn:
            revoke_app_password(conn, login, password_id)
            return credentials_version(conn, login)

    # -- feeds --------------------------------------------------------------------

    def _known_types(self) -> frozenset[str]:
        with self.engine.connect() as conn:
            return frozenset(list_activity_types(conn))

    async def _feed_answer(
        self, request: Request, token: str, label: str, scope: str, params: dict[str, str]
    ) -> Response:
        context = {
            **self._common(request),
            "secret": feed_url(public_base(request, self.settings), token, params),
            "label": label,
            "scope": scope,
            "filters": describe_filters(params),
            "what": "feed",
        }
        return render(request, "settings_apps_secret.html", context)

    async def create_feed(self, request: Request, user: User) -> Response:
        """The new feed's URL on a page of its own; its token is never shown again."""
        fields = form_fields(await request.body())
        named = dict(fields)
        try:
            label = checked_label(named, required=False)
            scope = named.get("scope", "")
            params = feed_filters(fields, await run_in_threadpool(self._known_types))
            token = await run_in_threadpool(self.feeds.create, user.login, scope, label)
        except UserError as error:
            return await self._page(
                request, user, error=error, form={"feed_label": label_of(named)}
            )
        return await self._feed_answer(request, token, label, scope, params)

    async def _own_feed(self, login: str, feed_id: int) -> FeedToken:
        feeds = await run_in_threadpool(self._live_feeds, login)
        found = next((feed for feed in feeds if feed.id == feed_id), None)
        if found is None:
            raise NotFoundError(f"no live feed {feed_id}")
        return found

    async def rotate_feed(self, request: Request, user: User) -> Response:
        """Asks first (with the filters the new URL should carry), then shows the new URL."""
        fields = form_fields(await request.body())
        try:
            feed = await self._own_feed(user.login, request.path_params["id"])
            if dict(fields).get("confirm") != "yes":
                return confirm_page(
                    request,
                    f"Rotate the feed “{feed.label or feed.id}”?",
                    "The feed gets a new URL and the old one stops working at once: "
                    "calendars subscribed to it must subscribe to the new one.",
                    f"{PAGE}/feeds/{feed.id}/rotate",
                    "Yes, rotate",
                    filter_types=await run_in_threadpool(self._types),
                )
            params = feed_filters(fields, await run_in_threadpool(self._known_types))
            token = await run_in_threadpool(self.feeds.rotate, feed.id, user.login)
        except UserError as error:
            return await self._page(request, user, error=error)
        return await self._feed_answer(request, token, feed.label, feed.scope, params)

    async def revoke_feed(self, request: Request, user: User) -> Response:
        fields = parse_form(await request.body())
        try:
            feed = await self._own_feed(user.login, request.path_params["id"])
            if fields.get("confirm") != "yes":
                return confirm_page(
                    request,
                    f"Revoke the feed “{feed.label or feed.id}”?",
                    "Its URL stops working at once; calendars subscribed to it "
                    "keep what they fetched last but get nothing new.",
                    f"{PAGE}/feeds/{feed.id}/revoke",
                    "Yes, revoke",
                )
            await run_in_threadpool(self.feeds.revoke, feed.id, user.login)
        except UserError as error:
            return await self._page(request, user, error=error)
        return redirect_with_notice(request, PAGE, NOTICES["feed-revoked"])


def label_of(fields: dict[str, str]) -> str:
    """The label as typed, to fill the form in again after an error."""
    return fields.get("label", "")[:LABEL_MAX]


def apps_feeds_routes(engine: sa.Engine, settings: Settings) -> list[BaseRoute]:
    """The routes of Settings → Calendar apps and feeds."""
    return AppsFeedsPages(engine, settings).routes()
