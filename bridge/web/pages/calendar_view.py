"""The home page: a week or a month of activities, the user's own or the whole team's.

Activities are read through `CrmService`, as the list and the API read
them, so a colleague's private activity arrives already reduced to a busy
block: the template never holds its subject, type or state. Colleagues'
activities appear only when asked for (`team=1`). Times are shown in the
user's time zone; weeks run Monday to Sunday there, and a month view shows
the whole weeks that hold the month's days.

Each of the user's own activities carries one sync badge per connected
calendar account, and a header line gives each account's state
(`sync_badges`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bridge.calendar_accounts import CalendarAccounts
from bridge.config import Settings
from bridge.crm_service import ActivityFilter, CrmService, Shown
from bridge.domain import FIRST_DAY, LAST_DAY, ActivityType, User
from bridge.secrets import box_from_settings
from bridge.store.crm import list_activity_types
from bridge.store.list_keys import due_of
from bridge.web.pages.session import signed_in
from bridge.web.pages.sync_badges import Badge, badges_of
from bridge.web.pages.templates import render
from bridge.web.pages.zones import local_when, zone_of

MONTH_PER_DAY = 4
WEEK_PER_DAY = 200
"""How many activities a day of each view shows before "N more"."""
MAX_SHOWN = 20_000
"""A period holding more activities than this is laid out from the first ones, and says so."""

ICONS = {
    "call": "☎",
    "meeting": "⚇",
    "task": "☑",
    "deadline": "⚑",
    "email": "✉",
    "lunch": "☕",
}
"""A glyph per default type beside its colour, so types differ without colour vision too.

Plain symbols of the Basic Multilingual Plane, which common text fonts draw,
rather than emoji, which need a colour font many Linux desktops lack."""


@dataclass(frozen=True)
class Entry:
    """One activity as the calendar shows it, already reduced to what the viewer may see."""

    activity_id: int
    subject: str
    day: dt.date
    time: str
    type_name: str
    color: str
    icon: str
    owner: str
    private: bool
    done: bool
    masked: bool
    mine: bool
    badges: tuple[Badge, ...] = ()


@dataclass(frozen=True)
class Period:
    """The days shown (whole weeks), the day the view is about, and what falls in them."""

    view: str
    anchor: dt.date
    first: dt.date
    days: int
    team: bool
    entries: list[Entry]
    accounts: tuple[str, ...] = ()
    truncated: bool = False
    hidden: dict[dt.date, int] = field(default_factory=dict)
    """Per day, how many activities the view leaves to the list."""

    @property
    def last(self) -> dt.date:
        return self.first + dt.timedelta(days=self.days - 1)

    @property
    def weeks(self) -> list[list[dt.date]]:
        """The days in rows of seven, Monday first."""
        dates = [self.first + dt.timedelta(days=n) for n in range(self.days)]
        return [dates[n : n + 7] for n in range(0, len(dates), 7)]

    def on(self, day: dt.date) -> list[Entry]:
        return [entry for entry in self.entries if entry.day == day]

    def day_list(self, day: dt.date) -> str:
        """The List page narrowed to `day`, where every activity of a crowded day is."""
        query = {"from": day.isoformat(), "to": day.isoformat()}
        if self.team:
            query["owner"] = "all"
        return "/list?" + urlencode(query)

    def link(self, **changes: object) -> str:
        """This view's URL with `changes`; default values are left out so links stay short."""
        values = {"view": self.view, "date": self.anchor.isoformat(), "team": self.team}
        values.update(changes)
        query = {
            "view": values["view"] if values["view"] != "week" else "",
            "date": values["date"],
            "team": "1" if values["team"] else "",
        }
        return "/?" + urlencode({key: value for key, value in query.items() if value})

    @property
    def previous(self) -> str:
        return self.link(date=self._step(-1).isoformat())

    @property
    def next(self) -> str:
        return self.link(date=self._step(1).isoformat())

    def _step(self, direction: int) -> dt.date:
        if self.view == "week":
            return self.anchor + dt.timedelta(days=7 * direction)
        month = self.anchor.replace(day=1)
        if direction > 0:
            return (month + dt.timedelta(days=32)).replace(day=1)
        return (month - dt.timedelta(days=1)).replace(day=1)


def span_of(view: str, anchor: dt.date) -> tuple[dt.date, int]:
    """The first day shown and how many: a Monday-to-Sunday week, or a month's whole weeks."""
    if view == "week":
        return anchor - dt.timedelta(days=anchor.weekday()), 7
    first_of_month = anchor.replace(day=1)
    next_month = (first_of_month + dt.timedelta(days=32)).replace(day=1)
    first = first_of_month - dt.timedelta(days=first_of_month.weekday())
    last = next_month - dt.timedelta(days=1)
    last += dt.timedelta(days=6 - last.weekday())
    return first, (last - first).days + 1


