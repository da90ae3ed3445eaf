"""The List page in Chromium: filters, paging, marking done in place, and colleagues' privacy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from bridge.domain import User
from bridge.store.activities import get_activity
from bridge.store.db import writing
from bridge.store.users import create_user
from tests.browser.conftest import add_activity, sign_in, sqlite_only

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

Shoot = Callable[["Page", str], Path]


def _open_list(page: Page, query: str = "") -> None:
    sign_in(page)
    page.wait_for_url("**/")
    page.goto(f"/list{query}")


def test_the_list_shows_filters_and_marks_done_in_place(
    page: Page, engine: sa.Engine, crm_user: User, screenshot: Shoot
) -> None:
    call = add_activity(engine, crm_user, "Call with ACME")
    add_activity(engine, crm_user, "Team meeting", type_key="meeting")
    add_activity(engine, crm_user, "Dentist", type_key="meeting", private=True)
    _open_list(page)
    assert page.locator("h1").inner_text() == "List"
    assert page.locator("nav a[aria-current=page]").inner_text() == "List"
    assert page.locator("tbody tr").count() == 3
    row = page.locator("tr", has_text="Call with ACME")
    assert row.locator(".type").inner_text() == "Call"
    assert row.locator(".time").inner_text() == "10:00"
    assert row.locator(".owner").inner_text() == crm_user.login
    assert row.locator(".state").inner_text() == "Open"
    assert page.locator("tr", has_text="Dentist").locator(".private").inner_text() == "Private"
    screenshot(page, "list")

    page.select_option("#filter-type", "meeting")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/list?type=meeting**")
    assert page.locator("tbody tr").count() == 2
    assert page.locator("tr", has_text="Call with ACME").count() == 0

    page.goto("/list")
    page.evaluate("window.notReloaded = true")
    row = page.locator("tr", has_text="Call with ACME")
    row.get_by_role("button", name="Mark done").click()
    done_row = page.locator("tr.done", has_text="Call with ACME")
    done_row.wait_for()
    assert done_row.locator(".state").inner_text() == "Done"
    assert done_row.get_by_role("button", name="Mark done").count() == 0
    assert page.evaluate("window.notReloaded") is True  # swapped in place, not reloaded
    with engine.connect() as conn:
        stored = get_activity(conn, call.id)
    assert stored is not None and stored.done

    page.goto("/list?done=no")
    assert page.locator("tr", has_text="Call with ACME").count() == 0
    assert page.locator("tbody tr").count() == 2


def test_marking_done_works_without_javascript(
    browser: Browser, site: str, engine: sa.Engine, crm_user: User
) -> None:
    call = add_activity(engine, crm_user, "Call without scripts")
    context = browser.new_context(base_url=site, java_script_enabled=False)
    context.set_default_timeout(5000)
    page = context.new_page()
    try:
        _open_list(page, "?type=call")
        page.locator("tr", has_text="Call without scripts").get_by_role(
            "button", name="Mark done"
        ).click()
        page.wait_for_url("**/list?type=call")
        assert page.locator("tr", has_text="Call without scripts").locator(
            ".state"
        ).inner_text() == ("Done")
    finally:
        context.close()
    with engine.connect() as conn:
        stored = get_activity(conn, call.id)
    assert stored is not None and stored.done


def test_a_colleagues_private_activity_is_only_busy(
    page: Page, engine: sa.Engine, crm_user: User
) -> None:
    with writing(engine) as conn:
        bob = create_user(conn, "bob", "bob-password")
    secret = add_activity(engine, bob, "CANARY bob private 9c1d", private=True)
    add_activity(engine, bob, "Bob's public call")
    add_activity(engine, crm_user, "Alice's own call")
    _open_list(page)
    assert page.locator("tr", has_text="Bob's public call").count() == 0  # "me" by default
    page.goto("/list?owner=all")
    assert page.locator("tr", has_text="Bob's public call").count() == 1
    busy = page.locator(f"#activity-{secret.id}")
    assert busy.locator(".subject").inner_text() == "Busy"
    assert busy.locator(".type").inner_text() == ""
    assert busy.get_by_role("button", name="Mark done").count() == 0
    assert "CANARY" not in page.content()
    assert "9c1d" not in page.content()
    page.goto("/list?owner=all&type=meeting")  # filtering must not reveal its type either
    assert page.locator(f"#activity-{secret.id}").count() == 1

    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    assert token
    answer = page.request.post(f"/list/{secret.id}/done", form={"csrf_token": token})
    assert answer.status == 404
    assert "9c1d" not in answer.text()
    with engine.connect() as conn:
        stored = get_activity(conn, secret.id)
    assert stored is not None and not stored.done


def test_paging_shows_the_next_page(page: Page, engine: sa.Engine, crm_user: User) -> None:
    for number in range(1, 6):
        add_activity(engine, crm_user, f"Paged call {number}")
    _open_list(page, "?limit=2")
    subjects = page.locator("tbody .subject")
    assert subjects.all_inner_texts() == ["Paged call 1", "Paged call 2"]
    assert page.locator("a[rel=prev]").count() == 0
    page.locator("a[rel=next]").click()
    page.wait_for_url("**cursor=**")
    assert subjects.all_inner_texts() == ["Paged call 3", "Paged call 4"]
    page.locator("a[rel=next]").click()
    page.wait_for_load_state()
    assert subjects.all_inner_texts() == ["Paged call 5"]
    assert page.locator("a[rel=next]").count() == 0
    page.locator("a[rel=prev]").click()
    page.wait_for_load_state()
    assert subjects.all_inner_texts() == ["Paged call 3", "Paged call 4"]


@sqlite_only
def test_column_headings_sort_and_paging_keeps_the_sort(
    page: Page, engine: sa.Engine, crm_user: User
) -> None:
    today = dt.datetime.now(dt.UTC).date()
    for number, subject in enumerate(["Charlie", "Alpha", "Delta", "Bravo"]):
        add_activity(engine, crm_user, subject, due_date=today + dt.timedelta(days=number))
    _open_list(page, "?limit=3")
    subjects = page.locator("tbody .subject")
    assert subjects.all_inner_texts() == ["Charlie", "Alpha", "Delta"]

    page.get_by_role("link", name="Subject").click()
    page.wait_for_url("**sort=subject**")
    assert subjects.all_inner_texts() == ["Alpha", "Bravo", "Charlie"]
    assert page.locator("th[aria-sort=ascending]").inner_text().startswith("Subject")
    page.locator("a[rel=next]").click()
    page.wait_for_url("**offset=3**")
    assert subjects.all_inner_texts() == ["Delta"]

    page.get_by_role("link", name="Date").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Date ↑").click()
    page.wait_for_url("**sort=-start**")
    assert subjects.all_inner_texts() == ["Bravo", "Delta", "Alpha"]
    assert page.locator("th[aria-sort=descending]").count() == 1
