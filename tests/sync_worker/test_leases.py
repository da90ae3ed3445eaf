"""Several workers share the accounts: each account is synced by one worker at a time."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa

from bridge.calendar_accounts import CalendarAccounts
from bridge.config import Settings
from bridge.connections import open_provider
from bridge.secrets import SecretBox
from bridge.store import sync_leases
from bridge.store.db import writing
from bridge.store.sync_runs import recent_runs
from bridge.store.users import create_user
from bridge.worker.scheduler import Schedule, Worker
from tests.emulators.google_calendar import GoogleEmulator
from tests.providers.google_provider_samples import issued_tokens
from tests.sync_worker.sync_samples import GOOGLE_CALENDAR, add_activity, live_events

LEASE = dt.timedelta(minutes=5)


def _accounts(
    engine: sa.Engine, google: GoogleEmulator, calendar_accounts: CalendarAccounts, count: int
) -> list[int]:
    """`count` CRM users, each with one activity and a started account."""
    ids = []
    for number in range(count):
        with writing(engine) as conn:
            user = create_user(conn, f"seller{number}", "pw")
        add_activity(engine, user, f"Visit by seller {number}")
        account = calendar_accounts.connect_tokens(user.login, "google", issued_tokens(google))
        calendar_accounts.start(user.login, account.id)
        ids.append(account.id)
    return ids


def test_two_workers_never_run_the_same_account(
    engine: sa.Engine,
    google: GoogleEmulator,
    calendar_accounts: CalendarAccounts,
    box: SecretBox,
    provider_settings: Settings,
) -> None:
    account_ids = _accounts(engine, google, calendar_accounts, 6)
    workers = [
        Worker(
            engine,
            lambda account, save: open_provider(account, box, provider_settings, save),
            Schedule(concurrency=2),
            name=f"worker-{number}",
        )
        for number in range(2)
    ]
    claimed: dict[str, list[int]] = {worker.name: [] for worker in workers}
    start = threading.Barrier(len(workers))

    def work(worker: Worker) -> None:
        start.wait()
        for _ in range(6):
            claimed[worker.name] += list(worker.run_due())

    threads = [threading.Thread(target=work, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    everything = [account for runs in claimed.values() for account in runs]
    assert sorted(everything) == account_ids
    with engine.connect() as conn:
        assert all(len(recent_runs(conn, account)) == 1 for account in account_ids)
    assert len(live_events(google.state.events(GOOGLE_CALENDAR))) == 6


def test_a_claim_passes_over_rows_another_worker_is_claiming(
    engine: sa.Engine, google: GoogleEmulator, calendar_accounts: CalendarAccounts
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises claims with its write lock")
    account_ids = _accounts(engine, google, calendar_accounts, 3)
    now = dt.datetime.now(dt.UTC)
    with engine.connect() as first, engine.connect() as second:
        with first.begin():
            mine = sync_leases.claim_due(first, "first", now, LEASE, 2)
            with second.begin():
                theirs = sync_leases.claim_due(second, "second", now, LEASE, 2)
        assert len(mine) == 2
        assert theirs == sorted(set(account_ids) - set(mine))


def test_an_expired_lease_can_be_taken_over(
    engine: sa.Engine, google: GoogleEmulator, calendar_accounts: CalendarAccounts
) -> None:
    (account_id,) = _accounts(engine, google, calendar_accounts, 1)
    now = dt.datetime.now(dt.UTC)
    with writing(engine) as conn:
        assert sync_leases.claim_due(conn, "crashed", now, LEASE, 5) == [account_id]
    with writing(engine) as conn:
        assert sync_leases.claim_due(conn, "other", now + dt.timedelta(minutes=1), LEASE, 5) == []
    with writing(engine) as conn:
        later = now + LEASE + dt.timedelta(seconds=1)
        assert sync_leases.claim_due(conn, "other", later, LEASE, 5) == [account_id]
