"""A connected calendar account as a value: its state, settings, cursor and push channel.

The store reads and writes these, the worker runs them, the sync engine
reports on them and the API and CLI show them; they live here, importing
neither the store nor the sync engine, so each of those may use them
without importing the others.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from bridge.domain import ProviderKind, SyncSettings


class AccountState(StrEnum):
    """Where an account stands; only `ACTIVE` accounts are synced."""

    STOPPED = "stopped"
    """Connected, not syncing (new accounts start here; "Stop sync" returns here)."""
    ACTIVE = "active"
    NEEDS_ATTENTION = "needs_attention"
    """A run refused something dangerous (the mass-deletion guard); "Start" resumes."""
    NEEDS_RECONNECT = "needs_reconnect"
    """The grant or password stopped working: connect the account again."""


@dataclass(frozen=True)
class PushChannel:
    """A provider push channel (Google events.watch) that wakes the account's sync."""

    id: str
    token_hash: str
    resource_id: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class CalendarAccount:
    """One connected external account: what the worker needs to run it, what the views show."""

    id: int
    user_id: int
    provider: ProviderKind
    account_email: str
    display_name: str
    server_url: str
    settings: SyncSettings
    state: AccountState
    cursor: str | None
    cursor_calendar_id: str | None
    last_success_at: dt.datetime | None
    last_error: str | None
    pushed: int
    imported: int
    failed: int
    next_run_at: dt.datetime | None
    crm_revision_seen: int
    crm_full_at: dt.datetime | None
    """When a run last read both sides in full (None: the next run must)."""
    channel: PushChannel | None
    created_at: dt.datetime
    updated_at: dt.datetime
    encrypted_secret: str = field(repr=False)
    held_deletions: tuple[dict[str, object], ...] = ()
    """What the last run held back under the mass-deletion guard (while needs_attention)."""
    deletion_choice: str | None = None
    """The owner's answer to held deletions ("apply", "restore"), for the next run only."""

    def cursor_for(self, calendar_id: str) -> str | None:
        """The saved cursor, if it belongs to `calendar_id` (a new calendar starts afresh)."""
        return self.cursor if self.cursor_calendar_id == calendar_id else None
