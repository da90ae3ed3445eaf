"""Settings → Activity types: the six defaults and custom ones, added and changed.

Types are shared by the whole workspace and CalBridge has no administrators
(DESIGN.md knows users only), so any signed-in user may add and change them;
the page says so. The checks and the consequences live in the store
(`bridge.store.crm.create_activity_type`, `update_activity_type`): a new
name or kind renders the type's activities again under new revisions, so
CalDAV clients, feeds and calendar sync see them change. The key is fixed
once made, since activities, settings and feed URLs name it.

Each type is its own plain form answered 303 back to the page with a
notice; a wrong value is answered 400 with the page and the error naming
the field, and nothing is saved.
"""

from __future__ import annotations

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bridge.config import Settings
from bridge.domain import ActivityType, ComponentKind, User
from bridge.errors import UserError
from bridge.store.crm import (
    ActivityTypeError,
    create_activity_type,
    list_activity_types,
    render_type_again,
    update_activity_type,
)
from bridge.store.db import writing
from bridge.web.notices import redirect_with_notice, take_notice
from bridge.web.pages.forms import parse_form
from bridge.web.pages.session import signed_in
from bridge.web.pages.templates import render

PAGE = "/settings/types"
KINDS = {"event": ComponentKind.EVENT, "todo": ComponentKind.TODO}
"""The kind choices as the form sends them."""
KIND_NAMES = {ComponentKind.EVENT: "event", ComponentKind.TODO: "todo"}


def type_from_form(key: str, fields: dict[str, str]) -> ActivityType:
    """The type a posted form describes; an unchecked "active" box is not sent, so it is off."""
    kind = KINDS.get(fields.get("kind", ""))
    if kind is None:
        raise ActivityTypeError("kind", "must be event or to-do")
    return ActivityType(
        key=key,
        name=fields.get("name", ""),
        color=fields.get("color", ""),
        active="active" in fields,
        kind=kind,
    )


def saved_notice(key: str, rendered: int) -> str:
    """What the page says after a type is saved, with how many activities followed."""
    if not rendered:
        return f"Type {key} saved."
    noun = "activity" if rendered == 1 else "activities"
    return f"Type {key} saved; {rendered} {noun} updated in calendars and feeds."


class ActivityTypePages:
    """The routes of Settings → Activity types."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def routes(self) -> list[BaseRoute]:
        guard = signed_in(self.engine)
        return [
            Route(PAGE, guard(self.show), methods=["GET", "HEAD"]),
            Route(PAGE, guard(self.add), methods=["POST"]),
            Route(f"{PAGE}/{{key:str}}", guard(self.save), methods=["POST"]),
        ]

    def _types(self) -> list[ActivityType]:
        with self.engine.connect() as conn:
            return list(list_activity_types(conn).values())

    async def _page(
        self,
        request: Request,
        *,
        error: UserError | None = None,
        new: dict[str, str] | None = None,
    ) -> Response:
        types = await run_in_threadpool(self._types)
        notice, failed = take_notice(request)
        context = {
            "types": types,
            "kind_names": KIND_NAMES,
            "error": str(error) if error else failed,
            "new": new or {},
            "notice": notice,
        }
        status = error.http_status if error else 200
        return render(request, "settings_types.html", context, status_code=status)

    async def show(self, request: Request, user: User) -> Response:
        return await self._page(request)

    async def add(self, request: Request, user: User) -> Response:
        fields = parse_form(await request.body())
        key = fields.get("key", "").strip()
        try:
            wanted = type_from_form(key, {**fields, "active": "on"})
            await run_in_threadpool(self._create, wanted)
        except UserError as error:
            return await self._page(request, error=error, new=fields)
        return redirect_with_notice(request, PAGE, f"Type {key} added.")

    def _create(self, wanted: ActivityType) -> None:
        with writing(self.engine) as conn:
            create_activity_type(conn, wanted)

    async def save(self, request: Request, user: User) -> Response:
        key = request.path_params["key"]
        fields = parse_form(await request.body())
        try:
            changed = type_from_form(key, fields)
            rendered = await run_in_threadpool(self._update, changed)
        except UserError as error:
            return await self._page(request, error=error)
        return redirect_with_notice(request, PAGE, saved_notice(key, rendered))

    def _update(self, changed: ActivityType) -> int:
        """Saves the type, then brings its activities' stored text along, batch by batch."""
        with writing(self.engine) as conn:
            follow = update_activity_type(conn, changed)
        return render_type_again(self.engine, changed.key) if follow else 0


def activity_type_routes(engine: sa.Engine, settings: Settings) -> list[BaseRoute]:
    """The routes of Settings → Activity types (no settings of their own)."""
    return ActivityTypePages(engine).routes()
