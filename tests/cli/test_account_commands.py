"""`calbridge account ...` against the test database, the Google emulator and stock Radicale."""

from __future__ import annotations

import datetime as dt
import io
import pathlib
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
import sqlalchemy as sa

from bridge.accounts import AccountState, CalendarAccount
from bridge.calendar_accounts import CalendarAccounts
from bridge.cli import main
from bridge.cli.accounts import consent_answer, setting_changes
from bridge.cli.common import CliError
from bridge.config import get_settings
from bridge.domain import User
from bridge.store import sync_accounts
from bridge.store.db import writing
from bridge.store.sync_links import record_item_error
from bridge.store.users import create_user
from bridge.worker.scheduler import Worker
from tests.emulators.google_calendar import GoogleEmulator
from tests.stock_radicale import RadicaleServer, running_radicale
from tests.sync_worker.sync_samples import GOOGLE_CALENDAR, add_activity, live_events, sync_ok

pytestmark = pytest.mark.usefixtures("google_cli_env")
CALLBACK = "https://cal.example.com/oauth/google/callback"
COMMANDS_ON_AN_ACCOUNT = (
    ["start"],
    ["stop"],
    ["sync-now"],
    ["status"],
    ["disconnect"],
    ["settings"],
    ["settings", "--set", "window_past_days=1"],
)


@pytest.fixture
def bob(engine: sa.Engine) -> User:
    with writing(engine) as conn:
        return create_user(conn, "bob", "bob-password")


@pytest.fixture
def radicale(tmp_path: pathlib.Path) -> Iterator[RadicaleServer]:
    """Stock Radicale where alice has one calendar, `work`."""
    with running_radicale(tmp_path / "radicale") as server:
        server.make_calendar("alice", "work")
        yield server


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """`calbridge ARGV`: exit status, stdout and stderr."""
    capsys.readouterr()
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def stored(engine: sa.Engine, user: User) -> list[CalendarAccount]:
    with engine.connect() as conn:
        return sync_accounts.accounts_of(conn, user.id)


class ConsentingBrowser:
    """stdin for `connect google`: opens the printed URL, pastes the address Google sends to.

    The emulator's consent page answers "Allow" at once with a redirect, so
    no browser is needed; `answer` replaces what is pasted, and `google_user`
    is who is signed in to Google (the emulator's default user if None).
    """

    def __init__(
        self,
        capsys: pytest.CaptureFixture[str],
        answer: str | None = None,
        google_user: str | None = None,
    ) -> None:
        self.capsys = capsys
        self.answer = answer
        self.google_user = google_user
        self.consent_url = ""
        self.instructions = ""

    def isatty(self) -> bool:
        return False

    def readline(self) -> str:
        shown = self.capsys.readouterr()
        self.consent_url, self.instructions = shown.out.strip(), shown.err
        url = self.consent_url
        if self.google_user is not None:
            url += "&" + urlencode({"login_hint": self.google_user})
        response = httpx.get(url, follow_redirects=False, trust_env=False)
        assert response.status_code == 302
        return (self.answer or response.headers["location"]) + "\n"


# -- connecting -----------------------------------------------------------------------


def test_connect_google_through_the_consent_page(
    engine: sa.Engine,
    crm_user: User,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    browser = ConsentingBrowser(capsys)
    monkeypatch.setattr("sys.stdin", browser)

    status = main(["account", "connect", "google", "--user", "alice"])
    out, err = capsys.readouterr()

    assert status == 0, err
    query = parse_qs(urlsplit(browser.consent_url).query)
    assert query["redirect_uri"] == [CALLBACK]
    assert "allow access" in browser.instructions
    lines = out.splitlines()
    assert lines[0] == f"connected google account 1 ({GOOGLE_CALENDAR})"
    assert lines[1].split() == ["CALENDAR", "NAME", "PRIMARY", "WRITABLE", "SYNCED"]
    assert lines[2].split()[0] == GOOGLE_CALENDAR
    assert lines[2].split()[-3:] == ["yes", "yes", "yes"]
    assert "calbridge account start 1 --user alice" in lines[-1]
    [account] = stored(engine, crm_user)
    assert (account.provider.value, account.account_email) == ("google", GOOGLE_CALENDAR)
    assert account.state is AccountState.STOPPED


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            f"{CALLBACK}?error=access_denied&state=x",
            "Google did not grant access (access_denied): run the command again and allow access",
        ),
        ("I clicked allow", "paste the whole address Google sent the browser to"),
        (" ", "nothing pasted: connect again and paste the address"),
        ("4/some-code forged-state", "the consent answer is unknown or expired: connect again"),
    ],
)
def test_connect_google_refused_stores_nothing(
    engine: sa.Engine,
    crm_user: User,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    message: str,
) -> None:
    monkeypatch.setattr("sys.stdin", ConsentingBrowser(capsys, answer))

    assert main(["account", "connect", "google", "--user", "alice"]) == 1

    err = capsys.readouterr().err.splitlines()
    assert err[-1].startswith(f"calbridge: error: {message}")
    assert stored(engine, crm_user) == []


