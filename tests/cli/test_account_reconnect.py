"""`calbridge account reconnect`: back from needs_reconnect with settings, links and cursor kept.

Each test plays the whole story against a real server: connect, sync, the
password changes (stock Radicale) or the grant is revoked (the Google
emulator), a run sets needs_reconnect, `start` says what to run, the
account is reconnected, and the next run goes on without duplicates.
"""

from __future__ import annotations

import io
import pathlib
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from bridge.accounts import AccountState, CalendarAccount
from bridge.calendar_accounts import CalendarAccounts
from bridge.domain import User
from bridge.store.db import writing
from bridge.store.sync_links import count_links
from bridge.store.sync_runs import RunOutcome
from bridge.store.users import create_user
from bridge.worker.scheduler import Worker
from tests.cli.test_account_commands import ConsentingBrowser, run, stored
from tests.emulators.google_calendar import GoogleEmulator
from tests.providers.google_provider_samples import issued_tokens
from tests.stock_radicale import USERS, RadicaleServer, running_radicale
from tests.sync_worker.sync_samples import (
    GOOGLE_CALENDAR,
    add_activity,
    live_events,
    sync,
    sync_ok,
)

pytestmark = pytest.mark.usefixtures("google_cli_env")
NEW_PASSWORD = "changed-secret"


@pytest.fixture
def radicale_root(tmp_path: pathlib.Path) -> pathlib.Path:
    return tmp_path / "radicale"


@pytest.fixture
def radicale(radicale_root: pathlib.Path) -> Iterator[RadicaleServer]:
    with running_radicale(radicale_root) as server:
        server.make_calendar("alice", "work")
        yield server


def change_password(root: pathlib.Path, password: str) -> None:
    """alice changes her password on the CalDAV server (Radicale rereads its htpasswd file)."""
    logins = USERS | {"alice": password}
    (root / "users").write_text("".join(f"{user}:{secret}\n" for user, secret in logins.items()))


def event_names(root: pathlib.Path) -> list[str]:
    """The objects Radicale stores in alice's `work` calendar."""
    folder = root / "collections" / "collection-root" / "alice" / "work"
    return sorted(path.name for path in folder.glob("*.ics"))


def reconnect_state(engine: sa.Engine, account: CalendarAccount) -> tuple[object, ...]:
    """What a reconnect must keep: settings, cursor and links."""
    with engine.connect() as conn:
        links = count_links(conn, account.id, account.settings.calendar_id)
    return (account.settings, account.cursor, account.cursor_calendar_id, links)


