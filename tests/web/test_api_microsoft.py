"""Connecting a Microsoft account through the JSON API: the consent page at the identity
platform emulator, the callback, and the account named by Graph's `/me`."""

from __future__ import annotations

import httpx
import sqlalchemy as sa

from bridge.domain import User
from bridge.secrets import SecretBox
from tests.emulators.microsoft import GraphEmulator
from tests.web.api_client import ACCOUNTS, Api, assert_error
from tests.web.test_api_accounts import stored


def test_microsoft_connect_flow_through_the_consent_page_and_the_callback(
    api: Api, engine: sa.Engine, crm_user: User, box: SecretBox, graph: GraphEmulator
) -> None:
    callback = f"{api.base_url}/oauth/microsoft/callback"
    consent = api.post(ACCOUNTS, json={"provider": "microsoft", "redirect_uri": callback})
    assert consent.status_code == 200, consent.text
    url = consent.json()["authorization_url"]
    assert httpx.URL(url).params["redirect_uri"] == callback

    elsewhere = httpx.get(url, follow_redirects=True, trust_env=False)
    assert_error(elsewhere, 400, "does not belong to this browser")
    assert stored(engine, crm_user) == []

    landed = httpx.get(url, follow_redirects=True, trust_env=False, cookies=api.client.cookies)
    api.seen.append(landed.text)

    assert landed.status_code == 201, landed.text
    account = landed.json()
    assert (account["provider"], account["account_email"]) == ("microsoft", graph.user)
    assert (account["state"], account["server_url"]) == ("stopped", None)
    calendars = api.get(f"{ACCOUNTS}/{account['id']}/calendars").json()
    assert calendars[0]["primary"] is True
    secret = box.decrypt(stored(engine, crm_user)[0].encrypted_secret)
    api.assert_never_shown(secret)


def test_a_refused_microsoft_consent_stores_nothing(
    api: Api, engine: sa.Engine, crm_user: User, graph: GraphEmulator
) -> None:
    callback = f"{api.base_url}/oauth/microsoft/callback"
    answer = httpx.get(callback, params={"error": "access_denied", "state": "x"})
    assert_error(answer, 400, "access to the calendar was not allowed")
    answer = httpx.get(callback, params={"error": "invalid_scope"})
    assert_error(answer, 400, "Microsoft refused the consent (invalid_scope)")
    assert stored(engine, crm_user) == []
