"""`calbridge worker` and the worker `calbridge serve` runs in its own process."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from bridge.accounts import CalendarAccount
from bridge.calendar_accounts import CalendarAccounts
from bridge.cli import main
from bridge.config import Settings, get_settings
from bridge.domain import User
from bridge.web.app import create_app
from tests.emulators.google_calendar import GoogleEmulator
from tests.servers import serve_in_thread
from tests.sync_worker.sync_samples import GOOGLE_CALENDAR, add_activity, live_events


@pytest.fixture
def worker_env(google_cli_env: None) -> Settings:
    return get_settings()


def test_worker_once_syncs_the_due_accounts(
    worker_env: Settings,
    engine: sa.Engine,
    google: GoogleEmulator,
    calendar_accounts: CalendarAccounts,
    google_account: CalendarAccount,
    crm_user: User,
    capsys: pytest.CaptureFixture[str],
) -> None:
    add_activity(engine, crm_user, "Quarterly review")
    calendar_accounts.start(crm_user.login, google_account.id)

    assert main(["worker", "--once"]) == 0

    assert f"account {google_account.id}: ok" in capsys.readouterr().out
    summaries = [e["summary"] for e in live_events(google.state.events(GOOGLE_CALENDAR)).values()]
    assert summaries == ["Quarterly review"]


def test_the_served_app_runs_a_worker_that_pushes_a_new_activity(
    worker_env: Settings,
    engine: sa.Engine,
    google: GoogleEmulator,
    calendar_accounts: CalendarAccounts,
    google_account: CalendarAccount,
    crm_user: User,
) -> None:
    calendar_accounts.start(crm_user.login, google_account.id)
    with serve_in_thread(create_app(worker_env), lifespan="on"):
        add_activity(engine, crm_user, "Pushed by the in-process worker")
        deadline = time.monotonic() + 30
        while not live_events(google.state.events(GOOGLE_CALENDAR)):
            assert time.monotonic() < deadline, "the in-process worker pushed nothing"
            time.sleep(0.05)


def test_no_worker_keeps_the_app_from_syncing(
    worker_env: Settings,
    engine: sa.Engine,
    google: GoogleEmulator,
    calendar_accounts: CalendarAccounts,
    google_account: CalendarAccount,
    crm_user: User,
) -> None:
    calendar_accounts.start(crm_user.login, google_account.id)
    settings = worker_env.model_copy(update={"run_worker": False})
    with serve_in_thread(create_app(settings), lifespan="on"):
        add_activity(engine, crm_user, "Stays in the CRM")
        time.sleep(0.5)
    assert live_events(google.state.events(GOOGLE_CALENDAR)) == {}
