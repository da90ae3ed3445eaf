"""The activity form: add an activity, edit or delete one's own, read a colleague's.

Every read and write goes through `CrmService`, so a save reaches CalDAV,
the feeds and the next sync at once, and the service's rules hold: only the
owner changes an activity; a colleague's private one (or one that does not
exist) is the same 404 page, which names nothing of it. A colleague's other
activities are shown read-only.

The posted form is read by the API's reader (see `activity_fields`), so a
bad value is refused as the API refuses it: the form again, 400, the
user's input kept and the field named, and nothing saved. Every action is a
plain form, deleting asks first on a page of its own, so the pages work
without JavaScript.
"""

from __future__ import annotations

import datetime as dt
import functools

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bridge.config import Settings
from bridge.crm_service import ActivityChanges, CrmService, FieldError, NoSuchActivity, Shown
from bridge.domain import User
from bridge.store.crm import list_activity_types
from bridge.web.pages.activity_fields import ActivityForm, error_text
from bridge.web.pages.forms import form_fields, parse_form
from bridge.web.pages.records import record_choices
from bridge.web.pages.session import Page, PageEndpoint, local_path, signed_in
from bridge.web.pages.templates import render
from bridge.web.pages.zones import zone_of

MAX_ID = 2**63 - 1
LABELS = {
    "subject": "Subject",
    "type": "Type",
    "date": "Date",
    "time": "Time",
    "duration_minutes": "Duration (minutes)",
    "all_day": "All day",
    "busy": "Show as",
    "private": "Visible to",
    "location": "Location",
    "description": "Description",
    "note": "Internal note",
    "deal_id": "Deal",
    "person_id": "Person",
    "org_id": "Organization",
    "participant_ids": "Participants",
    "attendees": "Attendees",
}
"""Each field's label, by the name the API gives it (and the form's input)."""


def _activity_id(request: Request) -> int:
    """The id in the path; one no database could hold is no activity."""
    activity_id = request.path_params["activity_id"]
    if activity_id > MAX_ID:
        raise NoSuchActivity(f"no activity {activity_id}")
    return activity_id


def _back_param(request: Request) -> str:
    """The `back` of the page's address, kept in the form; empty when there is none."""
    wanted = request.query_params.get("back")
    return local_path(wanted) if wanted else ""


def _back(fields: dict[str, str], default: str) -> str:
    """Where to go after an action: the form's `back`, when it is a path on this site."""
    return local_path(fields["back"]) if fields.get("back") else default


