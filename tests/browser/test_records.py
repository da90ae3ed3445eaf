"""The Deals, Persons and Organizations pages in Chromium: adding, refusing, paging, linking."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from bridge.crm_service import CrmService
from bridge.domain import Person, User
from bridge.store.activities import list_activities
from bridge.store.crm import list_deals
from tests.browser.conftest import sqlite_only
from tests.browser.form_steps import refused, signed_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

Shoot = Callable[["Page", str], Path]


def _add(page: Page, plural: str, values: dict[str, str], selects: dict[str, str]) -> None:
    page.goto(f"/{plural}/new")
    for label, text in values.items():
        page.get_by_label(label, exact=True).fill(text)
    for label, option in selects.items():
        page.get_by_label(label, exact=True).select_option(label=option)
    page.get_by_role("button", name="Add").click()
    page.wait_for_url(f"**/{plural}")


@sqlite_only
def test_records_added_in_the_browser_can_be_linked_to_an_activity(
    page: Page, engine: sa.Engine, crm_user: User, screenshot: Shoot
) -> None:
    signed_in(page)
    _add(page, "organizations", {"Name": "ACME Ltd", "Address": "1 Road"}, {})
    _add(
        page,
        "persons",
        {"Name": "Ada Lovelace", "Email": "ada@acme.test"},
        {"Organization": "ACME Ltd"},
    )
    _add(
        page,
        "deals",
        {"Title": "Rockets", "Value": "12500.50", "Stage": "proposal"},
        {"Person": "Ada Lovelace", "Organization": "ACME Ltd"},
    )
    row = page.locator("#deals tbody tr")
    assert row.all_inner_texts() == ["Rockets\t12,500.50\tEUR\tproposal\tAda Lovelace\tACME Ltd"]
    assert page.locator(".record-nav a[aria-current=page]").inner_text() == "Deals"
    screenshot(page, "deals")

    page.get_by_role("link", name="New activity").click()
    page.get_by_label("Subject").fill("Pitch the rockets")
    page.get_by_label("Deal").select_option(label="Rockets")
    page.get_by_label("Person", exact=True).select_option(label="Ada Lovelace")
    page.get_by_label("Organization").select_option(label="ACME Ltd")
    page.get_by_label("Participants").select_option(label=["Ada Lovelace"])
    page.get_by_role("button", name="Add activity").click()
    page.wait_for_url("**/activities/*")
    with engine.connect() as conn:
        (deal,) = list_deals(conn, 10)
        (activity,) = list_activities(conn, crm_user.id)
    assert deal.value == 12500.5 and deal.person_id is not None and deal.org_id is not None
    assert (activity.deal_id, activity.person_id, activity.org_id) == (
        deal.id,
        deal.person_id,
        deal.org_id,
    )
    assert activity.participant_ids == [deal.person_id]
    assert activity.due_date is None and activity.type_key == "task"  # undated: a to-do
    assert page.get_by_label("Deal").locator("option:checked").inner_text() == "Rockets"
    selected = page.get_by_label("Participants").locator("option:checked")
    assert selected.all_inner_texts() == ["Ada Lovelace"]


@sqlite_only
def test_a_bad_record_is_refused_naming_the_field(
    page: Page, engine: sa.Engine, crm_user: User
) -> None:
    signed_in(page)
    page.goto("/deals/new")
    page.get_by_label("Title").fill("Moon base")
    page.get_by_label("Value").fill("lots")
    assert refused(page, "Add deal", "Value").startswith("Value: must be a number")
    assert page.get_by_label("Title").input_value() == "Moon base"
    with engine.connect() as conn:
        assert list_deals(conn, 10) == []


@sqlite_only
def test_the_persons_list_pages(page: Page, engine: sa.Engine, crm_user: User) -> None:
    service = CrmService(engine)
    for number in range(1, 53):
        service.add_person(Person(name=f"Person {number:02}"))
    signed_in(page)
    page.goto("/persons")
    names = page.locator("#persons tbody tr td:first-child")
    assert names.count() == 50
    assert page.locator("a[rel=prev]").count() == 0
    page.locator("a[rel=next]").click()
    page.wait_for_url("**/persons?offset=50")
    assert names.all_inner_texts() == ["Person 51", "Person 52"]
    assert page.locator("a[rel=next]").count() == 0
    page.locator("a[rel=prev]").click()
    page.wait_for_url("**/persons")
    assert names.first.inner_text() == "Person 01"