def test_connect_google_honours_the_redirect_uri(
    crm_user: User, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    browser = ConsentingBrowser(capsys)
    monkeypatch.setattr("sys.stdin", browser)
    redirect = "http://localhost:8765/done"
    assert (
        main(["account", "connect", "google", "--user", "alice", "--redirect-uri", redirect]) == 0
    )
    assert parse_qs(urlsplit(browser.consent_url).query)["redirect_uri"] == [redirect]


def test_the_consent_answer_may_be_the_address_its_query_or_code_and_state() -> None:
    for line in (f"{CALLBACK}?state=S1&code=C1&scope=x\n", "  state=S1&code=C1  \n", "C1 S1\n"):
        assert consent_answer(line, "Google") == ("C1", "S1")


def test_connect_caldav_checks_the_password_at_once(
    engine: sa.Engine,
    crm_user: User,
    radicale: RadicaleServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    argv = ["account", "connect", "caldav", "--user", "alice", "--url", radicale.url + "/"]
    argv += ["--username", "alice", "--password-stdin"]

    monkeypatch.setattr("sys.stdin", io.StringIO("wrong-password\n"))
    status, out, err = run(capsys, *argv)
    assert status == 1
    host = radicale.url.removeprefix("http://")
    assert err == (
        f"calbridge: error: the CalDAV server {host} refused the user name or password "
        "(listing calendars)\n"
    )
    assert "wrong-password" not in out + err
    assert stored(engine, crm_user) == []

    monkeypatch.setattr("sys.stdin", io.StringIO(f"{radicale.password}\n"))
    status, out, err = run(capsys, *argv)
    assert status == 0, err
    work = radicale.calendar_url("alice", "work")
    lines = out.splitlines()
    assert lines[0] == "connected caldav account 1 (alice)"
    assert lines[2].split() == [work, "work", "yes", "yes", "yes"]
    [account] = stored(engine, crm_user)
    assert (account.server_url, account.settings.calendar_id) == (radicale.url + "/", work)
    assert radicale.password not in account.encrypted_secret

    monkeypatch.setattr("sys.stdin", io.StringIO(f"{radicale.password}\n"))
    status, _, err = run(capsys, *argv)
    assert (status, err) == (
        1,
        "calbridge: error: caldav account alice is already connected as account 1: to give it a "
        "new password or grant, reconnect it (`calbridge account reconnect 1 --user alice`)\n",
    )


def test_connect_caldav_needs_a_password(
    radicale: RadicaleServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = ["account", "connect", "caldav", "--user", "alice", "--url", radicale.url]
    argv += ["--username", "alice"]
    monkeypatch.setattr("sys.stdin", io.StringIO("secret\n"))
    status, _, err = run(capsys, *argv)
    assert status == 1
    assert "--password-stdin" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    status, _, err = run(capsys, *argv, "--password-stdin")
    assert (status, err) == (1, "calbridge: error: the password must not be empty\n")


# -- listing and status ---------------------------------------------------------------


def test_list_shows_state_and_counters(
    engine: sa.Engine,
    crm_user: User,
    calendar_accounts: CalendarAccounts,
    google_account: CalendarAccount,
    worker: Worker,
    capsys: pytest.CaptureFixture[str],
) -> None:
    add_activity(engine, crm_user, "Renewal")
    calendar_accounts.start("alice", google_account.id)
    sync_ok(worker, google_account.id)

    status, out, _ = run(capsys, "account", "list", "--user", "alice")

    assert status == 0
    header, row = out.splitlines()
    assert header.split() == [
        "ID",
        "PROVIDER",
        "ACCOUNT",
        "CALENDAR",
        "STATE",
        "LAST-SUCCESS",
        "LAST-ERROR",
        "PUSHED/IMPORTED/FAILED",
    ]
    today = f"{dt.datetime.now(dt.UTC):%Y-%m-%d}"
    cells = row.split()
    assert cells[:5] == ["1", "google", GOOGLE_CALENDAR, GOOGLE_CALENDAR, "active"]
    assert cells[5] == today
    assert cells[-2:] == ["-", "1/0/0"]


def test_list_of_a_user_without_accounts_is_just_the_header(
    bob: User, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "account", "list", "--user", "bob")
    assert status == 0
    assert out.split()[0] == "ID"
    assert len(out.splitlines()) == 1


def test_start_sync_now_status_stop_and_disconnect(
    engine: sa.Engine,
    google: GoogleEmulator,
    crm_user: User,
    google_account: CalendarAccount,
    worker: Worker,
    capsys: pytest.CaptureFixture[str],
) -> None:
    account_id = str(google_account.id)
    kickoff = add_activity(engine, crm_user, "Kick-off")

    status, _, err = run(capsys, "account", "sync-now", account_id, "--user", "alice")
    assert (status, err) == (1, "calbridge: error: account 1 is stopped: start it first\n")

    status, out, _ = run(capsys, "account", "start", account_id, "--user", "alice")
    assert (status, out) == (0, "account 1 started: the first sync is due now\n")
    assert stored(engine, crm_user)[0].state is AccountState.ACTIVE
    status, out, _ = run(capsys, "account", "sync-now", account_id, "--user", "alice")
    assert (status, out) == (0, "account 1: sync requested, the worker runs it shortly\n")
    sync_ok(worker, google_account.id)
    with writing(engine) as conn:
        now = dt.datetime.now(dt.UTC)
        record_item_error(conn, google_account.id, "event too large", now, activity_id=kickoff.id)

    status, out, _ = run(capsys, "account", "status", account_id, "--user", "alice")
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == f"account 1: google {GOOGLE_CALENDAR}"
    facts = dict(line.split(":", 1) for line in lines[1:7])
    assert {key: value.strip() for key, value in facts.items()} | {"last success": "?"} == {
        "calendar": GOOGLE_CALENDAR,
        "state": "active",
        "last success": "?",
        "last error": "-",
        "counters": "pushed 1, imported 0, failed 0",
        "linked events": "1",
    }
    runs = lines[lines.index("recent runs:") + 1 :]
    assert runs[0].split()[:2] == ["STARTED", "OUTCOME"]
    assert runs[1].split()[3:8] == ["ok", "1", "0", "0", "0"]
    errors = lines[lines.index("item errors:") + 1 :]
    assert errors[1].split()[3:] == [str(kickoff.id), "-", "event", "too", "large"]

    status, out, _ = run(capsys, "account", "stop", account_id, "--user", "alice")
    assert (status, stored(engine, crm_user)[0].state) == (0, AccountState.STOPPED)
    assert "kept" in out

    status, out, _ = run(capsys, "account", "disconnect", account_id, "--user", "alice")
    assert status == 0
    assert "events already in the calendar and activities imported from it stay" in out
    assert stored(engine, crm_user) == []
    assert [e["summary"] for e in live_events(google.state.events(GOOGLE_CALENDAR)).values()] == [
        "Kick-off"
    ]


# -- settings -------------------------------------------------------------------------


def settings_shown(out: str) -> dict[str, str]:
    header, *rows = out.splitlines()
    assert header.split() == ["SETTING", "VALUE"]
    return dict(row.split(maxsplit=1) for row in rows)


def test_settings_are_shown_and_changed(
    engine: sa.Engine,
    crm_user: User,
    google_account: CalendarAccount,
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(capsys, "account", "settings", "1", "--user", "alice")
    assert status == 0
    shown = settings_shown(out)
    assert shown["pushed_type_keys"] == "call,deadline,email,lunch,meeting,task"
    assert shown["include_crm_info"] == "false"
    assert shown["calendar_id"] == GOOGLE_CALENDAR

    changes = ["pushed_type_keys=call,meeting", "include_crm_info=true", "window_past_days=7"]
    changes += ["sync_type=one_way"]
    argv = [arg for change in changes for arg in ("--set", change)]
    status, out, err = run(capsys, "account", "settings", "1", "--user", "alice", *argv)

    assert status == 0, err
    shown = settings_shown(out)
    assert (shown["pushed_type_keys"], shown["include_crm_info"]) == ("call,meeting", "true")
    assert (shown["window_past_days"], shown["sync_type"]) == ("7", "one_way")
    settings = stored(engine, crm_user)[0].settings
    assert settings.pushed_type_keys == {"call", "meeting"}
    assert (settings.include_crm_info, settings.window_past_days) == (True, 7)


BAD_SETTINGS = (
    ("colour=blue", "unknown setting 'colour'"),
    ("window_past_days=-1", "window_past_days must be a whole number of days from 0 to 3650"),
    ("sync_type=sideways", "sync_type must be one of two_way, one_way"),
    ("include_crm_info=yes", "include_crm_info must be true or false"),
    ("pushed_type_keys=call,karaoke", "unknown activity type 'karaoke'"),
    ("import_type_key=karaoke", "unknown activity type 'karaoke'"),
    ("calendar_id=someone-else@example.com", "calendar_id 'someone-else@example.com' is not in"),
    ("window_past_days", "--set takes KEY=VALUE, not 'window_past_days'"),
)


def test_bad_settings_change_nothing(
    engine: sa.Engine,
    crm_user: User,
    google_account: CalendarAccount,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Each bad value is refused with the others: one line naming it, and nothing saved."""
    argv = ["account", "settings", "1", "--user", "alice", "--set", "window_past_days=9"]
    for assignment, message in BAD_SETTINGS:
        status, out, err = run(capsys, *argv, "--set", assignment)
        assert (status, out) == (1, "")
        assert err.startswith(f"calbridge: error: {message}")
        assert err.count("\n") == 1
        assert stored(engine, crm_user)[0].settings == google_account.settings


def test_set_values_are_json_when_they_parse() -> None:
    assert setting_changes(
        ["a=1", "b=true", 'c="1"', "d=two words", "e=", "pushed_type_keys="]
    ) == {
        "a": 1,
        "b": True,
        "c": "1",
        "d": "two words",
        "e": "",
        "pushed_type_keys": [],
    }
    assert setting_changes(['pushed_type_keys=["call"]', "pushed_type_keys= call , task"]) == {
        "pushed_type_keys": ["call", "task"]
    }
    with pytest.raises(CliError):
        setting_changes(["=1"])


# -- whose account --------------------------------------------------------------------


def test_another_users_account_is_no_account(
    engine: sa.Engine,
    crm_user: User,
    bob: User,
    google_account: CalendarAccount,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, *options in COMMANDS_ON_AN_ACCOUNT:
        for account_id in ("1", "2"):
            status, out, err = run(capsys, "account", name, account_id, "--user", "bob", *options)
            assert (status, out) == (1, "")
            assert err == f"calbridge: error: no calendar account {account_id}\n"
    assert stored(engine, crm_user) == [google_account]


def test_unknown_user(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "account", "list", "--user", "nobody")
    assert (status, err) == (1, "calbridge: error: no such user: 'nobody'\n")


def test_activities_says_where_each_is_synced_or_why_not(
    engine: sa.Engine,
    crm_user: User,
    bob: User,
    google_account: CalendarAccount,
    calendar_accounts: CalendarAccounts,
    worker: Worker,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pushed = add_activity(engine, crm_user, "Pushed")
    unticked = add_activity(engine, crm_user, "A lunch", type_key="lunch")
    others = add_activity(engine, bob, "Bob's secret")
    calendar_accounts.update_settings("alice", google_account.id, {"pushed_type_keys": ["meeting"]})
    calendar_accounts.start("alice", google_account.id)
    sync_ok(worker, google_account.id)

    ids = [str(pushed.id), str(unticked.id), str(others.id)]
    status, out, _ = run(capsys, "account", "activities", *ids, "--user", "alice")

    assert status == 0
    header, first, second = out.splitlines()
    assert header.split() == ["ACTIVITY", "ACCOUNT", "E-MAIL", "STATUS"]
    assert first.split()[:4] == [str(pushed.id), "1", GOOGLE_CALENDAR, "synced"]
    assert f"synced to {GOOGLE_CALENDAR} at " in first
    assert second.split()[:2] == [str(unticked.id), "1"]
    assert "not synced: not pushed: type lunch is not ticked" in second
    assert "secret" not in out


def test_connect_google_says_when_google_is_not_set_up(
    crm_user: User, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CALBRIDGE_GOOGLE_CLIENT_ID", "")
    get_settings.cache_clear()

    status, out, err = run(capsys, "account", "connect", "google", "--user", "alice")

    assert status == 1
    assert "CALBRIDGE_GOOGLE_CLIENT_ID" in err
    assert "http" not in out


def test_connect_caldav_refuses_an_address_that_is_not_http(
    crm_user: User, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = ["account", "connect", "caldav", "--user", "alice", "--url", "ftp://dav.example.com/"]
    monkeypatch.setattr("sys.stdin", io.StringIO("secret\n"))
    status, _, err = run(capsys, *argv, "--username", "alice", "--password-stdin")
    assert (status, err) == (1, "calbridge: error: url must be an http or https address\n")
