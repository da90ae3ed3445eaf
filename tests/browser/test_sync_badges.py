"""The sync badges and account header of the week, the month and the list, in Chromium.

alice's Google account on the emulator is started and synced once by the
worker: the activity whose type is pushed shows where it went, the other
says its type is not ticked, and the header names the account.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa

from bridge.accounts import CalendarAccount
from bridge.calendar_accounts import CalendarAccounts
from bridge.domain import Activity, User
from bridge.worker.scheduler import Worker
from tests.browser.conftest import add_activity, sign_in, sqlite_only
from tests.browser.test_settings_sync import site  # noqa: F401  (Google at the emulator)
from tests.sync_fixtures import CRM_LOGIN
from tests.sync_worker.sync_samples import sync_ok

if TYPE_CHECKING:
    from playwright.sync_api import Page


@pytest.fixture
def synced_pair(
    engine: sa.Engine,
    crm_user: User,
    google_account: CalendarAccount,
    calendar_accounts: CalendarAccounts,
    worker: Worker,
) -> tuple[Activity, Activity]:
    """A meeting synced to alice's Google account, and a call whose type is not ticked."""
    pushed = add_activity(engine, crm_user, "Pushed meeting", type_key="meeting")
    skipped = add_activity(engine, crm_user, "Skipped call", type_key="call")
    calendar_accounts.update_settings(
        CRM_LOGIN, google_account.id, {"pushed_type_keys": ["meeting"]}
    )
    calendar_accounts.start(CRM_LOGIN, google_account.id)
    sync_ok(worker, google_account.id)
    return pushed, skipped


def test_badges_say_where_each_activity_is_synced(
    page: Page, synced_pair: tuple[Activity, Activity], google_account: CalendarAccount
) -> None:
    pushed, skipped = synced_pair

    sign_in(page)
    page.wait_for_url("**/")
    email = google_account.account_email
    synced = page.locator(f"#activity-{pushed.id} .sync-badge")
    assert synced.count() == 1
    assert synced.inner_text().startswith(f"Synced to Google ({email})")
    assert "synced" in (synced.get_attribute("class") or "").split()
    not_synced = page.locator(f"#activity-{skipped.id} .sync-badge")
    assert not_synced.count() == 1
    assert not_synced.inner_text() == "Not synced: type call is not ticked"
    header = page.locator(".sync-accounts li")
    assert header.count() == 1
    assert header.inner_text().startswith(f"Synced with Google: {email}, ")


def test_without_an_account_there_is_no_badge(
    page: Page, engine: sa.Engine, crm_user: User
) -> None:
    activity = add_activity(engine, crm_user, "Lonely call")
    sign_in(page)
    page.wait_for_url("**/")
    assert page.locator(f"#activity-{activity.id}").count() == 1
    assert page.locator(".sync-badge").count() == 0
    assert page.locator(".sync-accounts").count() == 0


@sqlite_only
def test_the_list_and_the_month_show_the_same_badges_and_the_list_filters_by_them(
    page: Page, synced_pair: tuple[Activity, Activity], google_account: CalendarAccount
) -> None:
    pushed, skipped = synced_pair
    sign_in(page)
    page.wait_for_url("**/")

    page.goto("/list")
    email = google_account.account_email
    row = page.locator(f"#activity-{pushed.id} .sync-badge")
    assert row.inner_text().startswith(f"Synced to Google ({email})")
    assert page.locator(".sync-accounts li").inner_text().startswith("Synced with Google")
    page.select_option("#filter-sync", "synced")
    page.click(".filters button[type=submit]")
    page.wait_for_url("**sync=synced**")
    assert page.locator(".list-row").count() == 1
    assert page.locator(f"#activity-{pushed.id}").count() == 1
    page.select_option("#filter-sync", "not-synced")
    page.click(".filters button[type=submit]")
    page.wait_for_url("**sync=not-synced**")
    assert page.locator(f"#activity-{skipped.id} .sync-badge").inner_text() == (
        "Not synced: type call is not ticked"
    )
    assert page.locator(".list-row").count() == 1

    page.goto("/?view=month")
    dot = page.locator(f"#activity-{pushed.id} .sync-dot")
    assert (dot.get_attribute("title") or "").startswith(f"Synced to Google ({email})")
