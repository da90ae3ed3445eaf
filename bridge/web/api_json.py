"""The JSON shapes of the API: accounts, their status, runs, calendars and sync status.

Built field by field rather than from `dataclasses.asdict`, so a field added
to a store type (the encrypted secret, the cursor) never leaks into a
response by accident.
"""

from __future__ import annotations

import datetime as dt

from bridge.accounts import CalendarAccount
from bridge.calendar_accounts import AccountStatus
from bridge.links import ItemError
from bridge.providers import ExternalCalendar
from bridge.store.sync_runs import SyncRun
from bridge.store.sync_settings import settings_to_json
from bridge.sync.status import SyncStatus

Json = dict[str, object]


def account_json(account: CalendarAccount) -> Json:
    return {
        "id": account.id,
        "provider": account.provider.value,
        "account_email": account.account_email,
        "display_name": account.display_name,
        "server_url": account.server_url or None,
        "state": account.state.value,
        "settings": settings_to_json(account.settings),
        "last_success_at": _time(account.last_success_at),
        "last_error": account.last_error,
        "counts": {
            "pushed": account.pushed,
            "imported": account.imported,
            "failed": account.failed,
        },
        "held_deletions": list(account.held_deletions),
        "deletion_choice": account.deletion_choice,
    }


def status_json(status: AccountStatus) -> Json:
    """The account with what its status page shows: recent runs, item errors, linked events."""
    return account_json(status.account) | {
        "linked": status.linked,
        "runs": [run_json(run) for run in status.runs],
        "item_errors": [item_error_json(error) for error in status.item_errors],
    }


def run_json(run: SyncRun) -> Json:
    counts = run.counts
    return {
        "id": run.id,
        "started_at": _time(run.started_at),
        "finished_at": _time(run.finished_at),
        "outcome": run.outcome.value if run.outcome is not None else None,
        "counts": {
            "pushed": counts.pushed,
            "imported": counts.imported,
            "deleted": counts.deleted,
            "failed": counts.failed,
            "requests": counts.requests,
        },
        "message": run.message,
    }


def item_error_json(error: ItemError) -> Json:
    return {
        "activity_id": error.activity_id,
        "external_id": error.external_id,
        "message": error.message,
        "at": _time(error.at),
    }


def calendar_json(calendar: ExternalCalendar) -> Json:
    return {
        "id": calendar.id,
        "name": calendar.name,
        "primary": calendar.primary,
        "writable": calendar.writable,
    }


def sync_status_json(entry: SyncStatus) -> Json:
    """Linked: where and when (`reason` null); not linked: why (`calendar_id` null)."""
    return {
        "account_id": entry.account_id,
        "provider": entry.provider.value,
        "account_email": entry.account_email,
        "synced": entry.synced,
        "calendar_id": entry.calendar_id,
        "synced_at": _time(entry.synced_at),
        "reason": entry.reason,
    }


def _time(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
