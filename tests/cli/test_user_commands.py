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
        (["user", "app-password", "nobody"], "no such user"),
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
    assert main(["user", "app-password", "ada", "--label", "phone"]) == 0
    secret = capsys.readouterr().out.strip()
    assert _signs_in(engine, "ada", secret)
    with engine.connect() as conn:
        assert get_user(conn, "ada").login == "ada"


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
