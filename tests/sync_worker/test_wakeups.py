"""On PostgreSQL a worker hears about changes through LISTEN/NOTIFY instead of waiting to poll."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from bridge.accounts import CalendarAccount
from bridge.calendar_accounts import CalendarAccounts
from bridge.config import Settings
from bridge.connections import open_provider
from bridge.domain import User
from bridge.secrets import SecretBox
from bridge.worker.scheduler import Schedule, Worker
from tests.emulators.google_calendar import GoogleEmulator
from tests.sync_worker.sync_samples import GOOGLE_CALENDAR, add_activity, live_events

NEVER = 3600.0
"""A poll interval no test waits for: only a notification can wake the worker in time."""


def _wait_for_event(google: GoogleEmulator, summary: str) -> None:
    deadline = time.monotonic() + 30
    while summary not in {
        event["summary"] for event in live_events(google.state.events(GOOGLE_CALENDAR)).values()
    }:
        assert time.monotonic() < deadline, f"{summary!r} never reached the calendar"
        time.sleep(0.05)


def test_a_crm_change_wakes_a_sleeping_worker(
    engine: sa.Engine,
    google: GoogleEmulator,
    calendar_accounts: CalendarAccounts,
    google_account: CalendarAccount,
    crm_user: User,
    box: SecretBox,
    provider_settings: Settings,
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's; on SQLite the one in-process worker polls")
    worker = Worker(
        engine,
        lambda account, save: open_provider(account, box, provider_settings, save),
        Schedule(poll=NEVER),
    )
    stop = threading.Event()
    thread = threading.Thread(target=worker.serve, args=(stop,))
    thread.start()
    try:
        time.sleep(0.5)  # the first, empty look happens before anything is due
        calendar_accounts.start(crm_user.login, google_account.id)
        add_activity(engine, crm_user, "Heard through NOTIFY")
        _wait_for_event(google, "Heard through NOTIFY")
    finally:
        stop.set()
        worker.wake()
        thread.join(30)
