"""The home page: the signed-in user's own activities of the current week.

Only the user's own activities are read (`Scope(owner_id=...)`), so a
colleague's activity, private or not, cannot appear here. The user's private
activities are shown in full, marked private, as their owner sees them in
their own calendar. Times are shown in the user's time zone; the week runs
Monday to Sunday there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bridge.domain import Activity, User
from bridge.store.activities import Scope, by_ids, listing
from bridge.store.crm import list_activity_types
from bridge.web.pages.session import signed_in
from bridge.web.pages.templates import render


@dataclass(frozen=True)
class Entry:
    """One line of the week: what the template shows of an activity."""

    subject: str
    day: dt.date
    time: str
    type_name: str
    private: bool
    done: bool


@dataclass(frozen=True)
class Week:
    monday: dt.date
    entries: list[Entry]

    @property
    def sunday(self) -> dt.date:
        return self.monday + dt.timedelta(days=6)


def zone_of(user: User) -> dt.tzinfo:
    """The user's time zone; UTC when the stored name is unknown here."""
    try:
        return ZoneInfo(user.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def week_of(engine: sa.Engine, user: User, now: dt.datetime) -> Week:
    """`user`'s activities in the Monday-to-Sunday week around `now`, in their time zone."""
    assert user.id is not None
    zone = zone_of(user)
    today = now.astimezone(zone).date()
    monday = today - dt.timedelta(days=today.weekday())
    start = dt.datetime.combine(monday, dt.time(), zone)
    end = start + dt.timedelta(days=7)
    with engine.connect() as conn:
        rows = listing(
            conn,
            Scope(owner_id=user.id),
            time_range=(int(start.timestamp()), int(end.timestamp())),
        )
        found = by_ids(conn, [row.id for row in rows])
        types = list_activity_types(conn)
    entries = [_entry(activity, zone, types) for activity in found]
    entries.sort(key=lambda entry: (entry.day, entry.time != "all day", entry.time))
    return Week(monday, entries)


def _entry(activity: Activity, zone: dt.tzinfo, types: dict) -> Entry:
    activity_type = types.get(activity.type_key)
    type_name = activity_type.name if activity_type is not None else activity.type_key
    assert activity.due_date is not None  # an activity in a time range has a date
    if activity.due_time is None:
        day, time = activity.due_date, "all day"
    else:
        local = dt.datetime.combine(activity.due_date, activity.due_time, dt.UTC).astimezone(zone)
        day, time = local.date(), local.strftime("%H:%M")
    return Entry(activity.subject, day, time, type_name, activity.private, activity.done)


def week_routes(engine: sa.Engine) -> list[Route]:
    @signed_in(engine)
    async def home(request: Request, user: User) -> Response:
        week = await run_in_threadpool(week_of, engine, user, dt.datetime.now(dt.UTC))
        return render(request, "week.html", {"week": week})

    return [Route("/", home, methods=["GET", "HEAD"])]
