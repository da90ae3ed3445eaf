"""Settings → Calendar sync in Chromium: saving each change, errors, the actions, the keyboard.

The account is a real Google account of the emulator, connected through the
service, and the app's settings point Google at the emulator, so the page
lists the account's calendars as it would in production.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa

from bridge.accounts import AccountState, CalendarAccount
from bridge.calendar_accounts import CalendarAccounts
from bridge.config import Settings
from bridge.domain import PrivateEventPolicy, SyncType, User
from bridge.store.sync_accounts import AccountError
from bridge.web.app import create_app
from tests.browser.conftest import sign_in, tab_to
from tests.servers import serve_in_thread
from tests.sync_fixtures import CRM_LOGIN

if TYPE_CHECKING:
    from playwright.sync_api import Page

Shoot = Callable[["Page", str], Path]


@pytest.fixture
def site(
    engine: sa.Engine, crm_user: User, provider_settings: Settings, secret_key: str
) -> Iterator[str]:
    """The app with Google at the emulator and the key the `calendar_accounts` fixture uses."""
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        secret_key=secret_key,
        run_worker=False,
        google=provider_settings.google,
        caldav=provider_settings.caldav,
    )
    with serve_in_thread(create_app(settings)) as base_url:
        yield base_url


def stored(accounts: CalendarAccounts, account: CalendarAccount) -> CalendarAccount:
    return accounts.account(CRM_LOGIN, account.id)


def open_settings(page: Page) -> None:
    sign_in(page)
    page.wait_for_url("**/")
    page.get_by_role("link", name="Settings").click()
    page.wait_for_url("**/settings")


def test_without_an_account_the_page_says_how_to_connect(page: Page) -> None:
    open_settings(page)
    assert "No calendar account is connected" in page.locator("#no-accounts").inner_text()
    assert "calbridge account connect google" in page.locator("#no-accounts pre").inner_text()


def test_each_change_saves_at_once(
    page: Page,
    google_account: CalendarAccount,
    calendar_accounts: CalendarAccounts,
    screenshot: Shoot,
) -> None:
    open_settings(page)
    section = page.locator(f"#account-{google_account.id}")
    assert google_account.account_email in section.locator("h2").inner_text()
    assert section.locator(".state").inner_text() == "stopped"
    status = section.locator(".save-status")

    section.get_by_label("Sync", exact=True).select_option("one_way")
    status.get_by_text("Saved.").wait_for()
    assert stored(calendar_accounts, google_account).settings.sync_type is SyncType.ONE_WAY

    status.evaluate("node => node.textContent = ''")
    section.get_by_label("Private events").select_option("skip")
    status.get_by_text("Saved.").wait_for()
    settings = stored(calendar_accounts, google_account).settings
    assert settings.private_events is PrivateEventPolicy.SKIP

    status.evaluate("node => node.textContent = ''")
    section.get_by_label("Include CRM details").check()
    status.get_by_text("Saved.").wait_for()
    assert stored(calendar_accounts, google_account).settings.include_crm_info is True

    pushed = sorted(stored(calendar_accounts, google_account).settings.pushed_type_keys)
    status.evaluate("node => node.textContent = ''")
    section.locator(f"#pushed-{pushed[0]}-{google_account.id}").uncheck()
    status.get_by_text("Saved.").wait_for()
    assert stored(calendar_accounts, google_account).settings.pushed_type_keys == frozenset(
        pushed[1:]
    )

    status.evaluate("node => node.textContent = ''")
    section.get_by_label("Days in the past").fill("7")
    section.get_by_label("Days in the past").dispatch_event("change")
    status.get_by_text("Saved.").wait_for()
    assert stored(calendar_accounts, google_account).settings.window_past_days == 7
    screenshot(page, "settings-sync-stopped")


def test_a_bad_value_shows_the_error_and_saves_nothing(
    page: Page, google_account: CalendarAccount, calendar_accounts: CalendarAccounts
) -> None:
    open_settings(page)
    section = page.locator(f"#account-{google_account.id}")
    with page.expect_response(f"**/settings/accounts/{google_account.id}") as answer:
        section.get_by_label("Days in the past").fill("99999")
        section.get_by_label("Days in the past").dispatch_event("change")
    assert answer.value.status == 400
    error = section.locator(".save-status .error")
    error.wait_for()
    assert "window_past_days" in error.inner_text()
    assert stored(calendar_accounts, google_account).settings == google_account.settings

    # Without htmx, the Save button posts the whole form; the error comes back on the page.
    with page.expect_response(f"**/settings/accounts/{google_account.id}") as answer:
        section.evaluate("node => node.querySelector('form.sync-settings').submit()")
    assert answer.value.status == 400
    assert "window_past_days" in page.locator("#sync-error").inner_text()
    assert stored(calendar_accounts, google_account).settings == google_account.settings


def test_start_stop_and_disconnect(
    page: Page, google_account: CalendarAccount, calendar_accounts: CalendarAccounts
) -> None:
    open_settings(page)
    section = page.locator(f"#account-{google_account.id}")
    section.get_by_role("button", name="Start sync").click()
    page.locator("#sync-notice").get_by_text("Sync started").wait_for()
    assert section.locator(".state").inner_text() == "active"
    assert stored(calendar_accounts, google_account).state is AccountState.ACTIVE

    section.get_by_role("button", name="Sync now").click()
    page.locator("#sync-notice").get_by_text("A run is due now").wait_for()

    section.get_by_role("button", name="Stop").click()
    page.locator("#sync-notice").get_by_text("Sync stopped").wait_for()
    assert section.locator(".state").inner_text() == "stopped"
    assert stored(calendar_accounts, google_account).state is AccountState.STOPPED

    # Sync now on a stopped account is the user's mistake: said on the page, with its status.
    with page.expect_response(f"**/accounts/{google_account.id}/sync") as answer:
        section.get_by_role("button", name="Sync now").click()
    assert answer.value.status == 409
    assert "start it first" in page.locator("#sync-error").inner_text()

    page.locator(f"#account-{google_account.id}").get_by_role("button", name="Disconnect").click()
    assert page.locator("h1").inner_text().startswith("Disconnect")
    stored(calendar_accounts, google_account)  # asking removes nothing
    page.get_by_role("button", name="Yes, disconnect").click()
    page.locator("#sync-notice").get_by_text("The account is disconnected").wait_for()
    assert page.locator("#no-accounts").count() == 1
    with pytest.raises(AccountError):
        stored(calendar_accounts, google_account)


def test_settings_save_from_the_keyboard(
    page: Page, google_account: CalendarAccount, calendar_accounts: CalendarAccounts
) -> None:
    open_settings(page)
    section = page.locator(f"#account-{google_account.id}")
    target = section.get_by_label("Include CRM details")
    tab_to(page, target)
    page.keyboard.press("Space")
    section.locator(".save-status").get_by_text("Saved.").wait_for()
    assert stored(calendar_accounts, google_account).settings.include_crm_info is True
