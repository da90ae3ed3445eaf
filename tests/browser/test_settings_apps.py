"""Settings → Calendar apps and feeds in Chromium: app passwords over CalDAV, feeds over HTTP.

What the page makes is used the way calendar apps use it: the `caldav`
library signs in with a new app password, httpx fetches a new feed URL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import caldav
import httpx
import pytest
import sqlalchemy as sa
from caldav.lib.error import AuthorizationError

from bridge.domain import User
from bridge.store.db import writing
from bridge.store.feeds import list_feeds
from bridge.store.users import create_user, list_app_passwords
from tests.browser.conftest import add_activity, sign_in, sqlite_only, tab_to
from tests.sync_fixtures import CRM_LOGIN

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

Shoot = Callable[["Page", str], Path]
CANARY = "Canary 7f3e91"
"""Written into a colleague's private activity; it must never reach alice's team feed."""


def open_settings(page: Page, path: str = "/settings/apps") -> None:
    """Signs alice in and opens a settings page."""
    sign_in(page)
    page.wait_for_url("**/")
    page.goto(path)


def create_password(page: Page, label: str) -> str:
    page.get_by_label("Label", exact=True).first.fill(label)
    page.get_by_role("button", name="Create app password").click()
    page.get_by_role("heading", name=f"New app password “{label}”").wait_for()
    return page.locator("#new-secret").input_value()


def create_feed(page: Page, label: str, scope: str = "own") -> str:
    form = page.locator("#new-feed")
    form.get_by_label("Label").fill(label)
    form.get_by_label("Shows").select_option(scope)
    form.get_by_role("button", name="Create feed").click()
    page.get_by_role("heading", name=f"Feed URL “{label}”").wait_for()
    return page.locator("#new-secret").input_value()


def confirm(page: Page, row: str, action: str) -> None:
    """Clicks `action` in the row, then the confirmation page's Yes button."""
    page.locator(row).get_by_role("button", name=action).click()
    page.get_by_role("button", name=f"Yes, {action.lower()}").click()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False, timeout=10) as client:
        yield client


@sqlite_only
def test_an_app_password_signs_in_over_caldav_until_revoked(
    page: Page, site: str, engine: sa.Engine, http: httpx.Client, screenshot: Shoot
) -> None:
    open_settings(page)
    assert page.get_by_label("CalDAV server address").input_value() == f"{site}/dav/"
    secret = create_password(page, "Phone")
    assert page.locator("#login").inner_text() == CRM_LOGIN

    client = caldav.DAVClient(url=f"{site}/dav/", username=CRM_LOGIN, password=secret)
    names = {calendar.get_display_name() for calendar in client.principal().calendars()}
    assert {"Activities", "Tasks"} <= names

    page.goto("/settings/apps")
    assert secret not in page.content()  # shown once, never listed
    assert page.locator("#password-list .label").all_inner_texts() == ["Phone"]
    create_feed(page, "Work")
    page.goto("/settings/apps")
    screenshot(page, "settings-apps")

    (stored,) = _passwords(engine)
    confirm(page, f"#password-{stored.id}", "Revoke")
    page.locator("#apps-notice").get_by_text(
        "The app password was revoked"
    ).wait_for()  # still signed in
    assert "revoked" in page.locator("#apps-notice").inner_text()
    assert page.locator("#no-passwords").is_visible()
    assert secret not in page.content()
    with pytest.raises(AuthorizationError):
        caldav.DAVClient(url=f"{site}/dav/", username=CRM_LOGIN, password=secret).principal()
    assert http.request("PROPFIND", f"{site}/dav/", auth=(CRM_LOGIN, secret)).status_code == 401


@sqlite_only
def test_a_feed_is_created_rotated_and_revoked(
    page: Page, site: str, engine: sa.Engine, crm_user: User, http: httpx.Client
) -> None:
    add_activity(engine, crm_user, "Quarterly call")
    open_settings(page)
    form = page.locator("#new-feed")
    form.get_by_label("Call").check()
    form.get_by_label("Include done activities").uncheck()
    form.get_by_label("Days ahead (empty: no limit)").fill("30")
    url = create_feed(page, "Calls")
    assert url.startswith(f"{site}/feeds/") and url.endswith(
        ".ics?types=call&done=0&future_days=30"
    )
    assert "types call; without done activities; up to 30 days ahead" in page.inner_text("main")
    fetched = http.get(url)
    assert fetched.status_code == 200
    assert fetched.headers["content-type"].startswith("text/calendar")
    assert "SUMMARY:Quarterly call" in fetched.text

    page.goto("/settings/apps")
    (feed,) = _feeds(engine)
    page.locator(f"#feed-{feed.id}").get_by_role("button", name="Rotate").click()
    page.get_by_label("Include done activities").uncheck()  # the filters are asked for again
    page.get_by_role("button", name="Yes, rotate").click()
    page.get_by_role("heading", name="Feed URL “Calls”").wait_for()
    rotated = page.locator("#new-secret").input_value()
    assert rotated != url and rotated.endswith(".ics?done=0")
    assert http.get(url).status_code == 404
    assert "SUMMARY:Quarterly call" in http.get(rotated).text

    page.goto("/settings/apps")
    live = [item for item in _feeds(engine) if not item.revoked]
    confirm(page, f"#feed-{live[0].id}", "Revoke")
    page.locator("#apps-notice").get_by_text("The feed was revoked").wait_for()
    assert page.locator("#no-feeds").is_visible()
    assert http.get(rotated).status_code == 404


