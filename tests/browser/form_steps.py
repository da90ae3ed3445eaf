"""Steps the form tests share: signing in, and a form post the page refuses."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.browser.conftest import sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page


def signed_in(page: Page) -> None:
    """Signs alice in and waits for the home page."""
    sign_in(page)
    page.wait_for_url("**/")


def refused(page: Page, button: str, label: str) -> str:
    """Submits with `button`, expecting 400 and the input labelled `label` marked; the alert."""
    with page.expect_response(lambda answer: answer.request.method == "POST") as posted:
        page.get_by_role("button", name=button).click()
    assert posted.value.status == 400
    assert page.get_by_label(label, exact=True).get_attribute("aria-invalid") == "true"
    return page.get_by_role("alert").inner_text()
