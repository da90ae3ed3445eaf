from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from bridge.cli import main
from bridge.config import get_settings
from bridge.store.users import check_credentials, get_user

pytestmark = pytest.mark.usefixtures("cli_env")


def _signs_in(engine: sa.Engine, login: str, password: str) -> bool:
    with engine.connect() as conn:
        return check_credentials(conn, login, password) is not None


def test_add_and_list(engine: sa.Engine, capsys: pytest.CaptureFixture[str]) -> None:
    details = [
        "--name",
        "Ada Lovelace",
        "--email",
        "ada@example.com",
        "--timezone",
        "Europe/London",
    ]
    assert main(["user", "add", "ada", *details, "--password", "s3cret"]) == 0
    assert main(["user", "add", "bob", "--password", "pw"]) == 0
    capsys.readouterr()
    assert main(["user", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["LOGIN", "NAME", "EMAIL", "TIMEZONE"]
    assert lines[1].split() == ["ada", "Ada", "Lovelace", "ada@example.com", "Europe/London"]
    assert lines[2].split()[0] == "bob"
    assert _signs_in(engine, "ada", "s3cret")


def test_password_read_from_piped_stdin(engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("from-a-pipe\nignored\n"))
    assert main(["user", "add", "ada"]) == 0
    assert _signs_in(engine, "ada", "from-a-pipe")


def test_duplicate_user_is_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["user", "add", "ada", "--password", "pw"]) == 0
    assert main(["user", "add", "ada", "--password", "pw"]) == 1
    err = capsys.readouterr().err
    assert err == "calbridge: error: user 'ada' already exists\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["user", "add", "Bad Login", "--password", "pw"], "invalid login"),
        (["user", "add", "ada", "--timezone", "Mars/Olympus", "--password", "pw"], "time zone"),
        (["user", "add", "ada", "--password", ""], "must not be empty"),
        (["user", "passwd", "nobody", "--password", "pw"], "no such user"),
        (["user", "app-password", "add", "nobody"], "no such user"),
        (["user", "app-password", "add", "nobody", "--label", "x" * 101], "at most 100"),
        (["user", "app-password", "list", "nobody"], "no such user"),
        (["user", "app-password", "revoke", "nobody", "1"], "no such user"),
    ],
)
def test_refusals(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert message in err
    assert len(err.splitlines()) == 1


def test_passwd_replaces_the_password(engine: sa.Engine) -> None:
    assert main(["user", "add", "ada", "--password", "old"]) == 0
    assert main(["user", "passwd", "ada", "--password", "new"]) == 0
    assert _signs_in(engine, "ada", "new")
    assert not _signs_in(engine, "ada", "old")


def test_app_password_is_printed_once_and_signs_in(
    engine: sa.Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["user", "add", "ada", "--password", "pw"]) == 0
    capsys.readouterr()
    assert main(["user", "app-password", "add", "ada", "--label", "phone"]) == 0
    secret = capsys.readouterr().out.strip()
    assert _signs_in(engine, "ada", secret)
    with engine.connect() as conn:
        assert get_user(conn, "ada").login == "ada"


def test_app_passwords_are_listed_without_secrets_and_revoked(
    engine: sa.Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["user", "add", "ada", "--password", "pw"]) == 0
    assert main(["user", "app-password", "add", "ada", "--label", "phone"]) == 0
    assert main(["user", "app-password", "add", "ada"]) == 0
    phone, other = capsys.readouterr().out.splitlines()[1:]
    assert main(["user", "app-password", "list", "ada"]) == 0
    listing = capsys.readouterr().out
    lines = listing.splitlines()
    assert lines[0].split() == ["ID", "LABEL", "CREATED"]
    assert [line.split()[:2] for line in lines[1:]] == [["1", "phone"], ["2", "-"]]
    assert phone not in listing and other not in listing
    assert main(["user", "app-password", "revoke", "ada", "1"]) == 0
    assert capsys.readouterr().out == "app password 1 of ada revoked\n"
    assert not _signs_in(engine, "ada", phone)
    assert _signs_in(engine, "ada", other)


@pytest.mark.parametrize("app_password_id", ["1", "3", "99999999999999999999"])
def test_revoking_another_users_or_a_missing_app_password_is_refused(
    engine: sa.Engine, capsys: pytest.CaptureFixture[str], app_password_id: str
) -> None:
    assert main(["user", "add", "ada", "--password", "pw"]) == 0
    assert main(["user", "add", "bob", "--password", "pw"]) == 0
    assert main(["user", "app-password", "add", "bob"]) == 0
    bobs = capsys.readouterr().out.splitlines()[-1]
    assert main(["user", "app-password", "revoke", "ada", app_password_id]) == 1
    assert capsys.readouterr().err == (
        f"calbridge: error: ada has no app password {app_password_id}\n"
    )
    assert _signs_in(engine, "bob", bobs)


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["user", "frobnicate"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_unmigrated_database_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CALBRIDGE_DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.db'}")
    get_settings.cache_clear()
    assert main(["user", "list"]) == 1
    assert "run `calbridge migrate`" in capsys.readouterr().err
    assert main(["migrate"]) == 0
    assert main(["user", "list"]) == 0