def test_a_team_feed_shows_a_colleagues_private_activity_as_busy_only(
    page: Page, engine: sa.Engine, http: httpx.Client
) -> None:
    with writing(engine) as conn:
        bob = create_user(conn, "bob", "bob-password", email="bob@example.com")
    add_activity(
        engine,
        bob,
        "Private review",
        private=True,
        location=f"{CANARY} room",
        public_description=f"{CANARY} notes",
    )
    add_activity(engine, bob, "Open standup")
    open_settings(page)
    url = create_feed(page, "Team", scope="team")
    body = http.get(url).text
    assert CANARY not in body and "Private review" not in body
    assert "SUMMARY:Busy" in body
    assert "SUMMARY:Open standup" in body


@sqlite_only
def test_the_copy_button_copies_the_caldav_address(page: Page, site: str) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site)
    open_settings(page)
    section = page.locator("#caldav")
    section.get_by_role("button", name="Copy").click()
    section.get_by_role("status").get_by_text("Copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == f"{site}/dav/"


@sqlite_only
def test_an_app_password_is_created_with_the_keyboard_alone(page: Page, engine: sa.Engine) -> None:
    open_settings(page)
    tab_to(page, page.locator("#password-label"))
    page.keyboard.type("Laptop")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="New app password “Laptop”").wait_for()
    assert [item.label for item in _passwords(engine)] == ["Laptop"]


@sqlite_only
def test_wrong_or_forged_forms_save_nothing(page: Page, site: str, engine: sa.Engine) -> None:
    open_settings(page)
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    cookies = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}
    with httpx.Client(base_url=site, cookies=cookies, trust_env=False, timeout=10) as client:
        forged = client.post("/settings/apps/passwords", data={"label": "Forged"})
        assert forged.status_code == 403
        empty = client.post("/settings/apps/passwords", data={"csrf_token": token, "label": " "})
        assert empty.status_code == 400 and "label must not be empty" in empty.text
        long = client.post(
            "/settings/apps/passwords", data={"csrf_token": token, "label": "x" * 101}
        )
        assert long.status_code == 400 and "label must be at most 100 characters" in long.text
        long_feed = {"csrf_token": token, "scope": "own", "label": "x" * 101}
        long = client.post("/settings/apps/feeds", data=long_feed)
        assert long.status_code == 400 and "label must be at most 100 characters" in long.text
        days = {"csrf_token": token, "scope": "own", "past_days": "ever"}
        wrong_days = client.post("/settings/apps/feeds", data=days)
        assert (
            wrong_days.status_code == 400 and "past_days must be a whole number" in wrong_days.text
        )
        scope = client.post("/settings/apps/feeds", data={"csrf_token": token, "scope": "all"})
        assert scope.status_code == 400 and "scope must be one of own, team" in scope.text
        missing = client.post("/settings/apps/feeds/999/revoke", data={"csrf_token": token})
        assert missing.status_code == 404
    assert _passwords(engine) == [] and _feeds(engine) == []


def _passwords(engine: sa.Engine) -> list:
    with engine.connect() as conn:
        return list_app_passwords(conn, CRM_LOGIN)


def _feeds(engine: sa.Engine) -> list:
    with engine.connect() as conn:
        return list_feeds(conn)


@sqlite_only
def test_without_javascript_the_address_is_plain_text_and_the_forms_still_work(
    browser: Browser, site: str, engine: sa.Engine
) -> None:
    context = browser.new_context(base_url=site, java_script_enabled=False)
    try:
        page = context.new_page()
        open_settings(page)
        address = page.get_by_label("CalDAV server address")
        assert address.get_attribute("readonly") is not None
        assert address.input_value() == f"{site}/dav/"
        assert not page.locator("#caldav").get_by_role("button", name="Copy").is_visible()
        create_password(page, "Old phone")
        page.goto("/settings/apps")
        (stored,) = _passwords(engine)
        confirm(page, f"#password-{stored.id}", "Revoke")
        page.locator("#apps-notice").get_by_text("The app password was revoked").wait_for()
        assert _passwords(engine) == []
    finally:
        context.close()
