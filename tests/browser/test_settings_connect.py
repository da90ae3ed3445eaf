"""Settings → Calendar sync in Chromium: connecting, reconnecting and answering held deletions.

Google is the emulator, whose consent page is a real redirect the browser
follows (it answers "Allow" at once); CalDAV is a stock Radicale. The app's
public address is its own, as an operator sets it, so the consent comes
back to the page that started it: production code differs only by the
base URLs in the settings.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import sqlalchemy as sa
from starlette.types import ASGIApp, Receive, Scope, Send

from bridge.accounts import AccountState, CalendarAccount
from bridge.calendar_accounts import CalendarAccounts
from bridge.config import Settings
from bridge.domain import SyncType, User
from bridge.secrets import SecretBox
from bridge.store import sync_accounts, sync_links
from bridge.store.db import writing
from bridge.store.sync_runs import RunOutcome
from bridge.web.app import create_app
from bridge.worker.scheduler import Worker
from tests.browser.conftest import add_activity, sign_in, sqlite_only, tab_to
from tests.emulators.google_calendar import GoogleEmulator
from tests.servers import serve_in_thread
from tests.stock_radicale import RadicaleServer, running_radicale
from tests.sync_fixtures import CRM_LOGIN
from tests.sync_worker.sync_samples import GOOGLE_CALENDAR, sync, sync_ok

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

Shoot = Callable[["Page", str], Path]
TEAM_CALENDAR = "team@group.calendar.google.com"


@pytest.fixture
def site(
    engine: sa.Engine, crm_user: User, provider_settings: Settings, secret_key: str
) -> Iterator[str]:
    """The app with Google at the emulator, CalDAV allowed onto loopback, and its public
    address its own (known only once the socket is open, so the app is made then)."""
    served: list[ASGIApp] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await served[0](scope, receive, send)

    with serve_in_thread(app) as base_url:
        core = {
            "database_url": engine.url.render_as_string(hide_password=False),
            "secret_key": secret_key,
            "run_worker": False,
            "public_url": base_url,
        }
        served.append(create_app(provider_settings.model_copy(update=core)))
        yield base_url


@pytest.fixture
def radicale(tmp_path: Path) -> Iterator[RadicaleServer]:
    """Stock Radicale where alice has one calendar, `work`."""
    with running_radicale(tmp_path / "radicale") as server:
        server.make_calendar("alice", "work")
        yield server


def open_settings(page: Page) -> None:
    sign_in(page)
    page.wait_for_url("**/")
    page.goto("/settings")


def accounts_of(calendar_accounts: CalendarAccounts) -> list[CalendarAccount]:
    return calendar_accounts.accounts(CRM_LOGIN)


def fill_caldav(page: Page, radicale: RadicaleServer, password: str) -> None:
    form = page.locator("#connect-caldav-form")
    form.get_by_label("The CalDAV server's address").fill(radicale.url + "/")
    form.get_by_label("The user name on that server").fill(radicale.user)
    form.get_by_label("The password").fill(password)


@sqlite_only
def test_connect_google_choose_a_calendar_start_and_see_the_badges(
    page: Page,
    engine: sa.Engine,
    crm_user: User,
    google: GoogleEmulator,
    calendar_accounts: CalendarAccounts,
    worker: Worker,
    screenshot: Shoot,
) -> None:
    google.state.add_user(GOOGLE_CALENDAR)
    google.state.add_calendar(GOOGLE_CALENDAR, TEAM_CALENDAR, "Team")
    meeting = add_activity(engine, crm_user, "Planning meeting", type_key="meeting")
    open_settings(page)
    assert page.locator("#no-accounts").count() == 1
    screenshot(page, "settings-connect")

    # The button posts to CalBridge, which sends the browser to the consent page and back.
    page.get_by_role("button", name="Connect Google").click()
    page.wait_for_url("**/settings")
    notice = page.locator("#sync-notice").inner_text()
    assert notice == f"Connected Google: {GOOGLE_CALENDAR} — choose a calendar"
    [account] = accounts_of(calendar_accounts)
    assert (account.account_email, account.state) == (GOOGLE_CALENDAR, AccountState.STOPPED)
    section = page.locator(f"#account-{account.id}")
    assert "calbridge_consent" not in {cookie["name"] for cookie in page.context.cookies()}

    # The same Google account again: the service's refusal is said on the page.
    page.get_by_role("button", name="Connect Google").click()
    page.locator("#sync-error").get_by_text("is already connected as account").wait_for()
    assert page.locator("#sync-error").inner_text().startswith("Google was not connected (409)")
    assert len(accounts_of(calendar_accounts)) == 1

    section.get_by_label("Calendar").select_option(TEAM_CALENDAR)
    section.locator(".save-status").get_by_text("Saved.").wait_for()
    assert calendar_accounts.account(CRM_LOGIN, account.id).settings.calendar_id == TEAM_CALENDAR
    section.get_by_role("button", name="Start sync").click()
    page.locator("#sync-notice").get_by_text("Sync started").wait_for()
    assert section.locator(".state").inner_text() == "active"

    sync_ok(worker, account.id)
    refused = add_activity(engine, crm_user, "Refused call")
    with writing(engine) as conn:
        now = dt.datetime.now(dt.UTC)
        sync_links.record_item_error(
            conn, account.id, "the event was too large", now, activity_id=refused.id
        )
    page.reload()
    runs = section.locator(".sync-run")
    assert runs.count() == 1
    assert runs.first.get_attribute("data-outcome") == "ok"
    assert runs.first.locator("td").nth(2).inner_text() == "1"  # one activity pushed
    error_link = section.locator(".item-errors a")
    assert error_link.get_attribute("href") == f"/activities/{refused.id}"
    assert error_link.inner_text() == "Refused call"
    assert "the event was too large" in section.locator(".item-errors").inner_text()
    screenshot(page, "settings-sync")
    assert [event["summary"] for event in google.state.events(TEAM_CALENDAR).values()] == [
        "Planning meeting"
    ]

    page.goto("/")
    badge = page.locator(f"#activity-{meeting.id} .sync-badge")
    assert badge.inner_text().startswith(f"Synced to Google ({GOOGLE_CALENDAR})")


def answering_consent(answer: dict[str, str]) -> Callable[[Route], None]:
    """A route for the Connect post: Google answering `answer` (a "Deny", a tampered answer)
    instead of the emulator's "Allow".

    Playwright routes only the first request of a redirect chain, so the
    Connect post is routed: CalBridge answers it (its cookies kept), and the
    browser goes straight to where Google would send it back.
    """

    def answer_consent(route: Route) -> None:
        consent = route.fetch(max_redirects=0).headers["location"]
        asked = parse_qs(urlsplit(consent).query)
        query = {"state": asked["state"][0], **answer}
        route.fulfill(
            status=303, headers={"Location": f"{asked['redirect_uri'][0]}?{urlencode(query)}"}
        )

    return answer_consent


@sqlite_only
@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"error": "access_denied"}, "access to the calendar was not allowed"),
        ({"code": "4/abc", "state": "forged"}, "the consent answer is unknown or expired"),
    ],
)
def test_refused_or_forged_consent_comes_back_with_the_error(
    page: Page, calendar_accounts: CalendarAccounts, answer: dict[str, str], message: str
) -> None:
    open_settings(page)
    page.route("**/settings/connect/google", answering_consent(answer))
    page.get_by_role("button", name="Connect Google").click()
    error = page.locator("#sync-error").inner_text()
    assert error.startswith("Google was not connected (400): ")
    assert message in error
    assert accounts_of(calendar_accounts) == []


@sqlite_only
def test_a_wrong_caldav_password_is_refused_and_nothing_is_stored(
    page: Page, radicale: RadicaleServer, calendar_accounts: CalendarAccounts
) -> None:
    open_settings(page)
    fill_caldav(page, radicale, "not-the-password")
    with page.expect_response("**/settings/connect/caldav") as answer:
        page.locator("#connect-caldav-form").get_by_role("button", name="Connect CalDAV").click()
    assert answer.value.status == 422
    assert "password" in page.locator("#sync-error").inner_text().lower()
    assert "not-the-password" not in page.content()
    form = page.locator("#connect-caldav-form")
    assert form.get_by_label("The CalDAV server's address").input_value() == radicale.url + "/"
    assert form.get_by_label("The user name on that server").input_value() == radicale.user
    assert form.get_by_label("The password").input_value() == ""
    assert accounts_of(calendar_accounts) == []


@sqlite_only
def test_connect_caldav_and_choose_its_calendar_from_the_keyboard(
    page: Page, radicale: RadicaleServer, calendar_accounts: CalendarAccounts
) -> None:
    radicale.make_calendar("alice", "home")  # two calendars and no default: the user picks
    open_settings(page)
    tab_to(page, page.locator("#connect-caldav-url"))
    page.keyboard.type(radicale.url + "/")
    page.keyboard.press("Tab")
    page.keyboard.type(radicale.user)
    page.keyboard.press("Tab")
    page.keyboard.type(radicale.password)
    page.keyboard.press("Enter")
    page.wait_for_url("**/settings")
    assert page.locator("#sync-notice").inner_text().startswith("Connected CalDAV: alice")
    [account] = accounts_of(calendar_accounts)

    # The server names no default calendar: the list comes first, Start waits for a choice.
    section = page.locator(f"#account-{account.id}")
    start = section.get_by_role("button", name="Start sync")
    assert start.is_disabled()
    assert "Start sync is possible once one is chosen" in section.inner_text()
    choose = section.get_by_label("Calendar")
    choose.focus()
    page.keyboard.press("ArrowDown")  # past "(none chosen)" to the calendar
    page.wait_for_url("**/settings")
    page.locator("#sync-notice").get_by_text("Start sync is possible now").wait_for()
    assert not start.is_disabled()
    start.focus()
    page.keyboard.press("Enter")
    page.locator("#sync-notice").get_by_text("Sync started").wait_for()
    assert calendar_accounts.account(CRM_LOGIN, account.id).state is AccountState.ACTIVE


@sqlite_only
def test_reconnect_after_the_grant_is_revoked_keeps_the_settings(
    page: Page,
    google: GoogleEmulator,
    google_account: CalendarAccount,
    calendar_accounts: CalendarAccounts,
    box: SecretBox,
    worker: Worker,
) -> None:
    calendar_accounts.update_settings(CRM_LOGIN, google_account.id, {"sync_type": "one_way"})
    calendar_accounts.start(CRM_LOGIN, google_account.id)
    sync_ok(worker, google_account.id)
    google.state.revoke(json.loads(box.decrypt(google_account.encrypted_secret))["refresh_token"])
    assert sync(worker, google_account.id).outcome is RunOutcome.NEEDS_RECONNECT

    open_settings(page)
    section = page.locator(f"#account-{google_account.id}")
    assert section.locator(".state").inner_text() == "needs reconnect"
    section.get_by_role("button", name="Reconnect Google").click()
    page.wait_for_url("**/settings")
    notice = page.locator("#sync-notice").inner_text()
    assert notice == f"Reconnected Google: {GOOGLE_CALENDAR} — its settings are kept"
    assert section.locator(".state").inner_text() == "active"
    renewed = calendar_accounts.account(CRM_LOGIN, google_account.id)
    assert (renewed.state, renewed.settings.sync_type) == (AccountState.ACTIVE, SyncType.ONE_WAY)
    assert len(accounts_of(calendar_accounts)) == 1
    sync_ok(worker, google_account.id)


@sqlite_only
def test_held_deletions_are_applied_or_restored_from_the_page(
    page: Page, engine: sa.Engine, google_account: CalendarAccount
) -> None:
    def hold() -> None:
        held: list[dict[str, object]] = [
            {"activity_id": 7, "deleted_in": "calendar"},
            {"activity_id": 8, "deleted_in": "calendar"},
        ]
        with writing(engine) as conn:
            reason = "this run would delete 2 of 2"
            sync_accounts.hold_deletions(
                conn, google_account.id, dt.datetime.now(dt.UTC), reason, held
            )

    open_settings(page)
    section = page.locator(f"#account-{google_account.id}")
    for button, choice in (("Restore them", "restore"), ("Apply the deletions", "apply")):
        hold()
        page.goto("/settings")
        assert "held back 2 deletions" in section.locator(".sync-needs").inner_text()
        section.get_by_role("button", name=button).click()
        page.locator("#sync-notice").get_by_text("The held deletions are").wait_for()
        assert section.locator(".state").inner_text() == "active"
        assert section.locator(".sync-needs").count() == 0
        with engine.connect() as conn:
            account = sync_accounts.require_account(conn, google_account.id)
        assert (account.state, account.deletion_choice) == (AccountState.ACTIVE, choice)


@sqlite_only
def test_reconnect_a_caldav_account_with_its_password(
    page: Page, engine: sa.Engine, radicale: RadicaleServer, calendar_accounts: CalendarAccounts
) -> None:
    values = {"url": radicale.url + "/", "username": radicale.user, "password": radicale.password}
    account = calendar_accounts.connect(CRM_LOGIN, "caldav", values)
    calendar_accounts.update_settings(CRM_LOGIN, account.id, {"sync_type": "one_way"})
    with writing(engine) as conn:  # what a run does when the server refuses the password
        sync_accounts.set_state(
            conn, account.id, AccountState.NEEDS_RECONNECT, dt.datetime.now(dt.UTC)
        )
    open_settings(page)
    section = page.locator(f"#account-{account.id}")
    password = section.get_by_label("The password (or app password) for alice")

    password.fill("still-wrong")
    with page.expect_response(f"**/settings/accounts/{account.id}/reconnect") as answer:
        section.get_by_role("button", name="Reconnect CalDAV").click()
    assert answer.value.status == 422
    assert "still-wrong" not in page.content()
    assert section.locator(".state").inner_text() == "needs reconnect"

    password.fill(radicale.password)
    section.get_by_role("button", name="Reconnect CalDAV").click()
    page.locator("#sync-notice").get_by_text("Reconnected CalDAV: alice").wait_for()
    renewed = calendar_accounts.account(CRM_LOGIN, account.id)
    assert (renewed.state, renewed.settings.sync_type) == (AccountState.ACTIVE, SyncType.ONE_WAY)
    assert section.locator(".sync-needs").count() == 0
