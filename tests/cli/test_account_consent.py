"""`connect google --loopback`: the browser brings Google's answer to the command (RFC 8252 7.3).

A stand-in browser opens the consent URL the command prints and follows
every redirect, as a real one does, so it lands on the command's loopback
listener; it never pastes anything.
"""

from __future__ import annotations

import threading
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import sqlalchemy as sa

from bridge.cli import main
from bridge.domain import User
from tests.cli.test_account_commands import stored
from tests.sync_worker.sync_samples import GOOGLE_CALENDAR

pytestmark = pytest.mark.usefixtures("google_cli_env")


class FollowingBrowser:
    """stdin for the command: opens the printed URL, follows redirects, and pastes nothing."""

    def __init__(self, capsys: pytest.CaptureFixture[str], query: str = "") -> None:
        self.capsys = capsys
        self.query = query
        self.consent_url = ""
        self.landed: httpx.Response | None = None
        self.loaded = threading.Event()
        self.closed = threading.Event()

    def isatty(self) -> bool:
        return False

    def readline(self) -> str:
        self.consent_url = self.capsys.readouterr().out.strip()
        self.landed = httpx.get(
            self.consent_url + self.query, follow_redirects=True, trust_env=False
        )
        self.loaded.set()
        self.closed.wait(10)  # the user pastes nothing; the command must not need it
        return ""


def test_the_command_receives_the_answer_on_a_loopback_address(
    engine: sa.Engine,
    crm_user: User,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    browser = FollowingBrowser(capsys)
    monkeypatch.setattr("sys.stdin", browser)

    status = main(["account", "connect", "google", "--user", "alice", "--loopback"])
    browser.closed.set()
    assert browser.loaded.wait(10)  # the command may finish before the page is shown
    out, err = capsys.readouterr()

    assert status == 0, err
    [redirect] = parse_qs(urlsplit(browser.consent_url).query)["redirect_uri"]
    parts = urlsplit(redirect)
    assert (parts.scheme, parts.hostname, parts.path) == ("http", "127.0.0.1", "/")
    assert parts.port
    assert browser.landed is not None
    assert browser.landed.status_code == 200
    assert browser.landed.headers["content-type"].startswith("text/html")
    assert "You can close this tab." in browser.landed.text
    assert out.splitlines()[0] == f"connected google account 1 ({GOOGLE_CALENDAR})"
    assert [account.account_email for account in stored(engine, crm_user)] == [GOOGLE_CALENDAR]


def test_a_refused_consent_on_the_loopback_address_connects_nothing(
    engine: sa.Engine,
    crm_user: User,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A consent request the emulator refuses, as Google does, by redirecting with error=.
    browser = FollowingBrowser(capsys, query="&code_challenge_method=md5")
    monkeypatch.setattr("sys.stdin", browser)

    status = main(["account", "connect", "google", "--user", "alice", "--loopback"])
    browser.closed.set()
    assert browser.loaded.wait(10)  # the command may finish before the page is shown
    err = capsys.readouterr().err

    assert status == 1
    assert err.splitlines()[-1].startswith("calbridge: error: Google did not grant access")
    assert browser.landed is not None
    assert "Google did not grant access" in browser.landed.text
    assert stored(engine, crm_user) == []
