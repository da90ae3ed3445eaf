"""The List page: the signed-in user's activities, or everyone's, as a filterable table.

Everything is read and written through `CrmService`, so the rules the API
follows hold here too: a colleague's private activity arrives already masked
to a busy block (the template never sees its subject or type), and only the
owner may mark an activity done (anyone else gets the service's 404).

The filters are a plain GET form and paging is links, so the page works
without JavaScript; "Mark done" is a POST form that htmx upgrades to swap
just its row, and that otherwise redirects back to the list (303).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from urllib.parse import urlencode

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from bridge.calendar_accounts import CalendarAccounts
from bridge.config import Settings
from bridge.crm_service import ActivityChanges, ActivityFilter, CrmService, NoSuchActivity, Shown
from bridge.domain import FIRST_DAY, LAST_DAY, User
from bridge.errors import InvalidInput
from bridge.secrets import box_from_settings
from bridge.store.activity_lists import SortOrder, SyncFilter
from bridge.store.crm import list_activity_types
from bridge.web.pages.forms import parse_form
from bridge.web.pages.session import local_path, signed_in
from bridge.web.pages.sync_badges import Badge, badges_of
from bridge.web.pages.templates import render
from bridge.web.pages.zones import local_when, zone_of

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
SORTS = {order.value for order in SortOrder}
SYNC_FILTERS = {
    SyncFilter.SYNCED.value: "Synced",
    SyncFilter.FAILED.value: "Failed",
    SyncFilter.NOT_SYNCED.value: "Not synced",
}


@dataclass(frozen=True)
class Row:
    """One line of the table, already reduced to what the viewer may see."""

    id: int
    day: dt.date | None
    time: str
    subject: str
    type_name: str
    owner: str
    done: bool
    private: bool
    masked: bool
    mine: bool
    badges: tuple[Badge, ...] = ()


@dataclass(frozen=True)
class Query:
    """The filters and position as read from the URL; echoed back into the form and links."""

    type: str = ""
    owner: str = "me"
    done: str = "any"
    start: str = ""
    end: str = ""
    sync: str = ""
    sort: str = SortOrder.START.value
    limit: int = PAGE_SIZE
    offset: int = 0
    cursor: str | None = None

    def link(self, **changes: object) -> str:
        """This list's URL with `changes`; only non-default values, so links stay short."""
        values = {
            "type": self.type,
            "owner": self.owner if self.owner != "me" else "",
            "done": self.done if self.done != "any" else "",
            "from": self.start,
            "to": self.end,
            "sync": self.sync,
            "sort": self.sort if self.sort != SortOrder.START.value else "",
            "limit": str(self.limit) if self.limit != PAGE_SIZE else "",
        }
        values.update({key: str(value) for key, value in changes.items() if value is not None})
        return "/list?" + urlencode({key: value for key, value in values.items() if value})


def _int(text: str | None, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(text or "")))
    except ValueError:
        return default


def read_query(params: dict[str, str]) -> Query:
    """The query string, with anything out of range replaced by its default."""
    return Query(
        type=params.get("type", ""),
        owner="all" if params.get("owner") == "all" else "me",
        done=params.get("done") if params.get("done") in ("yes", "no") else "any",
        start=params.get("from", ""),
        end=params.get("to", ""),
        sync=params.get("sync", "") if params.get("sync") in SYNC_FILTERS else "",
        sort=params.get("sort", "") if params.get("sort") in SORTS else SortOrder.START.value,
        limit=_int(params.get("limit"), PAGE_SIZE, 1, MAX_PAGE_SIZE),
        offset=_int(params.get("offset"), 0, 0, 10**9),
        cursor=params.get("cursor") or None,
    )


def _day(text: str, field_name: str, errors: list[str]) -> dt.date | None:
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        errors.append(f"“{field_name}” must be a date like 2026-01-31; it was ignored.")
        return None
    if not FIRST_DAY <= day <= LAST_DAY:
        errors.append(f"“{field_name}” must be between {FIRST_DAY} and {LAST_DAY}; it was ignored.")
        return None
    return day


def to_filter(query: Query, zone: dt.tzinfo, errors: list[str]) -> ActivityFilter:
    """The service's filter; dates are whole days in the user's zone, `to` included."""
    start, end = _day(query.start, "From", errors), _day(query.end, "To", errors)
    return ActivityFilter(
        owner="all" if query.owner == "all" else None,
        type_keys=(query.type,) if query.type else None,
        done={"yes": True, "no": False}.get(query.done),
        start_from=dt.datetime.combine(start, dt.time(), zone) if start else None,
        start_to=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), zone) if end else None,
        sync=SyncFilter(query.sync) if query.sync else None,
        sort=SortOrder(query.sort),
        limit=query.limit,
        cursor=query.cursor if query.sort == SortOrder.START.value else None,
        offset=query.offset,
    )