class ActivityPages:
    """The routes of the form, the read-only view, marking done and deleting."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._service = CrmService(engine)

    def _types(self, current: str) -> dict[str, str]:
        """The active types by key, and `current` even when it is no longer active."""
        with self._engine.connect() as conn:
            known = list_activity_types(conn)
        return {key: kind.name for key, kind in known.items() if kind.active or key == current}

    def own(self, user: User, activity_id: int) -> Shown:
        """The user's own activity; anyone else's is as missing as it is to the service's writes."""
        shown = self._service.activity(user.login, activity_id)
        if shown.activity.owner_id != user.id:
            raise NoSuchActivity(f"no activity {activity_id} of {user.login}")
        return shown

    def save(self, user: User, form: ActivityForm, activity_id: int | None) -> Shown:
        """Creates (no id) or updates the activity; a bad value raises `FieldError`."""
        changes = form.changes(zone_of(user))
        if activity_id is None:
            return self._service.create_activity(user.login, changes)
        return self._service.update_activity(user.login, activity_id, changes)

    def _form_page(
        self,
        request: Request,
        user: User,
        form: ActivityForm,
        page: dict[str, object],
        error: FieldError | None = None,
    ) -> Response:
        """The form with `form`'s values, the types and records to choose from, and any error."""
        context = {
            "form": form,
            "types": self._types(form.type),
            "choices": record_choices(self._service),
            "labels": LABELS,
            "zone": user.timezone,
            **page,
        }
        if error is not None:
            context["error"] = error
            context["error_message"] = error_text(error, LABELS.get(error.field, error.field))
        return render(
            request, "activity_form.html", context, status_code=400 if error is not None else 200
        )

    def _edit_page(self, shown: Shown, user: User, back: str) -> dict[str, object]:
        """The page's own context for an existing activity: editable when it is the user's."""
        activity = shown.activity
        return {
            "mode": "edit" if activity.owner_id == user.id else "view",
            "action": f"/activities/{activity.id}",
            "activity": activity,
            "owner": shown.owner,
            "back": back,
        }

    def routes(self) -> list[BaseRoute]:
        def page(endpoint: PageEndpoint) -> Page:
            """Signed in, and a missing activity (or one the user may not see) is the 404 page."""

            @functools.wraps(endpoint)
            async def answer(request: Request, user: User) -> Response:
                try:
                    return await endpoint(request, user)
                except NoSuchActivity:
                    return render(request, "activity_missing.html", status_code=404)

            return signed_in(self._engine)(answer)

        @page
        async def new(request: Request, user: User) -> Response:
            day = request.query_params.get("date", "")
            try:
                form = ActivityForm(date=dt.date.fromisoformat(day).isoformat())
            except ValueError:
                form = ActivityForm()
            context = {"mode": "new", "action": "/activities", "back": _back_param(request)}
            return await run_in_threadpool(self._form_page, request, user, form, context)

        @page
        async def create(request: Request, user: User) -> Response:
            fields = form_fields(await request.body())
            single = dict(fields)
            form = ActivityForm.posted(fields)
            try:
                shown = await run_in_threadpool(self.save, user, form, None)
            except FieldError as error:
                context = {"mode": "new", "action": "/activities", "back": _back(single, "")}
                return await run_in_threadpool(self._form_page, request, user, form, context, error)
            target = _back(single, f"/activities/{shown.activity.id}")
            return RedirectResponse(target, status_code=303)

        @page
        async def show(request: Request, user: User) -> Response:
            shown = await run_in_threadpool(
                self._service.activity, user.login, _activity_id(request)
            )
            context = self._edit_page(shown, user, _back_param(request))
            form = ActivityForm.of(shown.activity, zone_of(user))
            return await run_in_threadpool(self._form_page, request, user, form, context)

        @page
        async def update(request: Request, user: User) -> Response:
            activity_id = _activity_id(request)
            fields = form_fields(await request.body())
            single = dict(fields)
            form = ActivityForm.posted(fields)
            try:
                await run_in_threadpool(self.save, user, form, activity_id)
            except FieldError as error:
                shown = await run_in_threadpool(self.own, user, activity_id)
                context = self._edit_page(shown, user, _back(single, ""))
                return await run_in_threadpool(self._form_page, request, user, form, context, error)
            return RedirectResponse(_back(single, f"/activities/{activity_id}"), status_code=303)

        @page
        async def done(request: Request, user: User) -> Response:
            activity_id = _activity_id(request)
            fields = parse_form(await request.body())
            changes = ActivityChanges(values={"done": True})
            await run_in_threadpool(self._service.update_activity, user.login, activity_id, changes)
            return RedirectResponse(_back(fields, f"/activities/{activity_id}"), status_code=303)

        @page
        async def confirm_delete(request: Request, user: User) -> Response:
            shown = await run_in_threadpool(self.own, user, _activity_id(request))
            context = {
                "activity": shown.activity,
                "form": ActivityForm.of(shown.activity, zone_of(user)),
                "back": _back_param(request),
            }
            return render(request, "activity_delete.html", context)

        @page
        async def delete(request: Request, user: User) -> Response:
            activity_id = _activity_id(request)
            fields = parse_form(await request.body())
            await run_in_threadpool(self._service.delete_activity, user.login, activity_id)
            return RedirectResponse(_back(fields, "/list"), status_code=303)

        one = "/activities/{activity_id:int}"
        return [
            Route("/activities/new", new, methods=["GET", "HEAD"]),
            Route("/activities", create, methods=["POST"]),
            Route(one, show, methods=["GET", "HEAD"]),
            Route(one, update, methods=["POST"]),
            Route(f"{one}/done", done, methods=["POST"]),
            Route(f"{one}/delete", confirm_delete, methods=["GET", "HEAD"]),
            Route(f"{one}/delete", delete, methods=["POST"]),
        ]


def activity_form_routes(engine: sa.Engine, settings: Settings) -> list[BaseRoute]:
    """The activity pages; `settings` is unused, taken like every page module's."""
    return ActivityPages(engine).routes()
