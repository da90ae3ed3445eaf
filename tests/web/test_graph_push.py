"""Microsoft Graph push end to end: the worker subscribes at the Graph emulator, which first
validates the webhook over a socket, then posts a notification after each change; the
account becomes due, forged notifications wake nothing, and lifecycle messages replace the
subscription."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
import sqlalchemy as sa
from starlette.applications import Starlette

from bridge.accounts import CalendarAccount, PushChannel
from bridge.calendar_accounts import CalendarAccounts
from bridge.config import Settings
from bridge.connections import open_provider
from bridge.domain import User
from bridge.secrets import SecretBox
from bridge.store.sync_accounts import require_account
from bridge.web.webhooks import webhook_routes
from bridge.worker.channels import ChannelKeeper
from bridge.worker.scheduler import Schedule, Worker
from tests.emulators.google_calendar import GoogleEmulator
from tests.emulators.microsoft import GraphEmulator
from tests.providers.microsoft_samples import issued_tokens, utc_body
from tests.servers import serve_in_thread
from tests.sync_fixtures import CRM_LOGIN, emulator_settings
from tests.sync_worker.sync_samples import live_activities, soon, sync_ok

DEADLINE = 30.0  # seconds; only a broken delivery comes near it


@pytest.fixture
def settings(
    google: GoogleEmulator, google_url: str, graph: GraphEmulator, graph_url: str
) -> Settings:
    return emulator_settings(google, google_url, graph=(graph, graph_url))


@pytest.fixture
def public_url(engine: sa.Engine, graph: GraphEmulator) -> Iterator[str]:
    """The webhook routes alone on a real socket: CalBridge's public address in this test."""
    with serve_in_thread(Starlette(routes=webhook_routes(engine))) as base_url:
        yield base_url
        graph.state.wait_idle()


@pytest.fixture
def account(
    engine: sa.Engine, box: SecretBox, settings: Settings, graph: GraphEmulator, crm_user: User
) -> CalendarAccount:
    accounts = CalendarAccounts(engine, box, settings)
    account = accounts.connect_tokens(crm_user.login, "microsoft", issued_tokens(graph))
    return accounts.start(crm_user.login, account.id)


@pytest.fixture
def push_worker(engine: sa.Engine, box: SecretBox, settings: Settings, public_url: str) -> Worker:
    return Worker(
        engine,
        lambda account, save: open_provider(account, box, settings, save),
        Schedule(poll=0.05, concurrency=1),
        after_run=ChannelKeeper(engine, public_url),
    )


def channel_of(engine: sa.Engine, account_id: int) -> PushChannel | None:
    with engine.connect() as conn:
        return require_account(conn, account_id).channel


def is_due(engine: sa.Engine, account_id: int) -> bool:
    with engine.connect() as conn:
        next_run_at = require_account(conn, account_id).next_run_at
    return next_run_at is not None and next_run_at <= dt.datetime.now(dt.UTC)


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline, "no notification arrived"
        time.sleep(0.02)


def test_the_webhook_echoes_a_validation_token_as_plain_text(public_url: str) -> None:
    answer = httpx.post(f"{public_url}/webhooks/microsoft?validationToken=Validation%3A%20x1")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    assert answer.text == "Validation: x1"


def test_a_run_subscribes_and_a_change_in_outlook_wakes_the_account(
    engine: sa.Engine,
    graph: GraphEmulator,
    crm_user: User,
    push_worker: Worker,
    account: CalendarAccount,
) -> None:
    sync_ok(push_worker, account.id)
    channel = channel_of(engine, account.id)
    assert channel is not None
    [subscription] = graph.state.subscriptions.values()
    assert subscription.id == channel.resource_id
    assert channel.id in subscription.notification_url
    assert graph.state.wait_idle()
    assert not is_due(engine, account.id)

    calendar = graph.state.default_calendar()
    graph.state.insert_event(calendar, utc_body("Dentist", soon(2, 11), soon(2, 12)))

    wait_until(lambda: is_due(engine, account.id))
    result = push_worker.run_due()[account.id]
    assert result is not None and result.counts.imported == 1
    assert [a.subject for a in live_activities(engine, crm_user)] == ["Dentist"]
    assert graph.state.wait_idle()
    notified = [d for d in graph.state.deliveries if d.kind == "notification"]
    assert notified and all(d.status_code == 202 for d in notified)

    sync_ok(push_worker, account.id)
    assert len(graph.state.subscriptions) == 1  # a live channel is kept, not opened again
    assert graph.outbox == []


