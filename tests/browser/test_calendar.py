"""The calendar in Chromium: week and month, moving between them, and colleagues on a toggle."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import sqlalchemy as sa

from bridge.domain import User
from bridge.store.db import writing
from bridge.store.schema import users
from bridge.store.users import create_user
from tests.browser.conftest import add_activity, cookies_of, sign_in, sqlite_only

if TYPE_CHECKING:
    from playwright.sync_api import Page

Shoot = Callable[["Page", str], Path]
TODAY = dt.datetime.now(dt.UTC).date()


def _first_of_next_month() -> dt.date:
    return (TODAY.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


@sqlite_only
def test_the_month_shows_its_days_and_steps_to_the_next(
    page: Page, engine: sa.Engine, crm_user: User, screenshot: Shoot
) -> None:
    add_activity(engine, crm_user, "Quarterly review", type_key="meeting")
    add_activity(engine, crm_user, "Contract deadline", type_key="deadline", private=True)
    next_month = _first_of_next_month() + dt.timedelta(days=14)
    add_activity(engine, crm_user, "Renewal call", due_date=next_month)
    sign_in(page)
    page.wait_for_url("**/")
    page.get_by_role("link", name="Month").click()

    assert page.locator("h1").inner_text() == TODAY.strftime("%B %Y")
    cell = page.locator(f"td:has(#day-{TODAY.isoformat()})")
    assert cell.locator(".activity", has_text="Quarterly review").count() == 1
    assert cell.locator(".activity", has_text="Contract deadline").locator(".private-mark").count()
    assert page.locator(".activity", has_text="Renewal call").count() == 0
    screenshot(page, "month")

    for number in range(4):
        add_activity(engine, crm_user, f"Busy day call {number}", due_date=next_month)
    page.get_by_role("link", name="Next month").click()
    assert page.locator("h1").inner_text() == next_month.strftime("%B %Y")
    crowded = page.locator(f"td:has(#day-{next_month.isoformat()})")
    assert crowded.locator(".activity").count() == 4
    crowded.locator(".day-more").click()
    page.wait_for_url("**/list?**")
    assert page.locator(".list-row").count() == 5
    page.go_back()
    page.get_by_role("link", name="Week").click()
    assert page.locator("h1").inner_text().startswith("Week of")
    page.get_by_role("link", name="Today").click()
    assert page.locator("h1").inner_text() == "This week"


@sqlite_only
def test_weeks_step_back_and_forth_and_a_subject_opens_its_activity(
    page: Page, engine: sa.Engine, crm_user: User
) -> None:
    last_week = add_activity(
        engine, crm_user, "Last week's call", due_date=TODAY - dt.timedelta(days=7)
    )
    sign_in(page)
    page.wait_for_url("**/")
    assert page.locator(".activity", has_text="Last week's call").count() == 0
    page.get_by_role("link", name="Previous week").click()
    call = page.locator(".activity", has_text="Last week's call")
    assert call.count() == 1
    href = call.locator("a.subject").get_attribute("href") or ""
    assert href.startswith(f"/activities/{last_week.id}?back=")
    page.get_by_role("link", name="Next week").click()
    assert page.locator("h1").inner_text() == "This week"


def test_colleagues_show_on_the_toggle_and_their_private_ones_only_as_busy(
    page: Page, engine: sa.Engine, crm_user: User
) -> None:
    with writing(engine) as conn:
        bob = create_user(conn, "bob", "bob-password")
    secret = add_activity(engine, bob, "CANARY private 9c1e", private=True, location="CANARY-9c1e")
    add_activity(engine, bob, "Demo for Bob")
    add_activity(engine, crm_user, "Alice's call")
    sign_in(page)
    page.wait_for_url("**/")
    assert page.locator(".activity", has_text="Demo for Bob").count() == 0

    page.locator("#show-team").click()
    assert (
        page.locator(".activity", has_text="Demo for Bob").locator(".owner").inner_text() == "bob"
    )
    busy = page.locator(f"#activity-{secret.id}")
    assert busy.locator(".subject").inner_text() == "Busy"
    assert busy.locator("a").count() == 0
    for view in ("week", "month"):
        source = httpx.get(f"{page.url}&view={view}", cookies=cookies_of(page)).text
        assert "Demo for Bob" in source
        assert "9c1e" not in source
    assert "9c1e" not in page.content()


@sqlite_only
def test_dates_out_of_range_fall_back_or_are_named_and_far_activities_still_list(
    page: Page, engine: sa.Engine, crm_user: User
) -> None:
    with writing(engine) as conn:
        conn.execute(sa.update(users).values(timezone="Pacific/Kiritimati"))
    add_activity(engine, crm_user, "End of time", due_date=dt.date(9999, 12, 31))
    sign_in(page)
    page.wait_for_url("**/")
    cookies = cookies_of(page)
    month = httpx.get(f"{page.url}?view=month&date=9999-12-31", cookies=cookies)
    assert month.status_code == 200
    assert f"<h1>{TODAY.strftime('%B %Y')}</h1>" in month.text
    assert httpx.get(f"{page.url}?date=0001-01-01", cookies=cookies).status_code == 200
    page.goto("/list?from=9999-12-31&sort=-start")
    assert "“From” must be between 1900-01-01 and 2999-12-31" in page.inner_text("main")
    assert page.locator(".list-row").first.locator(".subject").inner_text() == "End of time"
