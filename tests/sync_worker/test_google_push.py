"""Push notifications end to end: the worker opens a channel at the emulator, the emulator
POSTs to the webhook over a socket when an event changes, the account becomes due, and the
next run imports the change; forged notifications, renewal and closing around that."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
import sqlalchemy as sa
from starlette.applications import Starlette

from bridge.accounts import AccountState, CalendarAccount, PushChannel
from bridge.calendar_accounts import CalendarAccounts
from bridge.connections import close_channel, secret_saver
from bridge.domain import User
from bridge.secrets import SecretBox
from bridge.security import token_digest
from bridge.store.db import writing
from bridge.store.schema import calendar_accounts as accounts_table
from bridge.store.sync_accounts import record_failure, require_account, set_state
from bridge.store.sync_runs import RunOutcome
from bridge.sync.run import utc_now
from bridge.web.webhooks import webhook_routes
from bridge.worker.channels import ChannelKeeper
from bridge.worker.scheduler import Worker
from tests.emulators.google_calendar import Fault, GoogleEmulator
from tests.emulators.google_errors import ApiError
from tests.servers import serve_in_thread
from tests.sync_fixtures import CRM_LOGIN, GOOGLE_LOGIN
from tests.sync_worker.sync_samples import (
    GOOGLE_CALENDAR,
    google_event,
    live_activities,
    soon,
    sync,
    sync_ok,
)

TEAM_CALENDAR = "team@group.calendar.google.com"
DEADLINE = 30.0  # seconds; only a broken delivery comes near it


class KeeperClock:
    """The channel keeper's "now": real time plus an offset the test moves forward."""

    def __init__(self) -> None:
        self.offset = dt.timedelta(0)

    def __call__(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset


@pytest.fixture
def public_url(engine: sa.Engine, google: GoogleEmulator) -> Iterator[str]:
    """The webhook routes alone on a real socket, on the test database; yields their base URL.

    The server stops only once the emulator delivered everything, so no
    delivery waits for its timeout against a server that is going away.
    """
    with serve_in_thread(Starlette(routes=webhook_routes(engine))) as base_url:
        yield base_url
        google.state.push.wait_idle()


@pytest.fixture
def webhook_url(public_url: str) -> str:
    return f"{public_url}/webhooks/google"


@pytest.fixture
def keeper_clock() -> KeeperClock:
    return KeeperClock()


@pytest.fixture
def push_worker(
    engine: sa.Engine, worker: Worker, public_url: str, keeper_clock: KeeperClock
) -> Worker:
    """The `worker` fixture's worker, with a channel keeper posting to the webhook."""
    keeper = ChannelKeeper(engine, public_url=public_url, now=keeper_clock)
    return Worker(engine, worker.open_provider, worker.schedule, after_run=keeper)


@pytest.fixture
def account_id(calendar_accounts: CalendarAccounts, google_account: CalendarAccount) -> int:
    """alice's Google account, started."""
    calendar_accounts.start(CRM_LOGIN, google_account.id)
    return google_account.id


def stored(engine: sa.Engine, account_id: int) -> CalendarAccount:
    with engine.connect() as conn:
        return require_account(conn, account_id)


def channel_of(engine: sa.Engine, account_id: int) -> PushChannel:
    channel = stored(engine, account_id).channel
    assert channel is not None
    return channel


def is_due(engine: sa.Engine, account_id: int) -> bool:
    next_run_at = stored(engine, account_id).next_run_at
    return next_run_at is not None and next_run_at <= dt.datetime.now(dt.UTC)


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline, "no notification arrived"
        time.sleep(0.02)


def notification_headers(google: GoogleEmulator, channel: PushChannel) -> dict[str, str]:
    """What Google sends for a change on `channel`, with the token only Google and we know."""
    return {
        "X-Goog-Channel-ID": channel.id,
        "X-Goog-Channel-Token": google.state.channels[channel.id].token or "",
        "X-Goog-Resource-ID": channel.resource_id,
        "X-Goog-Resource-URI": "https://www.googleapis.com/calendar/v3/calendars/x/events",
        "X-Goog-Resource-State": "exists",
        "X-Goog-Message-Number": "7",
    }


def post(url: str, headers: dict[str, str]) -> int:
    return httpx.post(url, headers=headers).status_code


def test_a_run_opens_a_channel_and_stores_only_the_digest_of_its_token(
    engine: sa.Engine,
    google: GoogleEmulator,
    push_worker: Worker,
    account_id: int,
    webhook_url: str,
) -> None:
    sync_ok(push_worker, account_id)

    channel = channel_of(engine, account_id)
    at_google = google.state.channels[channel.id]
    assert (at_google.calendar_id, at_google.address) == (GOOGLE_CALENDAR, webhook_url)
    assert channel.resource_id == at_google.resource_id
    assert channel.expires_at == at_google.expiration
    assert at_google.token
    assert channel.token_hash == token_digest(at_google.token)
    with engine.connect() as conn:
        row = conn.execute(sa.select(accounts_table).where(accounts_table.c.id == account_id)).one()
    assert all(at_google.token not in str(value) for value in row)

    sync_ok(push_worker, account_id)
    assert channel_of(engine, account_id) == channel
    assert google.requests["calendar.events.watch"] == 1


def test_a_change_in_google_wakes_the_account_and_the_next_run_imports_it(
    engine: sa.Engine,
    google: GoogleEmulator,
    crm_user: User,
    push_worker: Worker,
    account_id: int,
) -> None:
    sync_ok(push_worker, account_id)
    assert google.state.push.wait_idle()
    assert not is_due(engine, account_id)

    dentist = google.state.insert_event(GOOGLE_CALENDAR, google_event("Dentist", soon(2, 11)))
    wait_until(lambda: is_due(engine, account_id))
    imported = push_worker.run_due()[account_id]
    assert imported is not None
    assert imported.counts.imported == 1
    assert [a.subject for a in live_activities(engine, crm_user)] == ["Dentist"]
    assert google.state.push.wait_idle()
    assert not is_due(engine, account_id)

    google.state.patch_event(GOOGLE_CALENDAR, dentist["id"], {"summary": "Dentist, Dr Who"})
    wait_until(lambda: is_due(engine, account_id))
    assert account_id in push_worker.run_due()
    assert [a.subject for a in live_activities(engine, crm_user)] == ["Dentist, Dr Who"]

    assert google.state.push.wait_idle()
    changes = [d for d in google.state.push.deliveries if d.resource_state == "exists"]
    assert len(changes) >= 2
    assert all(d.status_code == 200 for d in changes)


def test_forged_and_unknown_notifications_are_404_and_wake_nothing(
    engine: sa.Engine,
    google: GoogleEmulator,
    push_worker: Worker,
    account_id: int,
    webhook_url: str,
) -> None:
    sync_ok(push_worker, account_id)
    assert google.state.push.wait_idle()
    genuine = notification_headers(google, channel_of(engine, account_id))
    forgeries = [
        genuine | {"X-Goog-Channel-Token": "guessed"},
        genuine | {"X-Goog-Channel-ID": "0123456789abcdef"},
        genuine | {"X-Goog-Resource-ID": "another-resource"},
        {k: v for k, v in genuine.items() if k != "X-Goog-Channel-Token"},
        {},
    ]

    assert [post(webhook_url, headers) for headers in forgeries] == [404] * len(forgeries)
    assert not is_due(engine, account_id)

    assert post(webhook_url, genuine | {"X-Goog-Resource-State": "sync"}) == 200
    assert not is_due(engine, account_id)
    assert post(webhook_url, genuine) == 200
    assert is_due(engine, account_id)


def test_a_notification_neither_cuts_a_back_off_short_nor_wakes_a_stopped_account(
    engine: sa.Engine,
    google: GoogleEmulator,
    push_worker: Worker,
    account_id: int,
    webhook_url: str,
) -> None:
    sync_ok(push_worker, account_id)
    genuine = notification_headers(google, channel_of(engine, account_id))
    retry_at = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    with writing(engine) as conn:
        record_failure(conn, account_id, utc_now(), "TemporaryFailure", next_run_at=retry_at)

    assert post(webhook_url, genuine) == 200
    assert stored(engine, account_id).next_run_at == retry_at

    with writing(engine) as conn:
        set_state(conn, account_id, AccountState.STOPPED, utc_now())
    assert post(webhook_url, genuine) == 200
    assert stored(engine, account_id).next_run_at == retry_at


def test_a_channel_about_to_expire_is_replaced_and_the_old_one_stopped(
    engine: sa.Engine,
    google: GoogleEmulator,
    push_worker: Worker,
    account_id: int,
    keeper_clock: KeeperClock,
) -> None:
    sync_ok(push_worker, account_id)
    first = channel_of(engine, account_id)

    keeper_clock.offset = dt.timedelta(days=6, hours=12)  # half a day left, renewal is due
    sync_ok(push_worker, account_id)

    second = channel_of(engine, account_id)
    assert second.id != first.id
    assert list(google.state.channels) == [second.id]
    assert google.requests["calendar.channels.stop"] == 1

    google.state.insert_event(GOOGLE_CALENDAR, google_event("Dentist", soon(2, 11)))
    wait_until(lambda: is_due(engine, account_id))


def test_a_new_calendar_setting_moves_the_channel_to_that_calendar(
    engine: sa.Engine,
    google: GoogleEmulator,
    calendar_accounts: CalendarAccounts,
    push_worker: Worker,
    account_id: int,
) -> None:
    google.state.add_calendar(GOOGLE_LOGIN, TEAM_CALENDAR, "Team")
    sync_ok(push_worker, account_id)
    first = channel_of(engine, account_id)

    calendar_accounts.update_settings(CRM_LOGIN, account_id, {"calendar_id": TEAM_CALENDAR})
    sync_ok(push_worker, account_id)

    second = channel_of(engine, account_id)
    assert first.id not in google.state.channels
    assert google.state.channels[second.id].calendar_id == TEAM_CALENDAR


def test_close_channel_stops_the_channel_and_forgets_it(
    engine: sa.Engine, google: GoogleEmulator, push_worker: Worker, account_id: int
) -> None:
    sync_ok(push_worker, account_id)
    account = stored(engine, account_id)
    provider = push_worker.open_provider(account, secret_saver(engine, account_id, utc_now))
    try:
        close_channel(engine, account, provider)
        close_channel(engine, account, provider)  # nothing left to close: no call, no error
    finally:
        provider.close()

    assert stored(engine, account_id).channel is None
    assert google.state.channels == {}
    assert google.requests["calendar.channels.stop"] == 1
    assert google.state.push.wait_idle()
    delivered = len(google.state.push.deliveries)
    google.state.insert_event(GOOGLE_CALENDAR, google_event("Dentist", soon(2, 11)))
    assert google.state.push.wait_idle()
    assert len(google.state.push.deliveries) == delivered


def test_a_refused_watch_leaves_the_run_ok_and_is_tried_again_next_run(
    engine: sa.Engine, google: GoogleEmulator, push_worker: Worker, account_id: int
) -> None:
    refusal = ApiError(400, "push.webhookUrlNotHttps", "WebHook callback must be HTTPS")
    google.inject(Fault(error=refusal, path=r"/events/watch$"))

    sync_ok(push_worker, account_id)
    assert stored(engine, account_id).channel is None

    sync_ok(push_worker, account_id)
    assert stored(engine, account_id).channel is not None
    assert google.requests["calendar.events.watch"] == 2


def test_no_channel_when_push_is_off_or_the_run_failed(
    engine: sa.Engine,
    google: GoogleEmulator,
    box: SecretBox,
    worker: Worker,
    push_worker: Worker,
    account_id: int,
) -> None:
    push_off = ChannelKeeper(engine, public_url=None)
    sync_ok(Worker(engine, worker.open_provider, worker.schedule, after_run=push_off), account_id)
    assert stored(engine, account_id).channel is None

    secret = json.loads(box.decrypt(stored(engine, account_id).encrypted_secret))
    google.state.revoke(secret["refresh_token"])
    assert sync(push_worker, account_id).outcome is RunOutcome.NEEDS_RECONNECT
    assert stored(engine, account_id).channel is None
    assert google.requests["calendar.events.watch"] == 0