def test_caldav_password_changed_then_reconnected(
    engine: sa.Engine,
    crm_user: User,
    radicale: RadicaleServer,
    radicale_root: pathlib.Path,
    calendar_accounts: CalendarAccounts,
    worker: Worker,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    account = calendar_accounts.connect(
        "alice", "caldav", {"url": radicale.url + "/", "username": "alice", "password": "secret"}
    )
    calendar_accounts.update_settings("alice", account.id, {"window_past_days": 7})
    calendar_accounts.start("alice", account.id)
    add_activity(engine, crm_user, "Before the change")
    sync_ok(worker, account.id)
    change_password(radicale_root, NEW_PASSWORD)

    assert sync(worker, account.id).outcome is RunOutcome.NEEDS_RECONNECT
    [broken] = stored(engine, crm_user)
    assert broken.state is AccountState.NEEDS_RECONNECT
    kept = reconnect_state(engine, broken)
    host = radicale.url.removeprefix("http://")
    status, out, _ = run(capsys, "account", "status", "1", "--user", "alice")
    assert status == 0
    assert "GrantRevoked" not in out
    assert f"the CalDAV server {host} refused the user name or password" in out
    assert "needs_reconnect: run `calbridge account reconnect 1 --user alice`" in out

    status, out, err = run(capsys, "account", "start", "1", "--user", "alice")
    assert (status, out) == (1, "")
    assert err.startswith("calbridge: error: account 1 needs reconnecting before it can sync: ")
    assert err.endswith("; run `calbridge account reconnect 1 --user alice`\n")
    assert stored(engine, crm_user)[0].state is AccountState.NEEDS_RECONNECT

    argv = ["account", "reconnect", "1", "--user", "alice", "--password-stdin"]
    monkeypatch.setattr("sys.stdin", io.StringIO("secret\n"))  # the old one: refused
    status, _, err = run(capsys, *argv)
    assert status == 1
    assert f"the CalDAV server {host} refused the user name or password" in err
    assert stored(engine, crm_user)[0].encrypted_secret == broken.encrypted_secret

    monkeypatch.setattr("sys.stdin", io.StringIO(f"{NEW_PASSWORD}\n"))
    status, out, err = run(capsys, *argv)
    assert status == 0, err
    assert out.startswith("account 1 reconnected (alice)")
    assert out.rstrip().endswith("it is active")
    [renewed] = stored(engine, crm_user)
    assert renewed.state is AccountState.ACTIVE
    assert renewed.last_error is None
    assert reconnect_state(engine, renewed) == kept

    add_activity(engine, crm_user, "After the reconnect")
    sync_ok(worker, account.id)
    assert len(event_names(radicale_root)) == 2
    sync_ok(worker, account.id)
    assert len(event_names(radicale_root)) == 2


def test_google_grant_revoked_then_reconnected_by_the_same_google_account(
    engine: sa.Engine,
    crm_user: User,
    google: GoogleEmulator,
    calendar_accounts: CalendarAccounts,
    worker: Worker,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tokens = issued_tokens(google)
    account = calendar_accounts.connect_tokens("alice", "google", tokens)
    calendar_accounts.update_settings("alice", account.id, {"pushed_type_keys": ["meeting"]})
    calendar_accounts.start("alice", account.id)
    add_activity(engine, crm_user, "Before the revocation")
    sync_ok(worker, account.id)
    google.state.revoke(tokens.refresh_token)
    assert sync(worker, account.id).outcome is RunOutcome.NEEDS_RECONNECT
    [broken] = stored(engine, crm_user)
    kept = reconnect_state(engine, broken)

    stranger = "someone-else@example.com"
    google.state.add_user(stranger)
    monkeypatch.setattr("sys.stdin", ConsentingBrowser(capsys, google_user=stranger))
    status, _, err = run(capsys, "account", "reconnect", "1", "--user", "alice")
    assert status == 1
    assert stranger in err
    assert f"reconnect signed in to Google as {GOOGLE_CALENDAR}" in err
    assert stored(engine, crm_user)[0].encrypted_secret == broken.encrypted_secret
    assert stored(engine, crm_user)[0].state is AccountState.NEEDS_RECONNECT

    monkeypatch.setattr("sys.stdin", ConsentingBrowser(capsys))
    status, out, err = run(capsys, "account", "reconnect", "1", "--user", "alice")
    assert status == 0, err
    assert out.startswith(f"account 1 reconnected ({GOOGLE_CALENDAR})")
    [renewed] = stored(engine, crm_user)
    assert renewed.state is AccountState.ACTIVE
    assert reconnect_state(engine, renewed) == kept
    assert len(stored(engine, crm_user)) == 1

    add_activity(engine, crm_user, "After the reconnect")
    sync_ok(worker, account.id)
    events = live_events(google.state.events(GOOGLE_CALENDAR)).values()
    summaries = sorted(event["summary"] for event in events)
    assert summaries == ["After the reconnect", "Before the revocation"]


def test_reconnecting_a_stopped_account_keeps_it_stopped(
    engine: sa.Engine,
    crm_user: User,
    radicale: RadicaleServer,
    calendar_accounts: CalendarAccounts,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calendar_accounts.connect(
        "alice", "caldav", {"url": radicale.url + "/", "username": "alice", "password": "secret"}
    )
    monkeypatch.setattr("sys.stdin", io.StringIO("secret\n"))
    status, out, _ = run(capsys, "account", "reconnect", "1", "--user", "alice", "--password-stdin")
    assert status == 0
    assert out.rstrip().endswith("it is stopped")
    assert stored(engine, crm_user)[0].state is AccountState.STOPPED


def test_another_users_account_cannot_be_reconnected(
    engine: sa.Engine,
    crm_user: User,
    radicale: RadicaleServer,
    calendar_accounts: CalendarAccounts,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with writing(engine) as conn:
        create_user(conn, "bob", "bob-password")
    calendar_accounts.connect(
        "alice", "caldav", {"url": radicale.url + "/", "username": "alice", "password": "secret"}
    )
    monkeypatch.setattr("sys.stdin", io.StringIO("secret\n"))
    status, _, err = run(capsys, "account", "reconnect", "1", "--user", "bob", "--password-stdin")
    assert (status, err) == (1, "calbridge: error: no calendar account 1\n")


def test_connecting_an_account_again_points_to_reconnect(
    engine: sa.Engine,
    crm_user: User,
    google_account: CalendarAccount,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("sys.stdin", ConsentingBrowser(capsys))
    status, _, err = run(capsys, "account", "connect", "google", "--user", "alice")

    assert status == 1
    assert err.splitlines()[-1] == (
        f"calbridge: error: google account {GOOGLE_CALENDAR} is already connected as account 1: "
        "to give it a new password or grant, reconnect it "
        "(`calbridge account reconnect 1 --user alice`)"
    )
    assert stored(engine, crm_user) == [google_account]