def test_forged_notifications_are_404_and_wake_nothing(
    engine: sa.Engine,
    graph: GraphEmulator,
    push_worker: Worker,
    account: CalendarAccount,
    public_url: str,
) -> None:
    sync_ok(push_worker, account.id)
    assert graph.state.wait_idle()
    channel = channel_of(engine, account.id)
    assert channel is not None
    [subscription] = graph.state.subscriptions.values()
    genuine = {
        "subscriptionId": subscription.id,
        "clientState": subscription.client_state,
        "changeType": "created",
        "resource": "Users/u/Events/e",
    }
    url = f"{public_url}/webhooks/microsoft?channel={channel.id}"
    forgeries = [
        (url, genuine | {"clientState": "guessed"}),
        (url, genuine | {"subscriptionId": "another"}),
        (f"{public_url}/webhooks/microsoft?channel=unknown", genuine),
        (f"{public_url}/webhooks/microsoft", genuine),
        (f"{public_url}/webhooks/google?channel={channel.id}", genuine),
    ]
    for address, item in forgeries:
        assert httpx.post(address, json={"value": [item]}).status_code == 404
    assert httpx.post(url, content=b"not json").status_code == 404
    assert not is_due(engine, account.id)

    assert httpx.post(url, json={"value": [genuine]}).status_code == 202
    assert is_due(engine, account.id)


def test_a_removed_subscription_is_replaced_after_the_next_run(
    engine: sa.Engine,
    graph: GraphEmulator,
    push_worker: Worker,
    account: CalendarAccount,
) -> None:
    sync_ok(push_worker, account.id)
    assert graph.state.wait_idle()
    [first] = graph.state.subscriptions.values()

    graph.state.send_lifecycle(first.id, "subscriptionRemoved")
    assert graph.state.wait_idle()

    assert channel_of(engine, account.id) is None
    assert is_due(engine, account.id)
    assert account.id in push_worker.run_due()
    renewed = channel_of(engine, account.id)
    assert renewed is not None and renewed.resource_id != first.id
    assert renewed.resource_id in graph.state.subscriptions


def test_connecting_through_the_api_signs_in_at_microsoft(
    engine: sa.Engine, box: SecretBox, settings: Settings, graph: GraphEmulator, crm_user: User
) -> None:
    """The consent page, the PKCE code exchange and /me, through the account service."""
    accounts = CalendarAccounts(engine, box, settings)
    callback = "http://127.0.0.1:9/oauth/microsoft/callback"
    url, nonce = accounts.consent_url(CRM_LOGIN, "microsoft", callback)
    sent = httpx.URL(url).params
    assert set(sent["scope"].split()) >= {"offline_access", "Calendars.ReadWrite", "User.Read"}
    assert sent["code_challenge_method"] == "S256"
    assert url.startswith(str(settings.microsoft.login_base) + "/common/oauth2/v2.0/authorize")

    redirected = httpx.get(url, follow_redirects=False)
    assert redirected.status_code == 302
    back = httpx.URL(redirected.headers["location"]).params
    consented = accounts.finish_consent("microsoft", back["state"], back["code"], nonce)

    assert (consented.account.account_email, consented.reconnected) == (graph.user, False)
    assert consented.account.provider.value == "microsoft"


def test_a_body_that_is_not_a_notification_collection_is_404(public_url: str) -> None:
    url = f"{public_url}/webhooks/microsoft?channel=any"
    deep = b'{"value": [' + b"[" * 5000 + b"]" * 5000 + b"]}"
    for body in (deep, b"[]", b'{"value": 7}', b"\xff\xfe"):
        assert httpx.post(url, content=body).status_code == 404
    assert httpx.post(url, content=b"x" * (300 * 1024)).status_code == 413
