"""The identity platform's code flow with PKCE, refresh token rotation and revocation."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.emulators.microsoft import Fault, GraphEmulator

REDIRECT = "http://127.0.0.1/callback"
SCOPE = "offline_access User.Read Calendars.ReadWrite"


def _authorize(base_url: str, graph: GraphEmulator, verifier: str, tenant: str = "common") -> dict:
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    reply = httpx.get(
        f"{base_url}/{tenant}/oauth2/v2.0/authorize",
        params={
            "client_id": graph.client_id,
            "redirect_uri": REDIRECT,
            "response_type": "code",
            "scope": SCOPE,
            "state": "xyz",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
    )
    assert reply.status_code == 302
    return {k: v[0] for k, v in parse_qs(urlsplit(reply.headers["location"]).query).items()}


def test_code_flow_with_pkce_then_rotating_refresh(graph: GraphEmulator, base_url: str) -> None:
    verifier = secrets.token_urlsafe(48)
    params = _authorize(base_url, graph, verifier)
    assert params["state"] == "xyz"
    token_url = f"{base_url}/common/oauth2/v2.0/token"
    form = {
        "grant_type": "authorization_code",
        "code": params["code"],
        "redirect_uri": REDIRECT,
        "client_id": graph.client_id,
        "client_secret": graph.client_secret,
    }
    wrong = httpx.post(token_url, data=form | {"code_verifier": "not-the-verifier-" * 3})
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"

    params = _authorize(base_url, graph, verifier)
    tokens = httpx.post(token_url, data=form | {"code": params["code"], "code_verifier": verifier})
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] > 0
    assert "https://graph.microsoft.com/Calendars.ReadWrite" in body["scope"].split()
    me = httpx.get(
        f"{base_url}/v1.0/me", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert me.json()["mail"] == graph.user

    basic = httpx.BasicAuth(graph.client_id, graph.client_secret)
    refreshed = httpx.post(
        token_url,
        data={"grant_type": "refresh_token", "refresh_token": body["refresh_token"]},
        auth=basic,
    ).json()
    assert refreshed["refresh_token"] != body["refresh_token"]
    assert refreshed["access_token"] != body["access_token"]

    graph.state.revoke(refreshed["refresh_token"])
    revoked = httpx.post(
        token_url,
        data={"grant_type": "refresh_token", "refresh_token": refreshed["refresh_token"]},
        auth=basic,
    )
    assert revoked.status_code == 400
    assert revoked.json()["error"] == "invalid_grant"
    assert graph.requests["oauth.token"] == 4


def test_access_denied_and_bad_secret(graph: GraphEmulator, base_url: str) -> None:
    graph.state.deny_consent = True
    params = _authorize(base_url, graph, secrets.token_urlsafe(48), tenant="organizations")
    assert params["error"] == "access_denied"
    assert params["state"] == "xyz"
    reply = httpx.post(
        f"{base_url}/consumers/oauth2/v2.0/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": "x",
            "client_id": graph.client_id,
            "client_secret": "wrong",
        },
    )
    assert reply.status_code == 401
    assert reply.json()["error"] == "invalid_client"


def test_expired_and_missing_tokens_answer_401(
    graph: GraphEmulator, api: httpx.Client, base_url: str
) -> None:
    assert api.get("/me").status_code == 200
    graph.state.clock.advance(3600)
    expired = api.get("/me")
    assert expired.status_code == 401
    assert expired.json()["error"]["code"] == "InvalidAuthenticationToken"
    assert httpx.get(f"{base_url}/v1.0/me").status_code == 401


def test_injected_invalid_grant(graph: GraphEmulator, base_url: str) -> None:
    graph.inject(Fault.invalid_grant())
    reply = httpx.post(f"{base_url}/common/oauth2/v2.0/token", data={})
    assert reply.status_code == 400
    assert reply.json()["error"] == "invalid_grant"
