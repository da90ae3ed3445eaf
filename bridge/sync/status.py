"""Why an activity is, or is not, in each of its owner's connected calendars.

The activity views show one line per connected account: where the activity
was synced and when, or the reason it is not there. The reasons follow the
worker's own rules (`bridge.sync.sides` and `bridge.sync.planner`) in the
order a user can act on them: a to-do with no date is never pushed, then the
type must be ticked, the activity must meet the sync window, the account
must be syncing, and the last attempt must not have failed; anything left
is simply waiting for the worker's next run. Pure: the caller reads the
links, errors and accounts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from bridge.accounts import AccountState, CalendarAccount
from bridge.domain import Activity, ProviderKind
from bridge.links import ActivitySync, ItemError
from bridge.sync.content import draft_for, overlaps

_HALTED = {
    AccountState.STOPPED: "sync stopped",
    AccountState.NEEDS_ATTENTION: "sync held: deletions wait for the owner (apply or restore)",
    AccountState.NEEDS_RECONNECT: "sync stopped: reconnect the account",
}


@dataclass(frozen=True)
class SyncStatus:
    """One account's answer for one activity: linked (calendar and time) or a reason."""

    account_id: int
    provider: ProviderKind
    account_email: str
    calendar_id: str | None = None
    synced_at: dt.datetime | None = None
    reason: str | None = None

    @property
    def synced(self) -> bool:
        return self.synced_at is not None


def sync_status(
    activity: Activity,
    accounts: Sequence[CalendarAccount],
    links: Sequence[ActivitySync],
    errors: Sequence[ItemError],
    now: dt.datetime,
) -> list[SyncStatus]:
    """One entry per account of the activity's owner, in the order of `accounts`.

    `links` and `errors` are the activity's (other activities' are ignored);
    `now` places the sync window as the next run will.
    """
    linked = {link.account_id: link for link in links}
    failed = {error.account_id: error for error in errors if error.activity_id == activity.id}
    entries = []
    for account in accounts:
        link = linked.get(account.id)
        if link is not None:
            entry = SyncStatus(
                account.id,
                account.provider,
                account.account_email,
                calendar_id=link.calendar_id,
                synced_at=link.synced_at,
            )
        else:
            reason = _reason(activity, account, failed.get(account.id), now)
            entry = SyncStatus(account.id, account.provider, account.account_email, reason=reason)
        entries.append(entry)
    return entries


def _reason(
    activity: Activity, account: CalendarAccount, error: ItemError | None, now: dt.datetime
) -> str:
    settings = account.settings
    if activity.due_date is None:
        return "no date"
    if activity.type_key not in settings.pushed_type_keys:
        return f"not pushed: type {activity.type_key} is not ticked"
    if not overlaps(draft_for(activity, ""), settings.window(now)):
        return "outside the sync window"
    if account.state is not AccountState.ACTIVE:
        return _HALTED[account.state]
    if error is not None:
        return f"error: {error.message}"
    return "waiting for the next run"