def to_row(shown: Shown, user: User, zone: dt.tzinfo, type_names: dict[str, str]) -> Row:
    activity = shown.activity
    assert activity.id is not None
    day, time = activity.due_date, ""
    if day is not None:
        day, time = local_when(day, activity.due_time, zone)
    return Row(
        id=activity.id,
        day=day,
        time=time,
        subject=activity.subject,
        type_name="" if shown.masked else type_names.get(activity.type_key, activity.type_key),
        owner=shown.owner,
        done=activity.done and not shown.masked,
        private=activity.private,
        masked=shown.masked,
        mine=activity.owner_id == user.id,
    )


class ListPages:
    """`GET /list` and `POST /list/{id}/done`."""

    def __init__(self, engine: sa.Engine, accounts: CalendarAccounts) -> None:
        self._engine = engine
        self._service = CrmService(engine)
        self._accounts = accounts

    def _type_names(self) -> dict[str, str]:
        with self._engine.connect() as conn:
            return {key: kind.name for key, kind in list_activity_types(conn).items()}

    def table(self, user: User, query: Query) -> dict[str, object]:
        """What the template needs: rows, types, errors, and the paging links."""
        zone = zone_of(user)
        errors: list[str] = []
        wanted = to_filter(query, zone, errors)
        try:
            page = self._service.list_activities(user.login, wanted)
        except InvalidInput as error:  # a stale or edited cursor, an unknown owner
            errors.append(f"{error}; showing the first page.")
            query = Query(**{**query.__dict__, "cursor": None, "offset": 0})
            page = self._service.list_activities(user.login, to_filter(query, zone, []))
        names = self._type_names()
        rows, lines = self._rows(user, page.items, names)
        next_link = previous_link = None
        if page.more:
            next_link = query.link(cursor=page.next_cursor, offset=query.offset + query.limit)
        if query.offset > 0:
            previous_link = query.link(offset=max(0, query.offset - query.limit) or None)
        return {
            "rows": rows,
            "query": query,
            "accounts": lines,
            "sync_filters": SYNC_FILTERS,
            "types": names,
            "errors": errors,
            "next_link": next_link,
            "previous_link": previous_link,
            "here": query.link(cursor=query.cursor, offset=query.offset or None),
        }

    def _rows(
        self, user: User, items: list[Shown], names: dict[str, str]
    ) -> tuple[list[Row], tuple[str, ...]]:
        """The table's rows with the sync badges of the user's own ones, and the account lines."""
        zone = zone_of(user)
        unmasked = [item.activity for item in items if not item.masked]
        badges, lines = badges_of(self._accounts, user.login, unmasked, dt.datetime.now(dt.UTC))
        rows = [to_row(item, user, zone, names) for item in items]
        return [replace(row, badges=badges.get(row.id, ())) for row in rows], lines

    def mark_done(self, user: User, activity_id: int) -> Row:
        shown = self._service.update_activity(
            user.login, activity_id, ActivityChanges(values={"done": True})
        )
        rows, _lines = self._rows(user, [shown], self._type_names())
        return rows[0]

    def routes(self) -> list[Route]:
        @signed_in(self._engine)
        async def show(request: Request, user: User) -> Response:
            query = read_query(dict(request.query_params))
            context = await run_in_threadpool(self.table, user, query)
            return render(request, "list.html", context)

        @signed_in(self._engine)
        async def done(request: Request, user: User) -> Response:
            fields = parse_form(await request.body())
            try:
                row = await run_in_threadpool(
                    self.mark_done, user, int(request.path_params["activity_id"])
                )
            except NoSuchActivity:
                return PlainTextResponse("No such activity.", status_code=404)
            if request.headers.get("HX-Request") == "true":
                return render(
                    request,
                    "list.html",
                    {"row_only": row, "here": local_path(fields.get("back") or "/list")},
                )
            return RedirectResponse(local_path(fields.get("back") or "/list"), status_code=303)

        return [
            Route("/list", show, methods=["GET", "HEAD"]),
            Route("/list/{activity_id:int}/done", done, methods=["POST"]),
        ]


def list_routes(engine: sa.Engine, settings: Settings) -> list[Route]:
    accounts = CalendarAccounts(
        engine, box_from_settings(settings.secret_key, settings.secret_key_file), settings
    )
    return ListPages(engine, accounts).routes()
