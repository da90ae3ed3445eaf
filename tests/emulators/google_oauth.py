"""Google's OAuth 2.0 web-server flow: authorize with PKCE, code exchange, refresh, revoke.

CalBridge must turn a revoked grant into "reconnect needed" and must refresh
expired access tokens by itself, so the emulator keeps grants, codes and
access tokens with real expiry and real revocation, and answers with the
token endpoint's error bodies (`invalid_grant`, `invalid_client`, ...).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from tests.emulators.clock import Clock

CODE_LIFETIME = timedelta(minutes=10)
REVOKED = "Token has been expired or revoked."


class OAuthError(Exception):
    """An error of the authorization server, serialised as `{"error", "error_description"}`."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(f"{status} {error}: {description}")
        self.status = status
        self.error = error
        self.description = description

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


@dataclass
class OAuthClient:
    client_id: str
    client_secret: str
    redirect_uris: frozenset[str] | None = None  # None: any redirect URI is registered


@dataclass
class AuthorizationCode:
    code: str
    client_id: str
    redirect_uri: str
    user: str
    scopes: tuple[str, ...]
    challenge: str | None
    challenge_method: str
    offline: bool
    expires_at: datetime
    used: bool = False


@dataclass
class Grant:
    """What a user consented to for one client; its refresh token outlives access tokens."""

    refresh_token: str
    client_id: str
    user: str
    scopes: tuple[str, ...]
    revoked: bool = False


@dataclass
class AccessToken:
    token: str
    user: str
    scopes: tuple[str, ...]
    expires_at: datetime
    grant: Grant | None = None


