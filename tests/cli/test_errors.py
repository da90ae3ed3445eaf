"""A user's mistake is one line and exit status 1; a bug is a traceback and exit status 2."""

from __future__ import annotations

import argparse

import pytest

from bridge.cli import main
from bridge.cli import users as cli_users
from bridge.config import get_settings
from bridge.errors import Conflict, UserError

pytestmark = pytest.mark.usefixtures("cli_env")


def _with_handler(monkeypatch: pytest.MonkeyPatch, exception: BaseException) -> None:
    """`calbridge user list` raising `exception` instead of listing."""

    def handler(_args: argparse.Namespace, _settings: object) -> int:
        raise exception

    monkeypatch.setattr(cli_users, "show_users", handler)


def test_a_store_refusal_is_one_line_and_status_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["user", "add", "ada", "--password", "pw"]) == 0
    capsys.readouterr()
    assert main(["user", "add", "ada", "--password", "pw"]) == 1
    assert capsys.readouterr().err == "calbridge: error: user 'ada' already exists\n"


@pytest.mark.parametrize("error", [UserError("you can fix this"), Conflict("you can fix this")])
def test_any_user_error_is_one_line_and_status_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], error: UserError
) -> None:
    _with_handler(monkeypatch, error)
    assert main(["user", "list"]) == 1
    captured = capsys.readouterr()
    assert captured.err == "calbridge: error: you can fix this\n"
    assert captured.out == ""


@pytest.mark.parametrize(
    "bug", [ValueError("a bug, not the user's mistake"), KeyError("a bug, not the user's mistake")]
)
def test_a_bug_is_a_traceback_and_status_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], bug: Exception
) -> None:
    _with_handler(monkeypatch, bug)
    assert main(["user", "list"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):\n")
    assert "a bug, not the user's mistake" in err.splitlines()[-1]
    assert type(bug).__name__ in err.splitlines()[-1]
    assert "calbridge: error:" not in err


def test_an_interrupt_still_ends_quietly_with_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _with_handler(monkeypatch, KeyboardInterrupt())
    assert main(["user", "list"]) == 130
    assert capsys.readouterr().err == "calbridge: error: interrupted\n"


def test_a_bad_setting_is_still_one_line_and_status_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CALBRIDGE_DAV_WORKERS", "many")
    get_settings.cache_clear()
    assert main(["user", "list"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("calbridge: error: ")
    assert "dav_workers" in err
    assert "Traceback" not in err