def read_view(params: dict[str, str], today: dt.date) -> tuple[str, dt.date, bool]:
    """View, day and team toggle from the query string; a date unreadable or out of range
    (`FIRST_DAY` to `LAST_DAY`) means today."""
    view = "month" if params.get("view") == "month" else "week"
    try:
        anchor = dt.date.fromisoformat(params.get("date", ""))
    except ValueError:
        anchor = today
    if not FIRST_DAY <= anchor <= LAST_DAY:
        anchor = today
    return view, anchor, params.get("team") == "1"


class CalendarPage:
    """`GET /`: lays the period out from the list keys, then loads only what is shown.

    A heavy month holds a thousand activities; a calendar shows a few a day
    and "N more" for the rest (a link to that day in the list), so only
    those few are loaded, masked and given badges.
    """

    def __init__(self, engine: sa.Engine, accounts: CalendarAccounts) -> None:
        self._engine = engine
        self._crm = CrmService(engine)
        self._accounts = accounts

    def period(self, user: User, params: dict[str, str], now: dt.datetime) -> Period:
        zone = zone_of(user)
        view, anchor, team = read_view(params, now.astimezone(zone).date())
        first, days = span_of(view, anchor)
        wanted = ActivityFilter(
            owner="all" if team else None,
            start_from=dt.datetime.combine(first, dt.time(), zone),
            start_to=dt.datetime.combine(first + dt.timedelta(days=days), dt.time(), zone),
        )
        positions = self._crm.positions(user.login, wanted, MAX_SHOWN + 1)
        per_day = WEEK_PER_DAY if view == "week" else MONTH_PER_DAY
        kept, hidden = _fit(positions[:MAX_SHOWN], zone, per_day)
        with self._engine.connect() as conn:
            types = list_activity_types(conn)
        shown = self._crm.shown(user.login, kept)
        entries = [_entry(item, user, zone, types) for item in shown]
        entries.sort(key=lambda entry: (entry.day, entry.time != "all day", entry.time))
        unmasked = [item.activity for item in shown if not item.masked]
        badges, lines = badges_of(self._accounts, user.login, unmasked, now)
        entries = [replace(e, badges=badges.get(e.activity_id, ())) for e in entries]
        truncated = len(positions) > MAX_SHOWN
        return Period(view, anchor, first, days, team, entries, lines, truncated, hidden)


def _fit(
    positions: list[tuple[int, int]], zone: dt.tzinfo, per_day: int
) -> tuple[list[int], dict[dt.date, int]]:
    """The ids shown, at most `per_day` a day in list order, and how many each day hides."""
    kept: list[int] = []
    counts: dict[dt.date, int] = {}
    for row_id, key in positions:
        due_date, due_time = due_of(key)
        assert due_date is not None  # a time range leaves undated activities out
        day, _time = local_when(due_date, due_time, zone)
        counts[day] = counts.get(day, 0) + 1
        if counts[day] <= per_day:
            kept.append(row_id)
    hidden = {day: count - per_day for day, count in counts.items() if count > per_day}
    return kept, hidden


def _entry(shown: Shown, user: User, zone: dt.tzinfo, types: dict[str, ActivityType]) -> Entry:
    activity = shown.activity
    assert activity.id is not None and activity.due_date is not None
    day, time = local_when(activity.due_date, activity.due_time, zone)
    kind = None if shown.masked else types.get(activity.type_key)
    return Entry(
        activity_id=activity.id,
        subject=activity.subject,
        day=day,
        time=time,
        type_name=kind.name if kind else ("" if shown.masked else activity.type_key),
        color=kind.color if kind else "#8a939c",
        icon=ICONS.get(activity.type_key, "•") if not shown.masked else "",
        owner=shown.owner,
        private=activity.private,
        done=activity.done and not shown.masked,
        masked=shown.masked,
        mine=activity.owner_id == user.id,
    )


def calendar_routes(engine: sa.Engine, settings: Settings) -> list[Route]:
    accounts = CalendarAccounts(
        engine, box_from_settings(settings.secret_key, settings.secret_key_file), settings
    )
    calendar = CalendarPage(engine, accounts)

    @signed_in(engine)
    async def home(request: Request, user: User) -> Response:
        now = dt.datetime.now(dt.UTC)
        period = await run_in_threadpool(calendar.period, user, dict(request.query_params), now)
        today = now.astimezone(zone_of(user)).date()
        here = period.link()
        context = {"period": period, "today": today, "here": here, "wide": True}
        return render(request, "calendar.html", context)

    return [Route("/", home, methods=["GET", "HEAD"])]
