"""Connecting a Google account and keeping its tokens alive, against the emulator."""

from __future__ import annotations

import datetime as dt
import logging
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from bridge.providers import GrantRevoked
from bridge.providers.google.endpoints import SCOPES, GoogleEndpoints
from bridge.providers.oauth import OAuthApp, OAuthTokens, authorization_url, exchange_code
from tests.emulators.google_calendar import GoogleEmulator
from tests.providers.google_provider_samples import CALENDAR, ProviderFactory, issued_tokens

REDIRECT_URI = "http://127.0.0.1:9/oauth/google/callback"


def app(google: GoogleEmulator, endpoints: GoogleEndpoints) -> OAuthApp:
    return endpoints.oauth_app(google.client_id, google.client_secret)


def consent(google: GoogleEmulator, endpoints: GoogleEndpoints) -> tuple[str, str]:
    """Open the consent page as the browser would and read `code` off the redirect."""
    url, verifier = authorization_url(app(google, endpoints), REDIRECT_URI, "state-42")
    sent = parse_qs(urlsplit(url).query)
    assert sent["scope"] == [" ".join(SCOPES)]
    assert (sent["access_type"], sent["prompt"]) == (["offline"], ["consent"])
    assert sent["code_challenge_method"] == ["S256"]
    assert "code_verifier" not in sent

    response = httpx.get(url)
    assert response.status_code == 302
    back = parse_qs(urlsplit(response.headers["location"]).query)
    assert back["state"] == ["state-42"]
    return back["code"][0], verifier


def test_code_flow_with_pkce_gives_tokens_the_provider_can_use(
    google: GoogleEmulator, endpoints: GoogleEndpoints, connect: ProviderFactory
) -> None:
    code, verifier = consent(google, endpoints)

    tokens = exchange_code(app(google, endpoints), code, verifier, REDIRECT_URI)

    assert tokens.refresh_token
    assert tokens.expires_at > dt.datetime.now(dt.UTC)
    assert tokens.access_token not in repr(tokens)
    assert tokens.refresh_token not in repr(tokens)
    calendars = connect(tokens=tokens).list_calendars()
    assert [(c.id, c.primary, c.writable) for c in calendars] == [(CALENDAR, True, True)]


def test_a_code_with_the_wrong_verifier_is_refused(
    google: GoogleEmulator, endpoints: GoogleEndpoints
) -> None:
    code, _ = consent(google, endpoints)

    with pytest.raises(GrantRevoked, match="invalid_grant"):
        exchange_code(app(google, endpoints), code, "x" * 64, REDIRECT_URI)


def test_access_token_expired_at_google_is_renewed_once_and_handed_over(
    google: GoogleEmulator, connect: ProviderFactory, saved_tokens: list[OAuthTokens]
) -> None:
    provider = connect()
    provider.list_calendars()
    google.state.clock.advance(3600)  # Google's clock: our copy of the expiry is still ahead
    google.requests.reset()

    assert provider.list_calendars()[0].id == CALENDAR

    assert google.requests["oauth.token"] == 1
    assert google.requests["calendar.calendarList.list"] == 2  # the 401, then the retry
    assert len(saved_tokens) == 1
    assert saved_tokens[0].refresh_token  # Google keeps the refresh token; so must we


def test_token_known_to_be_expired_is_renewed_before_the_call(
    google: GoogleEmulator, connect: ProviderFactory, saved_tokens: list[OAuthTokens]
) -> None:
    reply = google.state.issue_tokens(scopes=SCOPES, client_id=google.client_id)
    stale = OAuthTokens(
        reply["access_token"], reply["refresh_token"], dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    google.requests.reset()

    connect(tokens=stale).list_calendars()

    assert google.requests["oauth.token"] == 1
    assert google.requests["calendar.calendarList.list"] == 1
    assert saved_tokens[0].access_token != reply["access_token"]
    assert saved_tokens[0].expires_at > dt.datetime.now(dt.UTC)


def test_revoked_grant_raises_grant_revoked(
    google: GoogleEmulator, connect: ProviderFactory, saved_tokens: list[OAuthTokens]
) -> None:
    tokens = issued_tokens(google)
    provider = connect(tokens=tokens)
    provider.list_calendars()
    google.state.revoke(tokens.refresh_token)

    with pytest.raises(GrantRevoked):
        provider.list_calendars()
    assert saved_tokens == []


def test_tokens_never_reach_the_logs(
    google: GoogleEmulator,
    connect: ProviderFactory,
    saved_tokens: list[OAuthTokens],
    caplog: pytest.LogCaptureFixture,
) -> None:
    tokens = issued_tokens(google)
    caplog.set_level(logging.DEBUG)
    provider = connect(tokens=tokens)
    provider.list_calendars()
    google.state.clock.advance(3600)
    provider.list_calendars()

    secrets = [tokens.access_token, tokens.refresh_token, saved_tokens[0].access_token]
    assert caplog.records
    assert not [secret for secret in secrets if secret in caplog.text]
