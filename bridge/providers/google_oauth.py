"""Connecting a Google account: the OAuth 2.0 authorization code flow with PKCE.

The web app sends the user to `authorization_url`, keeps the returned code
verifier with the `state` it chose, and on the callback trades the code for
tokens with `exchange_code`. `access_type=offline` with `prompt=consent`
makes Google issue a refresh token every time, also when the user connects
again after a disconnect. Storing the tokens (encrypted) is the caller's job;
nothing here logs them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError

from bridge.providers import GrantRevoked, TemporaryFailure
from bridge.providers.google_authlib import OAuth2Client
from bridge.providers.google_endpoints import GOOGLE, GoogleEndpoints

SCOPES = (
    # Read and write events, nothing else of the account.
    "https://www.googleapis.com/auth/calendar.events",
    # List the calendars, so the user can pick one in the settings page.
    "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
)
VERIFIER_LENGTH = 64  # RFC 7636 allows 43 to 128 characters


@dataclass(frozen=True)
class OAuthTokens:
    """What Google granted: a short-lived access token and the refresh token that renews it.

    `expires_at` is an aware UTC datetime. Never log instances of this class.
    """

    access_token: str
    refresh_token: str
    expires_at: dt.datetime

    def __repr__(self) -> str:
        return f"OAuthTokens(expires_at={self.expires_at.isoformat()}, ...)"

    def as_authlib(self) -> dict[str, Any]:
        """The token dict authlib's clients hold."""
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "token_type": "Bearer",
            "expires_at": int(self.expires_at.timestamp()),
        }

    @classmethod
    def from_authlib(cls, token: Mapping[str, Any]) -> OAuthTokens:
        return cls(
            access_token=str(token["access_token"]),
            refresh_token=str(token.get("refresh_token") or ""),
            expires_at=dt.datetime.fromtimestamp(int(token["expires_at"]), dt.UTC),
        )


def new_code_verifier() -> str:
    """A fresh PKCE code verifier (RFC 7636)."""
    return generate_token(VERIFIER_LENGTH)


def authorization_url(
    client_id: str,
    redirect_uri: str,
    state: str,
    endpoints: GoogleEndpoints = GOOGLE,
    verifier: str | None = None,
) -> tuple[str, str]:
    """The consent page URL for the user, and the PKCE code verifier to keep for the callback.

    A caller that must seal the verifier into `state` makes it first with
    `new_code_verifier` and passes it in.
    """
    verifier = verifier or new_code_verifier()
    with _oauth_client(client_id, "", redirect_uri) as client:
        url, _ = client.create_authorization_url(
            endpoints.authorize_url,
            state=state,
            code_verifier=verifier,
            access_type="offline",
            prompt="consent",
        )
    return url, verifier


def exchange_code(
    code: str,
    code_verifier: str,
    *,
    client_id: str,
    client_secret: str,
    redirect_uri: str,
    endpoints: GoogleEndpoints = GOOGLE,
) -> OAuthTokens:
    """Trade the callback's `code` for tokens; `GrantRevoked` if Google refuses the code.

    A refused code (expired, used, or a verifier that does not match) means
    the user has to go through the consent page again, as after a revocation.
    """
    client = _oauth_client(client_id, client_secret, redirect_uri)
    with client, contract_errors("code exchange"):
        token = client.fetch_token(endpoints.token_url, code=code, code_verifier=code_verifier)
    if not token.get("refresh_token"):
        raise GrantRevoked("Google issued no refresh token; ask for consent again")
    return OAuthTokens.from_authlib(token)


@contextlib.contextmanager
def contract_errors(what: str) -> Iterator[None]:
    """Let authlib's and httpx's failures out of the block as the contract's errors.

    Any OAuth error answer (invalid_grant for a revoked or expired grant,
    invalid_client after the app's credentials changed) means the stored
    grant cannot be used any more: the user must reconnect. A 5xx of the
    token endpoint or a lost connection may pass. Messages name the failure,
    never the request body, which holds tokens.
    """
    try:
        yield
    except OAuthError as error:
        raise GrantRevoked(f"Google refused the grant ({error.error}): reconnect") from error
    except httpx.HTTPStatusError as error:
        status = error.response.status_code
        raise TemporaryFailure(f"{what}: Google answered {status}") from error
    except httpx.TransportError as error:
        raise TemporaryFailure(f"{what}: {type(error).__name__}") from error


def _oauth_client(client_id: str, client_secret: str, redirect_uri: str) -> OAuth2Client:
    return OAuth2Client(
        client_id=client_id,
        client_secret=client_secret or None,
        scope=" ".join(SCOPES),
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
    )
