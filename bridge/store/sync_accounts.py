"""Connected calendar accounts: their settings, state, cursor, counters and push channel.

One row per user and external account. The row is what the worker needs
to run the account (provider, encrypted secret, settings, cursor) and what
the status page shows (state, last success, last error, counters). The
secret stays encrypted here; only `bridge.secrets` opens it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from bridge import errors
from bridge.accounts import AccountState, CalendarAccount, PushChannel
from bridge.domain import ProviderKind, SyncSettings
from bridge.ical.times import utc_aware
from bridge.store.schema import calendar_accounts
from bridge.store.sync_settings import settings_from_json, settings_to_json
from bridge.store.wakeups import announce

c = calendar_accounts.c


class AccountError(errors.NotFoundError):
    """An account operation that cannot be done as asked; by default "no such account".

    Another user's account is missing too. Refusals that are not about a
    missing account subclass `errors.Conflict` as well, first, for their 409.
    """


class AlreadyConnected(errors.Conflict, AccountError):
    """The user has connected this external account already, as `account_id`."""

    def __init__(self, message: str, account_id: int) -> None:
        super().__init__(message)
        self.account_id = account_id


def _to_account(row: sa.Row) -> CalendarAccount:
    channel = None
    if row.channel_id is not None:
        channel = PushChannel(
            id=row.channel_id,
            token_hash=row.channel_token_hash or "",
            resource_id=row.channel_resource_id or "",
            expires_at=utc_aware(row.channel_expires_at),
        )
    return CalendarAccount(
        id=row.id,
        user_id=row.user_id,
        provider=ProviderKind(row.provider),
        account_email=row.account_email,
        display_name=row.display_name,
        server_url=row.server_url,
        settings=settings_from_json(row.settings),
        state=AccountState(row.state),
        cursor=row.cursor,
        cursor_calendar_id=row.cursor_calendar_id,
        last_success_at=utc_aware(row.last_success_at),
        last_error=row.last_error,
        pushed=row.pushed,
        imported=row.imported,
        failed=row.failed,
        next_run_at=utc_aware(row.next_run_at),
        crm_revision_seen=row.crm_revision_seen,
        crm_full_at=utc_aware(row.crm_full_at),
        channel=channel,
        created_at=utc_aware(row.created_at),
        updated_at=utc_aware(row.updated_at),
        encrypted_secret=row.encrypted_secret,
        held_deletions=tuple(row.held_deletions or ()),
        deletion_choice=row.deletion_choice,
    )


def add_account(
    conn: sa.Connection,
    *,
    user_id: int,
    provider: ProviderKind,
    account_email: str,
    encrypted_secret: str,
    settings: SyncSettings,
    now: dt.datetime,
    server_url: str = "",
    display_name: str = "",
) -> CalendarAccount:
    """Store a newly connected account, stopped; `AccountError` if the user has it already."""
    exists = conn.execute(
        sa.select(c.id).where(
            c.user_id == user_id, c.provider == provider.value, c.account_email == account_email
        )
    ).first()
    if exists is not None:
        raise AlreadyConnected(
            f"{provider.value} account {account_email} is already connected as account "
            f"{exists.id}: to give it a new password or grant, reconnect it",
            exists.id,
        )
    account_id = conn.execute(
        sa.insert(calendar_accounts).values(
            user_id=user_id,
            provider=provider.value,
            account_email=account_email,
            display_name=display_name,
            server_url=server_url,
            encrypted_secret=encrypted_secret,
            settings=settings_to_json(settings),
            state=AccountState.STOPPED.value,
            created_at=now,
            updated_at=now,
        )
    ).inserted_primary_key[0]
    return require_account(conn, account_id)


def get_account(conn: sa.Connection, account_id: int) -> CalendarAccount | None:
    row = conn.execute(sa.select(calendar_accounts).where(c.id == account_id)).first()
    return None if row is None else _to_account(row)


def require_account(conn: sa.Connection, account_id: int) -> CalendarAccount:
    account = get_account(conn, account_id)
    if account is None:
        raise AccountError(f"no calendar account {account_id}")
    return account


def accounts_of(conn: sa.Connection, user_id: int) -> list[CalendarAccount]:
    rows = conn.execute(sa.select(calendar_accounts).where(c.user_id == user_id).order_by(c.id))
    return [_to_account(row) for row in rows]


def all_accounts(conn: sa.Connection) -> list[CalendarAccount]:
    return [_to_account(row) for row in conn.execute(sa.select(calendar_accounts).order_by(c.id))]


def account_by_channel(conn: sa.Connection, channel_id: str) -> CalendarAccount | None:
    row = conn.execute(sa.select(calendar_accounts).where(c.channel_id == channel_id)).first()
    return None if row is None else _to_account(row)


def _update(conn: sa.Connection, account_id: int, now: dt.datetime, **values: object) -> None:
    result = conn.execute(
        sa.update(calendar_accounts).where(c.id == account_id).values(updated_at=now, **values)
    )
    if result.rowcount == 0:
        raise AccountError(f"no calendar account {account_id}")


def save_settings(
    conn: sa.Connection, account_id: int, settings: SyncSettings, now: dt.datetime
) -> None:
    """Store new settings and have the account synced at once, so they take effect.

    Any setting can change what belongs in the calendar (a type unticked, a
    wider window), so the next run is due now and reads both sides in full.
    The cursor is kept: it is bound to its calendar (`CalendarAccount.cursor_for`).
    """
    _update(
        conn,
        account_id,
        now,
        settings=settings_to_json(settings),
        next_run_at=now,
        crm_full_at=None,
    )
    announce(conn)


def settings_unchanged(conn: sa.Connection, account_id: int, settings: SyncSettings) -> bool:
    """Whether the account's settings are still `settings`, for a write of a run based on them.

    The row is share-locked (PostgreSQL), so a settings change cannot commit
    between this check and the end of the calling transaction; SQLite's
    write transactions are serial anyway.
    """
    stored = conn.execute(
        sa.select(c.settings).where(c.id == account_id).with_for_update(read=True)
    ).scalar_one_or_none()
    return stored is not None and settings_from_json(stored) == settings


def set_state(
    conn: sa.Connection,
    account_id: int,
    state: AccountState,
    now: dt.datetime,
    *,
    error: str | None = None,
) -> None:
    """Move the account to `state`; starting makes it due at once and clears the last error."""
    values: dict[str, object] = {"state": state.value}
    if state is AccountState.ACTIVE:
        values |= {"next_run_at": now, "last_error": None}
        announce(conn)
    elif error is not None:
        values["last_error"] = error
    _update(conn, account_id, now, **values)


def replace_secret(
    conn: sa.Connection, account_id: int, encrypted_secret: str, now: dt.datetime
) -> None:
    """Store renewed credentials (a refreshed token pair, a new password)."""
    _update(conn, account_id, now, encrypted_secret=encrypted_secret)


def save_cursor(
    conn: sa.Connection, account_id: int, calendar_id: str, cursor: str | None, now: dt.datetime
) -> None:
    """Store the cursor once everything it covers is applied (None: list in full next time)."""
    _update(conn, account_id, now, cursor=cursor, cursor_calendar_id=calendar_id)


def request_sync(conn: sa.Connection, account_id: int, now: dt.datetime) -> None:
    """Make the account due now ("Sync now", a push notification)."""
    _update(conn, account_id, now, next_run_at=now)
    announce(conn)


@dataclass(frozen=True)
class RunTotals:
    """What a finished run adds to the account's counters."""

    pushed: int
    imported: int
    failed: int


