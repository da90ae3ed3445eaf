"""The pages in Chromium: signing in and out, the week, throttling, the keyboard, privacy."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import sqlalchemy as sa

from bridge.domain import User
from bridge.store.db import writing
from bridge.store.users import create_user, set_password
from tests.browser.conftest import ADDRESS_FAILURES, add_activity, cookies_of, sign_in
from tests.sync_fixtures import CRM_LOGIN, CRM_PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Page

Shoot = Callable[["Page", str], Path]


def test_signing_in_shows_this_weeks_activities(
    page: Page, engine: sa.Engine, crm_user: User, screenshot: Shoot
) -> None:
    add_activity(engine, crm_user, "Call with ACME")
    add_activity(engine, crm_user, "Dentist", type_key="meeting", private=True)
    page.goto("/")
    assert page.url.endswith("/signin")  # a page that needs a user sends to the sign-in
    assert page.evaluate("typeof htmx") == "object"  # the vendored htmx is served and loads
    screenshot(page, "signin")
    sign_in(page)
    page.wait_for_url("**/")
    assert page.locator("h1").inner_text() == "This week"
    assert page.locator(".user-name").inner_text() == crm_user.name
    call = page.locator(".activity", has_text="Call with ACME")
    assert call.locator(".type").inner_text() == "Call"
    assert call.locator(".time").inner_text() == "10:00"
    assert call.locator(".private").count() == 0
    dentist = page.locator(".activity", has_text="Dentist")
    assert dentist.locator(".private").inner_text() == "Private"
    for link in ("Calendar", "List", "Settings"):
        assert page.get_by_role("link", name=link).count() == 1
    screenshot(page, "week")


def test_a_wrong_password_is_refused_and_guessing_is_throttled(
    page: Page, screenshot: Shoot
) -> None:
    sign_in(page, password="wrong")
    assert page.locator("#signin-error").inner_text() == "Wrong user name or password."
    assert page.input_value("#login") == CRM_LOGIN  # kept; the password is not
    assert page.input_value("#password") == ""
    statuses = []
    for _ in range(ADDRESS_FAILURES + 1):
        page.fill("#password", "still wrong")
        with page.expect_response("**/signin") as answer:
            page.click("button[type=submit]")
        statuses.append(answer.value.status)
    assert statuses[-1] == 429
    assert "Too many failed sign-ins" in page.locator("#signin-error").inner_text()
    screenshot(page, "throttled")
    page.fill("#password", CRM_PASSWORD)  # the right password waits too: no guess is tested
    with page.expect_response("**/signin") as answer:
        page.click("button[type=submit]")
    assert answer.value.status == 429


def test_signing_out_ends_the_session(page: Page) -> None:
    sign_in(page)
    page.wait_for_url("**/")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/signin")
    page.goto("/")
    assert page.url.endswith("/signin")
    assert not any(
        cookie["name"] == "calbridge_session" and "login" in cookie["value"]
        for cookie in page.context.cookies()
    )


def test_signing_in_with_the_keyboard_only(page: Page) -> None:
    page.goto("/signin")
    assert page.evaluate("document.activeElement.id") == "login"  # autofocus
    page.keyboard.type(CRM_LOGIN)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type(CRM_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/")
    assert page.locator("h1").inner_text() == "This week"
    page.keyboard.press("Tab")  # the first stop is the brand link, focused visibly
    assert page.evaluate("document.activeElement.textContent") == "CalBridge"


def test_a_colleagues_private_activity_never_shows(
    page: Page, engine: sa.Engine, crm_user: User
) -> None:
    with writing(engine) as conn:
        bob = create_user(conn, "bob", "bob-password")
    add_activity(engine, bob, "CANARY bob private 7f3a", private=True)
    add_activity(engine, bob, "CANARY bob public 7f3a")
    add_activity(engine, crm_user, "Alice's own call")
    sign_in(page)
    page.wait_for_url("**/")
    assert page.locator(".activity", has_text="Alice's own call").count() == 1
    assert "CANARY" not in page.content()
    assert "7f3a" not in httpx.get(page.url, cookies=cookies_of(page)).text


def test_the_sign_in_returns_to_the_page_asked_for_and_stays_on_the_site(
    page: Page, site: str
) -> None:
    page.goto("/?from=test")
    assert "next=%2F%3Ffrom%3Dtest" in page.url
    page.fill("#login", CRM_LOGIN)
    page.fill("#password", CRM_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/?from=test")
    page.context.clear_cookies()
    page.goto("/signin?next=//evil.example/")
    page.fill("#login", CRM_LOGIN)
    page.fill("#password", CRM_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    assert page.url == f"{site}/"  # not to another site


def test_signing_out_ends_the_session_on_the_server_too(page: Page, crm_user: User) -> None:
    sign_in(page)
    page.wait_for_url("**/")
    copied = cookies_of(page)
    assert httpx.get(page.url, cookies=copied).status_code == 200
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/signin")
    replayed = httpx.get(page.url.replace("/signin", "/"), cookies=copied)
    assert replayed.status_code == 303
    assert replayed.headers["location"] == "/signin"


def test_a_password_change_ends_the_sessions_signed_in_before_it(
    page: Page, engine: sa.Engine, crm_user: User
) -> None:
    sign_in(page)
    page.wait_for_url("**/")
    with writing(engine) as conn:
        set_password(conn, crm_user.login, "a new password")

    page.goto("/")

    assert page.url.endswith("/signin")
    sign_in(page, password="a new password")
    page.wait_for_url("**/")
    assert page.locator("h1").inner_text() == "This week"
