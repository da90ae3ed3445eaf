"""Settings → Activity types in Chromium: a custom type added, changed and followed over CalDAV.

An activity of the type exists before each change, and a CalDAV client
(the `caldav` library, signed in as alice) sees what the change does to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import caldav
import httpx
import sqlalchemy as sa

from bridge.domain import DEFAULT_ACTIVITY_TYPES, ActivityType, ComponentKind, User
from bridge.store.crm import list_activity_types
from tests.browser.conftest import add_activity, sqlite_only
from tests.browser.test_settings_apps import Shoot, open_settings
from tests.sync_fixtures import CRM_LOGIN, CRM_PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Page

KEY = "site-visit"


def stored_type(engine: sa.Engine) -> ActivityType:
    with engine.connect() as conn:
        return list_activity_types(conn)[KEY]


def calendar_texts(site: str, name: str) -> list[str]:
    """The iCalendar texts of one of alice's calendars, as a CalDAV client reads them."""
    client = caldav.DAVClient(url=f"{site}/dav/", username=CRM_LOGIN, password=CRM_PASSWORD)
    calendar = client.calendar(url=f"{site}/dav/{CRM_LOGIN}/{name}/")
    found = calendar.todos(include_completed=True) if name == "tasks" else calendar.events()
    return [item.data for item in found]


def save_row(page: Page) -> None:
    with page.expect_navigation():
        page.locator(f"#type-{KEY}").get_by_role("button", name=f"Save {KEY}").click()
    page.locator("#types-notice").get_by_text(f"Type {KEY} saved").wait_for()


@sqlite_only
def test_a_custom_type_is_added_changed_and_its_activity_follows(
    page: Page, site: str, engine: sa.Engine, crm_user: User, screenshot: Shoot
) -> None:
    open_settings(page, "/settings/types")
    form = page.locator("#new-type")
    form.get_by_label("Key").fill(KEY)
    form.get_by_label("Name").fill("Site visit")
    form.get_by_label("Colour").fill("#11aa33")
    form.get_by_role("button", name="Add type").click()
    page.locator("#types-notice").get_by_text("Type site-visit added.").wait_for()
    assert stored_type(engine) == ActivityType(
        KEY, "Site visit", "#11aa33", True, ComponentKind.EVENT, stored_type(engine).id
    )
    add_activity(engine, crm_user, "Plant tour", type_key=KEY)
    (event,) = calendar_texts(site, "activities")
    assert "Site visit" in event

    row = page.locator(f"#type-{KEY}")
    row.get_by_label("Name").fill("Plant visit")
    row.get_by_label("Colour").fill("#aa0000")
    save_row(page)
    assert "1 activity updated" in page.locator("#types-notice").inner_text()
    (event,) = calendar_texts(site, "activities")
    assert "Plant visit" in event and "Site visit" not in event
    assert stored_type(engine).color == "#aa0000"

    page.locator(f"#type-{KEY}").get_by_label("Active").uncheck()
    save_row(page)
    assert stored_type(engine).active is False
    assert len(calendar_texts(site, "activities")) == 1  # existing activities keep the type
    new_one = {"subject": "Another tour", "type": KEY, "date": "2026-12-10", "time": "09:00"}
    refused = httpx.post(
        f"{site}/api/v1/activities", json=new_one, auth=(CRM_LOGIN, CRM_PASSWORD), trust_env=False
    )
    assert refused.status_code == 400 and KEY in refused.text

    page.locator(f"#type-{KEY}").get_by_label("Kind").select_option("todo")
    save_row(page)
    assert stored_type(engine).kind is ComponentKind.TODO
    assert calendar_texts(site, "activities") == []
    (todo,) = calendar_texts(site, "tasks")
    assert "BEGIN:VTODO" in todo and "SUMMARY:Plant tour" in todo
    screenshot(page, "settings-types")


@sqlite_only
def test_a_wrong_or_forged_type_form_saves_nothing(
    page: Page, site: str, engine: sa.Engine
) -> None:
    open_settings(page, "/settings/types")
    form = page.locator("#new-type")
    form.get_by_label("Key").fill("call")
    form.get_by_label("Name").fill("Another call")
    form.get_by_role("button", name="Add type").click()
    error = page.locator("#types-error")
    assert error.inner_text() == "key 'call' is taken by another type"
    assert page.locator("#new-type").get_by_label("Name").input_value() == "Another call"

    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    cookies = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}
    with httpx.Client(base_url=site, cookies=cookies, trust_env=False, timeout=10) as client:
        fields = {"key": "Bad Key", "name": "Bad", "color": "#000000", "kind": "event"}
        wrong = client.post("/settings/types", data={**fields, "csrf_token": token})
        assert wrong.status_code == 400 and "key must be 1 to 32 lowercase" in wrong.text
        forged = client.post("/settings/types", data={**fields, "key": "forged"})
        assert forged.status_code == 403
        colour = {"name": "Call", "color": "red", "kind": "event", "active": "on"}
        bad_colour = client.post("/settings/types/call", data={**colour, "csrf_token": token})
        assert bad_colour.status_code == 400 and "color must be" in bad_colour.text
    with engine.connect() as conn:
        types = list_activity_types(conn)
    assert set(types) == {item.key for item in DEFAULT_ACTIVITY_TYPES}
    assert types["call"].color == "#2e86de"
