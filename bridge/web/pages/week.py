"""The home page: the signed-in user's own activities of the current week.

Only the user's own activities are read (`Scope(owner_id=...)`), so a
colleague's activity, private or not, cannot appear here. The user's private
activities are shown in full, marked private, as their owner sees them in
their own calendar. Times are shown in the user's time zone; the week runs
Monday to Sunday there.

When the user has connected calendar accounts, each activity carries one
sync badge per account (synced where and when, or why not), read through
`CalendarAccounts` as the settings page and the API do, and a header line
gives each account's state.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bridge.accounts import AccountState, CalendarAccount
from bridge.calendar_accounts import CalendarAccounts
from bridge.config import Settings
from bridge.domain import Activity, ProviderKind, User
from bridge.secrets import box_from_settings
from bridge.store.activities import Scope, by_ids, listing
from bridge.store.crm import list_activity_types
from bridge.sync.status import SyncStatus
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
    activity_id: int = 0
    badges: tuple[Badge, ...] = ()


@dataclass(frozen=True)
class Badge:
    """One account's sync line for one activity; `kind` is synced, waiting, failed or not-synced."""

    kind: str
    text: str


@dataclass(frozen=True)
class Week:
    monday: dt.date
    entries: list[Entry]
    accounts: tuple[str, ...] = ()
    """One header line per connected account: its state and last success."""

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
    assert activity.id is not None
    return Entry(
        activity.subject,
        day,
        time,
        type_name,
        activity.private,
        activity.done,
        activity_id=activity.id,
    )


PROVIDER_NAMES = {
    ProviderKind.GOOGLE: "Google",
    ProviderKind.MICROSOFT: "Microsoft",
    ProviderKind.EWS: "Exchange",
    ProviderKind.CALDAV: "CalDAV",
}


def ago(when: dt.datetime, now: dt.datetime) -> str:
    """ "just now", "5 min ago", "3 h ago", "2 days ago"."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    seconds = max(0, int((now - when).total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    days = seconds // 86400
    return f"{days} day ago" if days == 1 else f"{days} days ago"


def badge(status: SyncStatus, now: dt.datetime) -> Badge:
    """The badge of one account's `SyncStatus`, in words."""
    provider = PROVIDER_NAMES.get(status.provider, str(status.provider))
    if status.synced_at is not None:
        text = f"Synced to {provider} ({status.account_email}) {ago(status.synced_at, now)}"
        return Badge("synced", text)
    reason = status.reason or ""
    if reason == "waiting for the next run":
        return Badge("waiting", "Waiting to sync")
    if reason.startswith("error: "):
        return Badge("failed", f"Failed: {reason.removeprefix('error: ')}")
    return Badge("not-synced", f"Not synced: {reason.removeprefix('not pushed: ')}")


def account_line(account: CalendarAccount, now: dt.datetime) -> str:
    """The header line of one account: "Synced with Google: jane@example.com, 2 min ago"."""
    provider = PROVIDER_NAMES.get(account.provider, str(account.provider))
    if account.state is AccountState.NEEDS_RECONNECT:
        return f"Reconnect needed: {provider} ({account.account_email})"
    if account.state is AccountState.STOPPED:
        return f"Sync stopped: {provider} ({account.account_email})"
    if account.state is AccountState.NEEDS_ATTENTION:
        return f"Sync held, deletions wait for you: {provider} ({account.account_email})"
    line = f"Synced with {provider}: {account.account_email}"
    if account.last_success_at is not None:
        return f"{line}, {ago(account.last_success_at, now)}"
    return f"{line}, not yet"


def with_sync(week: Week, service: CalendarAccounts, login: str, now: dt.datetime) -> Week:
    """`week` with each entry's badges and the account lines; unchanged without an account."""
    accounts = service.accounts(login)
    if not accounts:
        return week
    statuses = dict(service.activity_statuses(login, [e.activity_id for e in week.entries]))
    entries = [
        replace(entry, badges=tuple(badge(s, now) for s in statuses.get(entry.activity_id, [])))
        for entry in week.entries
    ]
    lines = tuple(account_line(account, now) for account in accounts)
    return Week(week.monday, entries, lines)


def week_routes(engine: sa.Engine, settings: Settings) -> list[Route]:
    service = CalendarAccounts(
        engine, box_from_settings(settings.secret_key, settings.secret_key_file), settings
    )

    def load(user: User) -> Week:
        now = dt.datetime.now(dt.UTC)
        return with_sync(week_of(engine, user, now), service, user.login, now)

    @signed_in(engine)
    async def home(request: Request, user: User) -> Response:
        week = await run_in_threadpool(load, user)
        return render(request, "week.html", {"week": week})

    return [Route("/", home, methods=["GET", "HEAD"])]
