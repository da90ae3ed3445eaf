"""The emulated Google OAuth endpoints: authorization code with PKCE, refresh, revocation."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.emulators.google_calendar import CALENDAR_SCOPE, GoogleEmulator

REDIRECT_URI = "http://127.0.0.1:9/oauth/callback"


def authorize(google: GoogleEmulator, base_url: str, verifier: str, **extra: str) -> str:
    """Run the consent step and return the authorization code from the redirect."""
    digest = hashlib.sha256(verifier.encode()).digest()
    params = {
        "client_id": google.client_id,
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "scope": CALENDAR_SCOPE,
        "state": "xyz",
        "access_type": "offline",
        "code_challenge": base64.urlsafe_b64encode(digest).rstrip(b"=").decode(),
        "code_challenge_method": "S256",
        **extra,
    }
    response = httpx.get(f"{base_url}/o/oauth2/v2/auth", params=params)
    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    query = parse_qs(location.query)
    assert query["state"] == ["xyz"]
    return query["code"][0]


def token(google: GoogleEmulator, base_url: str, **form: str) -> httpx.Response:
    credentials = {"client_id": google.client_id, "client_secret": google.client_secret}
    return httpx.post(f"{base_url}/token", data={**credentials, **form})


def calendar_list(base_url: str, access_token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {access_token}"} if access_token else {}
    return httpx.get(f"{base_url}/calendar/v3/users/me/calendarList", headers=headers)


def test_code_flow_with_pkce_gives_tokens_that_work_and_refresh(
    google: GoogleEmulator, google_url: str
) -> None:
    verifier = secrets.token_urlsafe(48)
    code = authorize(google, google_url, verifier)

    granted = token(
        google,
        google_url,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT_URI,
        code_verifier=verifier,
    )
    assert granted.status_code == 200
    body = granted.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3599
    assert body["scope"] == CALENDAR_SCOPE
    assert calendar_list(google_url, body["access_token"]).json()["items"][0]["primary"] is True

    refreshed = token(
        google, google_url, grant_type="refresh_token", refresh_token=body["refresh_token"]
    )
    assert refreshed.status_code == 200
    assert "refresh_token" not in refreshed.json()
    assert calendar_list(google_url, refreshed.json()["access_token"]).status_code == 200


def test_code_exchange_checks_the_verifier_and_is_single_use(
    google: GoogleEmulator, google_url: str
) -> None:
    verifier = secrets.token_urlsafe(48)
    code = authorize(google, google_url, verifier)
    exchange = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}

    wrong = token(google, google_url, **exchange, code_verifier=secrets.token_urlsafe(48))
    assert (wrong.status_code, wrong.json()["error"]) == (400, "invalid_grant")
    assert token(google, google_url, **exchange, code_verifier=verifier).status_code == 200
    again = token(google, google_url, **exchange, code_verifier=verifier)
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")


def test_refresh_token_is_only_issued_again_with_prompt_consent(
    google: GoogleEmulator, google_url: str
) -> None:
    for prompt, expect_refresh in (({}, True), ({}, False), ({"prompt": "consent"}, True)):
        verifier = secrets.token_urlsafe(48)
        code = authorize(google, google_url, verifier, **prompt)
        reply = token(
            google,
            google_url,
            grant_type="authorization_code",
            code=code,
            redirect_uri=REDIRECT_URI,
            code_verifier=verifier,
        ).json()
        assert ("refresh_token" in reply) is expect_refresh


def test_revoked_grant_refreshes_to_invalid_grant_and_its_tokens_to_401(
    google: GoogleEmulator, google_url: str
) -> None:
    tokens = google.state.issue_tokens()
    google.state.revoke(tokens["refresh_token"])

    refreshed = token(
        google, google_url, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert refreshed.status_code == 400
    assert refreshed.json() == {
        "error": "invalid_grant",
        "error_description": "Token has been expired or revoked.",
    }
    assert calendar_list(google_url, tokens["access_token"]).status_code == 401


def test_missing_or_expired_access_token_is_401_in_google_error_shape(
    google: GoogleEmulator, google_url: str
) -> None:
    missing = calendar_list(google_url, None)
    assert missing.status_code == 401
    error = missing.json()["error"]
    assert (error["code"], error["status"]) == (401, "UNAUTHENTICATED")
    assert error["errors"][0] | {"message": ""} == {
        "domain": "global",
        "reason": "authError",
        "message": "",
        "locationType": "header",
        "location": "Authorization",
    }

    access_token = google.state.issue_tokens()["access_token"]
    assert calendar_list(google_url, access_token).status_code == 200
    google.state.clock.advance(3600)
    assert calendar_list(google_url, access_token).status_code == 401


def test_unknown_client_and_grant_type_are_refused(google: GoogleEmulator, google_url: str) -> None:
    unknown = httpx.post(
        f"{google_url}/token",
        data={"client_id": "nobody", "client_secret": "x", "grant_type": "refresh_token"},
    )
    assert (unknown.status_code, unknown.json()["error"]) == (401, "invalid_client")
    odd = token(google, google_url, grant_type="password")
    assert (odd.status_code, odd.json()["error"]) == (400, "unsupported_grant_type")


def test_too_narrow_a_scope_is_403(google: GoogleEmulator, google_url: str) -> None:
    events_only = google.state.issue_tokens(scopes=(f"{CALENDAR_SCOPE}.events",))
    response = calendar_list(google_url, events_only["access_token"])
    assert response.status_code == 403
    assert response.json()["error"]["errors"][0]["reason"] == "insufficientPermissions"
