"""Where an activity is synced, in words: the badges and account lines the activity views show.

The week, the month and the list show the same words for the same state,
so they are made here once from the service's `SyncStatus` and
`CalendarAccount` values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from bridge.accounts import AccountState, CalendarAccount
from bridge.calendar_accounts import CalendarAccounts
from bridge.domain import Activity, ProviderKind
from bridge.sync.status import SyncStatus


@dataclass(frozen=True)
class Badge:
    """One account's sync line for one activity; `kind` is synced, waiting, failed or not-synced."""

    kind: str
    text: str


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


def badges_of(
    service: CalendarAccounts, login: str, shown: Sequence[Activity], now: dt.datetime
) -> tuple[dict[int, tuple[Badge, ...]], tuple[str, ...]]:
    """The badges of `login`'s own activities among those `shown`, and a line per account.

    Both are empty when the user has no calendar account: there is nothing to say.
    """
    accounts, statuses = service.sync_view(login, shown)
    badges = {
        activity_id: tuple(badge(status, now) for status in entries)
        for activity_id, entries in statuses.items()
    }
    return badges, tuple(account_line(account, now) for account in accounts)