def record_success(
    conn: sa.Connection,
    account_id: int,
    now: dt.datetime,
    totals: RunTotals,
    *,
    crm_revision_seen: int,
    next_run_at: dt.datetime,
    started_at: dt.datetime,
    crm_full_at: dt.datetime | None = None,
) -> None:
    """Note a finished run; a wake-up that came during it (push, "Sync now") still stands."""
    woken_during_run = sa.and_(c.next_run_at.is_not(None), c.next_run_at > started_at)
    _update(
        conn,
        account_id,
        now,
        last_success_at=now,
        last_error=None,
        pushed=c.pushed + totals.pushed,
        imported=c.imported + totals.imported,
        failed=c.failed + totals.failed,
        crm_revision_seen=crm_revision_seen,
        next_run_at=sa.case((woken_during_run, c.next_run_at), else_=next_run_at),
        crm_full_at=c.crm_full_at if crm_full_at is None else crm_full_at,
        held_deletions=None,
        deletion_choice=None,
    )


def record_failure(
    conn: sa.Connection,
    account_id: int,
    now: dt.datetime,
    message: str,
    *,
    next_run_at: dt.datetime | None,
    state: AccountState | None = None,
) -> None:
    """Note a failed run; `state` moves the account (needs_reconnect, needs_attention)."""
    values: dict[str, object] = {"last_error": message, "next_run_at": next_run_at}
    if state is not None:
        values["state"] = state.value
    _update(conn, account_id, now, **values)


def hold_deletions(
    conn: sa.Connection,
    account_id: int,
    now: dt.datetime,
    message: str,
    held: list[dict[str, object]],
) -> None:
    """A run held its deletions back: the account waits for its owner's choice."""
    _update(
        conn,
        account_id,
        now,
        state=AccountState.NEEDS_ATTENTION.value,
        last_error=message,
        next_run_at=None,
        held_deletions=held,
        deletion_choice=None,
    )


def choose_deletions(conn: sa.Connection, account_id: int, choice: str, now: dt.datetime) -> None:
    """The owner's answer to held deletions; the account runs at once with it."""
    _update(
        conn,
        account_id,
        now,
        state=AccountState.ACTIVE.value,
        deletion_choice=choice,
        next_run_at=now,
        last_error=None,
    )
    announce(conn)


def save_channel(
    conn: sa.Connection, account_id: int, channel: PushChannel | None, now: dt.datetime
) -> None:
    """Remember the account's open push channel (None: it has none)."""
    _update(
        conn,
        account_id,
        now,
        channel_id=None if channel is None else channel.id,
        channel_token_hash=None if channel is None else channel.token_hash,
        channel_resource_id=None if channel is None else channel.resource_id,
        channel_expires_at=None if channel is None else channel.expires_at,
    )


def remove_account(conn: sa.Connection, account_id: int) -> None:
    """Forget the account with its credentials, links, errors and runs (disconnect)."""
    result = conn.execute(sa.delete(calendar_accounts).where(c.id == account_id))
    if result.rowcount == 0:
        raise AccountError(f"no calendar account {account_id}")
