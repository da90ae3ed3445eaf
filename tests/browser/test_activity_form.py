"""The activity form in Chromium: adding, editing, marking done and deleting, CalDAV both ways,
refusals, and a colleague's privacy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import caldav
import pytest
import sqlalchemy as sa

from bridge.domain import Activity, User
from bridge.store.activities import get_activity, list_activities
from bridge.store.db import writing
from bridge.store.schema import users as users_table
from bridge.store.users import create_user
from tests.browser.conftest import add_activity, sqlite_only
from tests.browser.form_steps import refused, signed_in
from tests.sync_fixtures import CRM_LOGIN, CRM_PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

Shoot = Callable[["Page", str], Path]


def _calendar(site: str, name: str = "activities") -> caldav.Calendar:
    client = caldav.DAVClient(url=f"{site}/dav/", username=CRM_LOGIN, password=CRM_PASSWORD)
    return client.calendar(url=f"{site}/dav/{CRM_LOGIN}/{name}/")


def _stored(engine: sa.Engine, activity_id: int) -> Activity | None:
    with engine.connect() as conn:
        return get_activity(conn, activity_id)


def _own(engine: sa.Engine, user: User) -> list[Activity]:
    with engine.connect() as conn:
        return list_activities(conn, user.id)


@sqlite_only
def test_an_activity_added_in_the_browser_is_read_over_caldav(
    page: Page, site: str, engine: sa.Engine, crm_user: User, screenshot: Shoot
) -> None:
    with writing(engine) as conn:
        conn.execute(
            sa.update(users_table)
            .where(users_table.c.id == crm_user.id)
            .values(timezone="Europe/Berlin")
        )
    signed_in(page)
    page.goto("/activities/new")
    page.get_by_label("Subject").fill("Board review")
    page.get_by_label("Type").select_option("meeting")
    page.get_by_label("Date").fill("2026-07-14")
    page.get_by_label("Time").fill("14:30")
    page.get_by_label("Duration (minutes)").fill("45")
    page.get_by_label("Location").fill("Room 4")
    page.get_by_label("Description").fill("Quarterly numbers")
    page.get_by_label("Internal note").fill("Internal only 5e2a")
    page.get_by_label("Attendees").fill("Ada Lovelace <ada@example.com> accepted")
    page.get_by_role("button", name="Add activity").click()
    page.wait_for_url("**/activities/*")
    assert page.get_by_role("heading", level=1).inner_text() == "Edit activity"
    assert page.get_by_label("Time").input_value() == "14:30"  # shown in the user's zone
    assert page.get_by_label("Attendees").input_value() == "Ada Lovelace <ada@example.com> accepted"
    screenshot(page, "activity-form")

    (saved,) = _own(engine, crm_user)
    assert (saved.due_date, saved.due_time) == (dt.date(2026, 7, 14), dt.time(12, 30))  # UTC
    assert saved.duration == dt.timedelta(minutes=45)
    assert (saved.type_key, saved.location, saved.note) == (
        "meeting",
        "Room 4",
        "Internal only 5e2a",
    )

    event = _calendar(site).event_by_uid(saved.uid)
    text = event.data
    assert "SUMMARY:Board review" in text
    assert "DTSTART:20260714T123000Z" in text
    assert "LOCATION:Room 4" in text
    assert "ada@example.com" in text
    assert "5e2a" not in text  # the internal note never leaves CalBridge


@sqlite_only
def test_a_caldav_edit_shows_in_the_form_and_the_list(
    page: Page, site: str, engine: sa.Engine, crm_user: User
) -> None:
    call = add_activity(engine, crm_user, "Call Ada")
    event = _calendar(site).event_by_uid(call.uid)
    event.icalendar_component["summary"] = "Call Ada (moved by phone)"
    event.save()
    signed_in(page)
    page.goto(f"/activities/{call.id}")
    assert page.get_by_label("Subject").input_value() == "Call Ada (moved by phone)"
    page.goto("/list")
    assert page.locator(f"#activity-{call.id} .subject").inner_text() == (
        "Call Ada (moved by phone)"
    )


@pytest.fixture
def scriptless_page(browser: Browser, site: str) -> Iterator[Page]:
    """A page with JavaScript off: every action of the form must work without it."""
    context = browser.new_context(base_url=site, java_script_enabled=False)
    context.set_default_timeout(5000)
    yield context.new_page()
    context.close()


@sqlite_only
def test_editing_marking_done_and_deleting_work_without_javascript(
    scriptless_page: Page, site: str, engine: sa.Engine, crm_user: User
) -> None:
    page = scriptless_page
    call = add_activity(engine, crm_user, "Call Bob", location="Old room")
    signed_in(page)
    page.goto(f"/activities/{call.id}?back=/list%3Fdone%3Dno")
    page.get_by_label("Subject").fill("Call Bob again")
    page.get_by_label("Location").fill("")
    page.get_by_label("Visible to").select_option("private")
    page.get_by_label("Show as").select_option("free")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/list?done=no")
    assert page.locator(f"#activity-{call.id} .subject").inner_text() == "Call Bob again"
    stored = _stored(engine, call.id)
    assert stored is not None
    assert (stored.location, stored.private, stored.busy) == ("", True, False)
    assert (stored.due_time, stored.duration) == (call.due_time, call.duration)
    assert "SUMMARY:Call Bob again" in _calendar(site).event_by_uid(call.uid).data

    page.goto(f"/activities/{call.id}")
    page.get_by_role("button", name="Mark done").click()
    page.wait_for_url(f"**/activities/{call.id}")
    assert page.locator("#done-state").inner_text() == "Done."
    stored = _stored(engine, call.id)
    assert stored is not None and stored.done

    page.get_by_role("link", name="Delete…").click()
    page.wait_for_url(f"**/activities/{call.id}/delete")
    assert "Call Bob again" in page.get_by_role("heading", level=1).inner_text()
    assert _stored(engine, call.id) is not None  # asking is not deleting
    page.get_by_role("button", name="Yes, delete").click()
    page.wait_for_url("**/list")
    assert _stored(engine, call.id) is None
    assert page.locator(f"#activity-{call.id}").count() == 0


@sqlite_only
def test_a_bad_value_is_refused_naming_the_field_and_nothing_is_saved(
    page: Page, engine: sa.Engine, crm_user: User
) -> None:
    signed_in(page)
    page.goto("/activities/new")
    page.get_by_label("Subject").fill("Keep my words")
    page.get_by_label("Date").fill("2026-07-14")
    page.get_by_label("Time").fill("09:00")
    page.get_by_label("All day").check()
    alert = refused(page, "Add activity", "All day")
    assert alert == "All day: cannot go with a time. Nothing was saved."
    assert page.get_by_label("Subject").input_value() == "Keep my words"
    assert page.get_by_label("Time").input_value() == "09:00"

    page.get_by_label("All day").uncheck()
    page.get_by_label("Attendees").fill("<not an address>")
    alert = refused(page, "Add activity", "Attendees")
    assert alert.startswith("Attendees: holds an email address that is not one")
    assert page.get_by_label("Attendees").input_value() == "<not an address>"
    assert _own(engine, crm_user) == []


@sqlite_only
def test_a_post_needs_the_csrf_token_and_goes_back_only_within_the_site(
    page: Page, engine: sa.Engine, crm_user: User
) -> None:
    call = add_activity(engine, crm_user, "Call Carol")
    signed_in(page)
    assert page.request.post("/activities", form={"subject": "Forged"}).status == 403
    forged = page.request.post(f"/activities/{call.id}/delete", form={"back": "/"})
    assert forged.status == 403
    assert [activity.subject for activity in _own(engine, crm_user)] == ["Call Carol"]

    page.goto("/activities/new")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    assert token
    form = {"csrf_token": token, "subject": "Sent away?", "back": "https://elsewhere.test/"}
    answer = page.request.post("/activities", form=form, max_redirects=0)
    assert (answer.status, answer.headers["location"]) == (303, "/")


def test_a_colleagues_private_activity_is_a_404_that_names_nothing(
    page: Page, engine: sa.Engine, crm_user: User
) -> None:
    with writing(engine) as conn:
        bob = create_user(conn, "bob", "bob-password")
    secret = add_activity(
        engine, bob, "CANARY bob private 7f3b", private=True, location="Clinic 7f3b", note="7f3b"
    )
    shared = add_activity(engine, bob, "Bob's team call", note="Bring slides")
    signed_in(page)

    answer = page.goto(f"/activities/{secret.id}")
    assert answer is not None and answer.status == 404
    hidden = page.content()
    assert "7f3b" not in hidden and "CANARY" not in hidden
    missing = page.goto("/activities/999999")
    assert missing is not None and missing.status == 404
    assert page.content() == hidden  # the same page as for an activity that does not exist

    confirm = page.goto(f"/activities/{secret.id}/delete")
    assert confirm is not None and confirm.status == 404
    assert "7f3b" not in page.content()

    answer = page.goto(f"/activities/{shared.id}")
    assert answer is not None and answer.status == 200
    assert page.locator("#read-only").inner_text().startswith("An activity of bob")
    assert page.get_by_label("Internal note").input_value() == "Bring slides"
    assert page.get_by_label("Subject").is_disabled()
    assert page.get_by_role("button", name="Save").count() == 0

    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    assert token
    for path in (f"/activities/{secret.id}", f"/activities/{secret.id}/done",
                 f"/activities/{secret.id}/delete", f"/activities/{shared.id}"):  # fmt: skip
        refused = page.request.post(path, form={"csrf_token": token, "subject": "Mine now"})
        assert refused.status == 404
        assert "7f3b" not in refused.text()
    for activity in (secret, shared):
        stored = _stored(engine, activity.id)
        assert stored is not None and stored.subject == activity.subject and not stored.done
