"""The Google sync when things go wrong: expired sync tokens, revoked grants, outages, bad items."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from bridge.accounts import AccountState
from bridge.calendar_accounts import CalendarAccounts
from bridge.config import Settings
from bridge.connections import open_provider
from bridge.domain import User
from bridge.secrets import SecretBox, generate_key
from bridge.store.sync_links import item_errors, links_of
from bridge.store.sync_runs import RunOutcome
from bridge.worker.scheduler import Worker
from tests.emulators import google_errors as errors
from tests.emulators.google_calendar import Fault, GoogleEmulator
from tests.providers.google_provider_samples import issued_tokens
from tests.sync_worker.scene import Scene
from tests.sync_worker.sync_samples import (
    GOOGLE_CALENDAR,
    add_activity,
    google_event,
    live_events,
    soon,
    sync,
    sync_ok,
)


@pytest.fixture
def scene(scene_at_google: Scene) -> Scene:
    """These scenarios need Google: they use its faults, batches and request counts."""
    return scene_at_google


def test_an_expired_sync_token_resyncs_in_full_without_duplicates(
    scene: Scene,
    google: GoogleEmulator,
) -> None:
    for day in range(1, 4):
        scene.add(f"Visit {day}", start=soon(day))
    scene.start()
    google.state.insert_event(GOOGLE_CALENDAR, google_event("Own event", soon(5)))
    scene.sync()
    assert google.state.expire_sync_tokens() >= 1

    google.requests.reset()
    resynced = scene.sync()

    assert google.requests["calendar.events.list"] == 2
    assert (resynced.counts.pushed, resynced.counts.imported, resynced.counts.deleted) == (0, 0, 0)
    assert len(live_events(google.state.events(GOOGLE_CALENDAR))) == 4
    assert len(scene.activities()) == 4
    quiet = scene.sync().counts
    assert (quiet.pushed, quiet.imported, quiet.deleted) == (0, 0, 0)


def test_a_revoked_grant_asks_for_a_reconnect_and_stops_syncing(
    engine: sa.Engine,
    google: GoogleEmulator,
    calendar_accounts: CalendarAccounts,
    crm_user: User,
    worker: Worker,
) -> None:
    tokens = issued_tokens(google)
    account = calendar_accounts.connect_tokens("alice", "google", tokens)
    account_id = account.id
    calendar_accounts.start("alice", account_id)
    add_activity(engine, crm_user, "Pushed before the revocation")
    sync_ok(worker, account_id)
    google.state.revoke(tokens.refresh_token)
    add_activity(engine, crm_user, "Never pushed")

    result = sync(worker, account_id)

    assert result.outcome is RunOutcome.NEEDS_RECONNECT
    status = calendar_accounts.status("alice", account_id)
    assert status.account.state is AccountState.NEEDS_RECONNECT
    assert "invalid_grant" in (status.account.last_error or "")
    assert worker.run_due() == {}
    assert [e["summary"] for e in live_events(google.state.events(GOOGLE_CALENDAR)).values()] == [
        "Pushed before the revocation"
    ]


def test_a_calendar_that_suddenly_lists_nothing_deletes_nothing(
    scene: Scene,
    google: GoogleEmulator,
) -> None:
    for number in range(25):
        scene.add(f"Visit {number}", start=soon(1 + number % 20))
    scene.start()
    scene.sync()
    with google.state.lock:
        google.state.store.calendars[GOOGLE_CALENDAR].events.clear()
    google.state.expire_sync_tokens()

    result = sync(scene.worker, scene.account_id)

    assert result.outcome is RunOutcome.NEEDS_ATTENTION
    status = scene.accounts.status("alice", scene.account_id)
    assert status.account.state is AccountState.NEEDS_ATTENTION
    assert "delete 25 of 25 synced items" in (status.account.last_error or "")
    assert len(scene.activities()) == 25
    with scene.engine.connect() as conn:
        assert len(links_of(conn, scene.account_id, GOOGLE_CALENDAR)) == 25


def test_one_refused_event_is_recorded_and_the_rest_goes_on(
    scene: Scene,
    google: GoogleEmulator,
) -> None:
    good = scene.add("Fine")
    bad = scene.add("Refused")
    scene.start()
    scene.sync()
    with scene.engine.connect() as conn:
        event_of = {
            link.activity_id: link.external_id
            for link in links_of(conn, scene.account_id, GOOGLE_CALENDAR)
        }
    scene.change(good.id, subject="Fine, edited")
    scene.change(bad.id, subject="Refused, edited")
    refusal = errors.invalid("Invalid Value", "summary")
    google.inject(Fault(error=refusal, times=5, path=f"/events/{event_of[bad.id]}$"))

    result = scene.sync()

    assert (result.counts.pushed, result.counts.failed) == (1, 1)
    summaries = sorted(
        e["summary"] for e in live_events(google.state.events(GOOGLE_CALENDAR)).values()
    )
    assert summaries == ["Fine, edited", "Refused"]
    with scene.engine.connect() as conn:
        assert [error.activity_id for error in item_errors(conn, account_id=scene.account_id)] == [
            bad.id
        ]
    assert scene.accounts.status("alice", scene.account_id).account.failed == 1

    google.faults.clear()
    assert scene.sync().counts.pushed == 1
    with scene.engine.connect() as conn:
        assert item_errors(conn, account_id=scene.account_id) == []


def test_a_rate_limit_backs_off_as_long_as_google_asks(
    scene: Scene,
    google: GoogleEmulator,
) -> None:
    scene.add("Waits for the quota")
    scene.start()
    google.inject(Fault.too_many_requests(retry_after=600))

    before = dt.datetime.now(dt.UTC)
    result = sync(scene.worker, scene.account_id)

    assert result.outcome is RunOutcome.ERROR
    account = scene.accounts.account("alice", scene.account_id)
    assert account.state is AccountState.ACTIVE
    assert account.next_run_at is not None
    assert account.next_run_at >= before + dt.timedelta(seconds=600)
    assert "RateLimited" in (account.last_error or "")
    assert scene.worker.run_due() == {}
    assert live_events(google.state.events(GOOGLE_CALENDAR)) == {}

    recovered = scene.sync()
    assert recovered.counts.pushed == 1
    assert scene.accounts.account("alice", scene.account_id).last_error is None


def test_a_passing_outage_is_retried_within_the_run(
    scene: Scene,
    google: GoogleEmulator,
) -> None:
    scene.add("Pushed despite a 500")
    scene.start()
    google.inject(Fault.backend_error())

    assert scene.sync().counts.pushed == 1
    assert len(live_events(google.state.events(GOOGLE_CALENDAR))) == 1


def test_credentials_no_configured_key_opens_ask_for_a_reconnect(
    scene: Scene, provider_settings: Settings
) -> None:
    scene.start()
    stranger = SecretBox(generate_key())
    worker = Worker(
        scene.engine,
        lambda account, save: open_provider(account, stranger, provider_settings, save),
    )

    assert worker.run_due() == {scene.account_id: None}

    account = scene.accounts.account("alice", scene.account_id)
    assert account.state is AccountState.NEEDS_RECONNECT
    assert "secret key" in (account.last_error or "")
    assert worker.run_due() == {}