@dataclass
class OAuthServer:
    """Clients, codes, grants and access tokens; every public method is one endpoint's logic."""

    clock: Clock
    access_token_lifetime: int = 3599
    clients: dict[str, OAuthClient] = field(default_factory=dict)
    codes: dict[str, AuthorizationCode] = field(default_factory=dict)
    grants: dict[str, Grant] = field(default_factory=dict)
    access_tokens: dict[str, AccessToken] = field(default_factory=dict)
    consents: set[tuple[str, str]] = field(default_factory=set)

    def register_client(
        self, client_id: str, client_secret: str, redirect_uris: frozenset[str] | None = None
    ) -> OAuthClient:
        client = OAuthClient(client_id, client_secret, redirect_uris)
        self.clients[client_id] = client
        return client

    def authorize(self, params: Mapping[str, str], user: str) -> str:
        """The consent screen, answered "Allow" by `user`: returns the redirect location.

        Like Google, a refresh token is issued only for `access_type=offline`, and
        only on a client's first consent by the user unless `prompt=consent`.
        """
        client = self.clients.get(params.get("client_id", ""))
        if client is None:
            raise OAuthError(401, "invalid_client", "The OAuth client was not found.")
        redirect_uri = params.get("redirect_uri", "")
        if not redirect_uri or (
            client.redirect_uris is not None and redirect_uri not in client.redirect_uris
        ):
            raise OAuthError(400, "redirect_uri_mismatch", "Bad Request")
        problem = _authorize_problem(params)
        state = {"state": params["state"]} if "state" in params else {}
        if problem:
            return _with_query(redirect_uri, {"error": problem, **state})
        scopes = tuple(params["scope"].split())
        first_consent = (client.client_id, user) not in self.consents
        self.consents.add((client.client_id, user))
        code = AuthorizationCode(
            code="4/" + secrets.token_urlsafe(32),
            client_id=client.client_id,
            redirect_uri=redirect_uri,
            user=user,
            scopes=scopes,
            challenge=params.get("code_challenge"),
            challenge_method=params.get("code_challenge_method", "plain"),
            offline=params.get("access_type") == "offline"
            and (first_consent or "consent" in params.get("prompt", "").split()),
            expires_at=self.clock.now() + CODE_LIFETIME,
        )
        self.codes[code.code] = code
        return _with_query(redirect_uri, {"code": code.code, "scope": " ".join(scopes), **state})

    def token(self, form: Mapping[str, str], basic: tuple[str, str] | None) -> dict[str, Any]:
        """POST /token: client authentication, then the grant type's own checks."""
        client_id, secret = basic or (form.get("client_id", ""), form.get("client_secret", ""))
        client = self.clients.get(client_id)
        if client is None:
            raise OAuthError(401, "invalid_client", "The OAuth client was not found.")
        if secret != client.client_secret:
            raise OAuthError(401, "invalid_client", "Unauthorized")
        grant_type = form.get("grant_type", "")
        if grant_type == "authorization_code":
            return self._exchange_code(client, form)
        if grant_type == "refresh_token":
            return self._refresh(client, form.get("refresh_token", ""))
        raise OAuthError(400, "unsupported_grant_type", f"Invalid grant_type: {grant_type}")

    def revoke(self, token: str) -> None:
        """POST /revoke and the test hook: an access or refresh token ends its whole grant."""
        grant = self.grants.get(token)
        access = self.access_tokens.get(token)
        if grant is None and access is not None:
            grant = access.grant
        if grant is None and access is None:
            raise OAuthError(400, "invalid_token", "Token expired or revoked")
        if grant is not None:
            grant.revoked = True
        if access is not None:
            del self.access_tokens[token]

    def authenticate(self, token: str) -> AccessToken | None:
        """The access token behind a Bearer header, if it is known, unexpired and unrevoked."""
        access = self.access_tokens.get(token)
        if access is None or access.expires_at <= self.clock.now():
            return None
        if access.grant is not None and access.grant.revoked:
            return None
        return access

    def issue(self, user: str, scopes: tuple[str, ...], client_id: str) -> dict[str, Any]:
        """Tokens for `user` without the browser dance, for tests that do not exercise OAuth."""
        grant = Grant("1//" + secrets.token_urlsafe(40), client_id, user, scopes)
        self.grants[grant.refresh_token] = grant
        return {**self._access_reply(grant), "refresh_token": grant.refresh_token}

    def _exchange_code(self, client: OAuthClient, form: Mapping[str, str]) -> dict[str, Any]:
        code = self.codes.get(form.get("code", ""))
        if code is None or code.client_id != client.client_id:
            raise OAuthError(400, "invalid_grant", "Malformed auth code.")
        if code.used or code.expires_at <= self.clock.now():
            raise OAuthError(400, "invalid_grant", "Bad Request")
        if form.get("redirect_uri") != code.redirect_uri:
            raise OAuthError(400, "redirect_uri_mismatch", "Bad Request")
        if code.challenge is not None:
            verifier = form.get("code_verifier")
            if not verifier:
                raise OAuthError(400, "invalid_grant", "Missing code verifier.")
            if _pkce_challenge(verifier, code.challenge_method) != code.challenge:
                raise OAuthError(400, "invalid_grant", "Invalid code verifier.")
        code.used = True
        grant = Grant("1//" + secrets.token_urlsafe(40), client.client_id, code.user, code.scopes)
        if not code.offline:
            return self._access_reply(grant)
        self.grants[grant.refresh_token] = grant
        return {**self._access_reply(grant), "refresh_token": grant.refresh_token}

    def _refresh(self, client: OAuthClient, refresh_token: str) -> dict[str, Any]:
        grant = self.grants.get(refresh_token)
        if grant is None or grant.revoked or grant.client_id != client.client_id:
            raise OAuthError(400, "invalid_grant", REVOKED)
        return self._access_reply(grant)

    def _access_reply(self, grant: Grant) -> dict[str, Any]:
        access = AccessToken(
            token="ya29." + secrets.token_urlsafe(40),
            user=grant.user,
            scopes=grant.scopes,
            expires_at=self.clock.now() + timedelta(seconds=self.access_token_lifetime),
            grant=grant,
        )
        self.access_tokens[access.token] = access
        return {
            "access_token": access.token,
            "expires_in": self.access_token_lifetime,
            "scope": " ".join(grant.scopes),
            "token_type": "Bearer",
        }


def _authorize_problem(params: Mapping[str, str]) -> str | None:
    """The `error` Google redirects back with for a malformed authorization request."""
    if params.get("response_type") != "code":
        return "unsupported_response_type"
    if not params.get("scope", "").split():
        return "invalid_request"
    if params.get("code_challenge_method", "plain") not in ("S256", "plain"):
        return "invalid_request"
    return None


def _pkce_challenge(verifier: str, method: str) -> str:
    if method == "plain":
        return verifier
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _with_query(uri: str, params: Mapping[str, str]) -> str:
    return uri + ("&" if "?" in uri else "?") + urlencode(params)
