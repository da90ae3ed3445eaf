"""The calendar accounts table: duplicates, settings, counters, wake-ups, no secret in sight."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from bridge.accounts import AccountState, CalendarAccount
from bridge.domain import ImportVisibility, PrivateEventPolicy, ProviderKind, SyncSettings, SyncType
from bridge.store import sync_accounts
from bridge.store.db import writing
from bridge.store.users import create_user

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
SETTINGS = SyncSettings(
    sync_type=SyncType.TWO_WAY,
    import_visibility=ImportVisibility.EVERYONE,
    private_events=PrivateEventPolicy.BUSY_BLOCK,
    import_type_key="meeting",
    pushed_type_keys=frozenset({"call", "meeting"}),
    include_crm_info=False,
    calendar_id="primary",
)


def _account(conn: sa.Connection) -> CalendarAccount:
    user = create_user(conn, "alice", "pw")
    assert user.id is not None
    return sync_accounts.add_account(
        conn,
        user_id=user.id,
        provider=ProviderKind.GOOGLE,
        account_email="alice@example.com",
        encrypted_secret="CIPHERTEXT",
        settings=SETTINGS,
        now=NOW,
    )


def test_an_account_reads_back_stopped_with_its_settings_and_no_secret_in_repr(
    engine: sa.Engine,
) -> None:
    with writing(engine) as conn:
        account = _account(conn)
        with pytest.raises(sync_accounts.AccountError, match="already connected"):
            sync_accounts.add_account(
                conn,
                user_id=account.user_id,
                provider=ProviderKind.GOOGLE,
                account_email="alice@example.com",
                encrypted_secret="OTHER",
                settings=SETTINGS,
                now=NOW,
            )
    assert account.state is AccountState.STOPPED
    assert account.settings == SETTINGS
    assert "CIPHERTEXT" not in repr(account)


def test_a_wake_up_during_a_run_outlives_the_run(engine: sa.Engine) -> None:
    started = NOW
    with writing(engine) as conn:
        account = _account(conn)
        sync_accounts.request_sync(conn, account.id, started + dt.timedelta(seconds=5))
        sync_accounts.record_success(
            conn,
            account.id,
            started + dt.timedelta(seconds=9),
            sync_accounts.RunTotals(pushed=2, imported=1, failed=0),
            crm_revision_seen=7,
            next_run_at=started + dt.timedelta(minutes=1),
            started_at=started,
        )
        woken = sync_accounts.require_account(conn, account.id)
        sync_accounts.record_success(
            conn,
            account.id,
            started + dt.timedelta(seconds=20),
            sync_accounts.RunTotals(pushed=1, imported=0, failed=0),
            crm_revision_seen=8,
            next_run_at=started + dt.timedelta(minutes=2),
            started_at=started + dt.timedelta(seconds=10),
        )
        quiet = sync_accounts.require_account(conn, account.id)
    assert woken.next_run_at == started + dt.timedelta(seconds=5)
    assert quiet.next_run_at == started + dt.timedelta(minutes=2)
    assert (quiet.pushed, quiet.imported, quiet.crm_revision_seen) == (3, 1, 8)
