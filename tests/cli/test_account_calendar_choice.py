"""Which calendar a CalDAV account syncs: the server's default (RFC 6638), else the user's pick."""

from __future__ import annotations

import io
import pathlib

import pytest
import sqlalchemy as sa

from bridge.accounts import AccountState
from bridge.domain import User
from tests.cli.test_account_commands import run, stored
from tests.providers.caldav_scheduling import naming_default
from tests.stock_radicale import running_radicale

pytestmark = pytest.mark.usefixtures("google_cli_env")


def connect(capsys: pytest.CaptureFixture[str], url: str) -> tuple[int, str, str]:
    argv = ["account", "connect", "caldav", "--user", "alice", "--url", url + "/"]
    return run(capsys, *argv, "--username", "alice", "--password-stdin")


@pytest.fixture
def password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("secret\n"))


@pytest.mark.usefixtures("password")
def test_without_a_default_the_user_picks_the_calendar(
    engine: sa.Engine,
    crm_user: User,
    tmp_path: pathlib.Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with running_radicale(tmp_path) as dav:
        work, home = dav.make_calendar("alice", "work"), dav.make_calendar("alice", "home")

        status, out, err = connect(capsys, dav.url)
        assert status == 0, err
        pick = "`calbridge account settings 1 --user alice --set calendar_id=CALENDAR`"
        assert f"no calendar is chosen (the server names no default): pick one with {pick}" in out
        [account] = stored(engine, crm_user)
        assert account.settings.calendar_id == ""

        status, out, _ = run(capsys, "account", "calendars", "1", "--user", "alice")
        assert status == 0
        rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()[1:3]}
        assert rows == {work: ["work", "no", "yes", "no"], home: ["home", "no", "yes", "no"]}

        status, out, err = run(capsys, "account", "start", "1", "--user", "alice")
        assert status == 1
        assert {line.split()[0] for line in out.splitlines()[1:]} == {work, home}
        assert err.startswith("calbridge: error: account 1 has no calendar chosen")
        assert "--set calendar_id=CALENDAR`, then start it" in err
        assert stored(engine, crm_user)[0].state is AccountState.STOPPED

        status, out, _ = run(capsys, "account", "list", "--user", "alice")
        assert out.splitlines()[1].split()[3:6] == ["(none", "chosen)", "stopped"]

        argv = ["account", "settings", "1", "--user", "alice", "--set", f"calendar_id={home}"]
        assert run(capsys, *argv)[0] == 0
        assert run(capsys, "account", "start", "1", "--user", "alice")[0] == 0
        assert stored(engine, crm_user)[0].state is AccountState.ACTIVE


@pytest.mark.usefixtures("password")
def test_the_calendar_the_server_names_as_default_is_synced(
    engine: sa.Engine,
    crm_user: User,
    tmp_path: pathlib.Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with running_radicale(tmp_path, wrap=naming_default("alice", "home")) as dav:
        dav.make_calendar("alice", "work")
        home = dav.make_calendar("alice", "home")

        status, out, err = connect(capsys, dav.url)

    assert status == 0, err
    assert out.splitlines()[2].split() == [home, "home", "yes", "yes", "yes"]
    assert "no calendar is chosen" not in out
    assert stored(engine, crm_user)[0].settings.calendar_id == home
