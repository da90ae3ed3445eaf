"""`calbridge account connect microsoft`: consent at the Microsoft identity platform emulator,
the answer brought back to the command on a loopback address, the account named by `/me`."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from bridge.cli import main
from bridge.config import get_settings
from bridge.domain import User
from tests.cli.test_account_commands import stored
from tests.cli.test_account_consent import FollowingBrowser
from tests.emulators.microsoft import GraphEmulator


@pytest.fixture
def graph_cli_env(
    cli_env: None,
    monkeypatch: pytest.MonkeyPatch,
    graph: GraphEmulator,
    graph_url: str,
    secret_key: str,
) -> None:
    """`cli_env` pointed at the Graph emulator (sign-in and Graph at one address)."""
    values = {
        "CALBRIDGE_SECRET_KEY": secret_key,
        "CALBRIDGE_MICROSOFT_CLIENT_ID": graph.client_id,
        "CALBRIDGE_MICROSOFT_CLIENT_SECRET": graph.client_secret or "",
        "CALBRIDGE_MICROSOFT_LOGIN_BASE": graph_url,
        "CALBRIDGE_MICROSOFT_GRAPH_BASE": graph_url,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()


@pytest.mark.usefixtures("graph_cli_env")
def test_connect_microsoft_signs_in_and_names_the_account_by_its_address(
    engine: sa.Engine,
    crm_user: User,
    graph: GraphEmulator,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    browser = FollowingBrowser(capsys)
    monkeypatch.setattr("sys.stdin", browser)

    status = main(["account", "connect", "microsoft", "--user", "alice", "--loopback"])
    browser.closed.set()
    assert browser.loaded.wait(10)
    out, err = capsys.readouterr()

    assert status == 0, err
    sent = parse_qs(urlsplit(browser.consent_url).query)
    assert set(sent["scope"][0].split()) >= {"offline_access", "Calendars.ReadWrite", "User.Read"}
    assert sent["code_challenge_method"] == ["S256"]
    assert "/common/oauth2/v2.0/authorize" in browser.consent_url
    assert browser.landed is not None and "You can close this tab." in browser.landed.text
    assert out.splitlines()[0] == f"connected microsoft account 1 ({graph.user})"
    assert [account.account_email for account in stored(engine, crm_user)] == [graph.user]


def test_connect_microsoft_without_an_app_registration_says_what_to_set(
    cli_env: None, crm_user: User, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["account", "connect", "microsoft", "--user", "alice"])
    _, err = capsys.readouterr()
    assert status == 1
    assert "Microsoft is not set up on this server: set CALBRIDGE_MICROSOFT_CLIENT_ID" in err
