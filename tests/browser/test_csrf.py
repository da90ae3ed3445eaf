"""Forged requests to the pages are refused; the other doors are not pages and keep working."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.browser.conftest import sign_in
from tests.sync_fixtures import CRM_LOGIN, CRM_PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Page


@pytest.fixture
def signed_in(page: Page, site: str) -> Iterator[tuple[httpx.Client, str]]:
    """An HTTP client holding alice's session cookie from the browser, and the page's token."""
    sign_in(page)
    page.wait_for_url("**/")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    assert token
    cookies = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}
    with httpx.Client(base_url=site, cookies=cookies, trust_env=False, timeout=10) as client:
        yield client, token


def test_a_post_without_the_token_is_refused(signed_in: tuple[httpx.Client, str]) -> None:
    client, _token = signed_in
    refused = client.post("/signout")
    assert refused.status_code == 403
    assert "refused" in refused.text
    wrong = client.post("/signout", data={"csrf_token": "not-the-token"})
    assert wrong.status_code == 403
    assert client.get("/").status_code == 200  # still signed in


def test_a_post_from_another_origin_is_refused(
    signed_in: tuple[httpx.Client, str], site: str
) -> None:
    client, token = signed_in
    foreign = client.post(
        "/signout", data={"csrf_token": token}, headers={"Origin": "https://evil.example"}
    )
    assert foreign.status_code == 403
    assert client.get("/").status_code == 200
    own = client.post("/signout", data={"csrf_token": token}, headers={"Origin": site})
    assert own.status_code == 303
    assert own.headers["location"] == "/signin"
    cleared = own.headers["set-cookie"]  # the browser drops the session cookie
    assert cleared.startswith("calbridge_session=null;") and "1970" in cleared


def test_htmx_sends_the_token_as_a_header(signed_in: tuple[httpx.Client, str]) -> None:
    client, token = signed_in
    answer = client.post("/signout", headers={"X-CSRF-Token": token, "HX-Request": "true"})
    assert answer.status_code == 303


def test_a_sign_in_without_the_token_is_refused(site: str) -> None:
    """A forged sign-in would sign the victim in as the attacker."""
    answer = httpx.post(
        f"{site}/signin", data={"login": CRM_LOGIN, "password": CRM_PASSWORD}, trust_env=False
    )
    assert answer.status_code == 403


def test_the_api_and_caldav_need_no_token(signed_in: tuple[httpx.Client, str], site: str) -> None:
    client, _token = signed_in
    # The API signs in with credentials, not the cookie: a 401 for lacking them, not a 403.
    api = client.post("/api/v1/calendar-accounts", json={}, headers={"Origin": "https://x.example"})
    assert api.status_code == 401
    dav = httpx.request(
        "PROPFIND",
        f"{site}/dav/{CRM_LOGIN}/",
        auth=(CRM_LOGIN, CRM_PASSWORD),
        headers={"Depth": "0"},
        trust_env=False,
    )
    assert dav.status_code == 207


def test_a_form_with_more_fields_than_any_page_sends_is_400(
    signed_in: tuple[httpx.Client, str],
) -> None:
    client, token = signed_in
    stuffed = {"csrf_token": token, **{f"field{n}": "x" for n in range(200)}}
    assert client.post("/signout", data=stuffed).status_code == 400
    assert client.post("/signin", data=stuffed).status_code == 400
    assert client.get("/").status_code == 200  # nothing happened: still signed in
