"""Fixtures for the pages in a real browser: Debian's Chromium driven by Playwright.

One browser per test session, a fresh context (cookies, storage) per test.
The browser is the system's `/usr/bin/chromium`, never one Playwright
downloads; without it the browser tests are skipped (CI installs it).
Screenshots go to a pytest temporary directory, and also to
`$CALBRIDGE_SCREENSHOTS` when set (how `docs/screenshots/` is refreshed).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import argon2
import pytest
import sqlalchemy as sa

import bridge.security
from bridge.config import Settings
from bridge.domain import Activity, User
from bridge.secrets import generate_key
from bridge.store import activities, crm
from bridge.store.db import writing
from bridge.web.app import create_app
from tests.servers import serve_in_thread
from tests.sync_fixtures import CRM_LOGIN, CRM_PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

CHROMIUM = "/usr/bin/chromium"
ADDRESS_FAILURES = 3
"""Failed sign-ins from one address before the site answers 429, low to keep tests short."""

sqlite_only = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
"""For a test of what the page does: the store under it runs on both backends in its own tests."""

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters: these tests sign in often and measure pages, not hashing.

    Autouse, so it applies before `crm_user` hashes alice's password. The
    production parameters and equal-cost checks are tested in tests/web/test_sign_in.py.
    """
    cheap = argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(bridge.security, "_hasher", cheap)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium (never `playwright install`)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def site(engine: sa.Engine, crm_user: User) -> Iterator[str]:
    """The whole app on a real socket, alice a user; yields the base URL."""
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        secret_key=generate_key(),
        sign_in_address_failures=ADDRESS_FAILURES,
        run_worker=False,
    )
    with serve_in_thread(create_app(settings)) as base_url:
        yield base_url


@pytest.fixture
def page(browser: Browser, site: str) -> Iterator[Page]:
    """A new browser context and page, at the site."""
    context = browser.new_context(base_url=site, viewport={"width": 1000, "height": 700})
    context.set_default_timeout(5000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def screenshot(screenshot_dir: Path, request: pytest.FixtureRequest) -> Callable[[Page, str], Path]:
    """Saves a full-page screenshot as `<name>-<backend>.png`; returns its path."""
    callspec = getattr(request.node, "callspec", None)
    backend = callspec.params.get("engine", "") if callspec else ""

    def take(page: Page, name: str) -> Path:
        path = screenshot_dir / f"{name}-{backend or 'default'}.png"
        page.screenshot(path=str(path), full_page=True)
        copies = os.environ.get("CALBRIDGE_SCREENSHOTS")
        if copies and backend in ("", "sqlite"):
            Path(copies).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, Path(copies) / f"{name}.png")
        return path

    return take


def sign_in(page: Page, login: str = CRM_LOGIN, password: str = CRM_PASSWORD) -> None:
    """Signs in through the form, as a person would with a mouse."""
    page.goto("/signin")
    page.fill("#login", login)
    page.fill("#password", password)
    page.click("button[type=submit]")


def tab_to(page: Page, target: Locator, most: int = 60) -> None:
    """Press Tab until `target` has the focus, as someone without a mouse does."""
    presses = 0
    while not target.evaluate("node => node === document.activeElement"):
        assert presses < most, f"{most} presses of Tab never reached {target}"
        page.keyboard.press("Tab")
        presses += 1


def cookies_of(page: Page) -> dict[str, str]:
    """The browser's cookies, to fetch a page's raw source with httpx as the same user."""
    return {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}


def add_activity(engine: sa.Engine, owner: User, subject: str, **fields: object) -> Activity:
    """An activity of `owner` at 10:00 UTC today, or on `due_date` when given."""
    assert owner.id is not None
    today = fields.pop("due_date", None) or dt.datetime.now(dt.UTC).date()
    activity = Activity(
        subject=subject,
        type_key=str(fields.pop("type_key", "call")),
        owner_id=owner.id,
        uid=f"{subject.lower().replace(' ', '-')}@test",
        due_date=today,
        due_time=dt.time(10, 0),
        duration=dt.timedelta(minutes=30),
        **fields,  # type: ignore[arg-type]
    )
    with writing(engine) as conn:
        return activities.save_activity(conn, activity, crm.list_activity_types(conn))
