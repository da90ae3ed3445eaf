"""The Microsoft identity platform's v2.0 authorization-code flow with PKCE and refresh.

`/{tenant}/oauth2/v2.0/authorize` signs in the emulator's current user and
redirects with a code; `/{tenant}/oauth2/v2.0/token` redeems codes (checking
the PKCE verifier) and refresh tokens. Every refresh returns a new refresh
token; earlier ones are not revoked by redemption (as documented, they stay
valid until they expire or the grant is revoked), while a revoked grant
answers `invalid_grant`. Access tokens are opaque to clients.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from tests.emulators.clock import Clock

CODE_LIFETIME = timedelta(minutes=10)
GRAPH = "https://graph.microsoft.com/"
OIDC_SCOPES = frozenset({"openid", "profile", "email", "offline_access"})
TENANTS = re.compile(
    r"^(common|organizations|consumers|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
    r"[0-9a-f]{12}|[a-z0-9-]+(\.[a-z0-9-]+)+)$",
    re.I,
)


class OAuthError(Exception):
    """`{"error", "error_description", "error_codes", ...}` as Entra ID sends it."""

    def __init__(self, status: int, error: str, aadsts: int, description: str) -> None:
        super().__init__(f"{status} {error}: {description}")
        self.status = status
        self.error = error
        self.aadsts = aadsts
        self.description = description

    def body(self, now: datetime) -> dict[str, Any]:
        trace = str(uuid.uuid4())
        return {
            "error": self.error,
            "error_description": f"AADSTS{self.aadsts}: {self.description} Trace ID: {trace}",
            "error_codes": [self.aadsts],
            "timestamp": now.strftime("%Y-%m-%d %H:%M:%SZ"),
            "trace_id": trace,
            "correlation_id": str(uuid.uuid4()),
        }


@dataclass
class Client:
    client_id: str
    client_secret: str | None
    redirect_uris: frozenset[str] | None = None


@dataclass
class Code:
    client_id: str
    redirect_uri: str
    user: str
    scopes: tuple[str, ...]
    challenge: str | None
    challenge_method: str
    expires_at: datetime
    used: bool = False


@dataclass
class Grant:
    """One consent of one user for one client; every refresh token of it dies with it."""

    client_id: str
    user: str
    scopes: tuple[str, ...]
    revoked: bool = False


@dataclass
class AccessToken:
    user: str
    scopes: tuple[str, ...]
    expires_at: datetime
    grant: Grant


@dataclass
class IdentityPlatform:
    clock: Clock
    access_token_lifetime: int = 3599
    clients: dict[str, Client] = field(default_factory=dict)
    codes: dict[str, Code] = field(default_factory=dict)
    refresh_tokens: dict[str, Grant] = field(default_factory=dict)
    access_tokens: dict[str, AccessToken] = field(default_factory=dict)
    deny_consent: bool = False

    def authorize(self, tenant: str, params: Mapping[str, str], user: str) -> str:
        """The sign-in and consent pages, answered by `user`: the redirect location."""
        if not TENANTS.match(tenant):
            raise OAuthError(400, "invalid_request", 90002, f"Tenant '{tenant}' not found.")
        client = self.clients.get(params.get("client_id", ""))
        if client is None:
            raise OAuthError(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier '{params.get('client_id', '')}' was not found "
                "in the directory.",
            )
        redirect_uri = params.get("redirect_uri", "")
        if not redirect_uri or (
            client.redirect_uris is not None and redirect_uri not in client.redirect_uris
        ):
            raise OAuthError(
                400,
                "invalid_request",
                50011,
                f"The redirect URI '{redirect_uri}' specified in the request does not match the "
                "redirect URIs configured for the application.",
            )
        state = {"state": params["state"]} if "state" in params else {}
        problem = _authorize_problem(params)
        if problem is not None:
            return _with_query(
                redirect_uri, {"error": "invalid_request", "error_description": problem, **state}
            )
        if params.get("response_type") != "code":
            return _with_query(
                redirect_uri,
                {
                    "error": "unsupported_response_type",
                    "error_description": "AADSTS700054: response_type is not enabled.",
                    **state,
                },
            )
        if self.deny_consent:
            return _with_query(
                redirect_uri,
                {
                    "error": "access_denied",
                    "error_description": "AADSTS65004: User declined to consent to access the app.",
                    **state,
                },
            )
        code = "M." + secrets.token_urlsafe(48)
        self.codes[code] = Code(
            client_id=client.client_id,
            redirect_uri=redirect_uri,
            user=user,
            scopes=tuple(params["scope"].split()),
            challenge=params.get("code_challenge"),
            challenge_method=params.get("code_challenge_method", "plain"),
            expires_at=self.clock.now() + CODE_LIFETIME,
        )
        return _with_query(redirect_uri, {"code": code, **state})

    def token(
        self, tenant: str, form: Mapping[str, str], basic: tuple[str, str] | None
    ) -> dict[str, Any]:
        if not TENANTS.match(tenant):
            raise OAuthError(400, "invalid_request", 90002, f"Tenant '{tenant}' not found.")
        client_id, secret = basic or (form.get("client_id", ""), form.get("client_secret"))
        client = self.clients.get(client_id)
        if client is None:
            raise OAuthError(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier '{client_id}' was not found in the directory.",
            )
        if client.client_secret is not None and secret != client.client_secret:
            if not secret:
                raise OAuthError(
                    401,
                    "invalid_client",
                    7000218,
                    "The request body must contain the following parameter: 'client_assertion' "
                    "or 'client_secret'.",
                )
            raise OAuthError(401, "invalid_client", 7000215, "Invalid client secret provided.")
        grant_type = form.get("grant_type", "")
        if grant_type == "authorization_code":
            return self._redeem_code(client, form)
        if grant_type == "refresh_token":
            return self._refresh(client, form)
        if not grant_type:
            raise OAuthError(
                400,
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'grant_type'.",
            )
        raise OAuthError(
            400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type."
        )

    def issue(self, user: str, scopes: tuple[str, ...], client_id: str) -> dict[str, Any]:
        """A token response without the browser round trip."""
        return self._reply(Grant(client_id, user, scopes))

    def revoke(self, token: str) -> None:
        """The user withdraws consent (or an admin revokes sessions): refresh fails."""
        grant = self.refresh_tokens.get(token)
        if grant is None and token in self.access_tokens:
            grant = self.access_tokens[token].grant
        if grant is None:
            raise KeyError(token)
        grant.revoked = True

    def authenticate(self, token: str) -> AccessToken | None:
        access = self.access_tokens.get(token)
        if access is None or access.expires_at <= self.clock.now():
            return None
        return access

    def _redeem_code(self, client: Client, form: Mapping[str, str]) -> dict[str, Any]:
        if not form.get("code"):
            raise OAuthError(
                400,
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'code'.",
            )
        code = self.codes.get(form["code"])
        if code is None or code.client_id != client.client_id:
            raise OAuthError(
                400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid."
            )
        if code.used or code.expires_at <= self.clock.now():
            raise OAuthError(
                400,
                "invalid_grant",
                70008,
                "The provided authorization code or refresh token has expired due to inactivity. "
                "Send a new interactive authorization request for this user and resource.",
            )
        if form.get("redirect_uri") != code.redirect_uri:
            raise OAuthError(
                400,
                "invalid_grant",
                50148,
                "The redirect_uri doesn't match the one used in the authorization request.",
            )
        if code.challenge is not None:
            verifier = form.get("code_verifier", "")
            if not verifier:
                raise OAuthError(400, "invalid_grant", 501491, "Must provide code_verifier.")
            if _pkce(verifier, code.challenge_method) != code.challenge:
                raise OAuthError(
                    400,
                    "invalid_grant",
                    501481,
                    "The Code_Verifier does not match the code_challenge supplied in the "
                    "authorization request.",
                )
        code.used = True
        return self._reply(Grant(client.client_id, code.user, code.scopes))

    def _refresh(self, client: Client, form: Mapping[str, str]) -> dict[str, Any]:
        grant = self.refresh_tokens.get(form.get("refresh_token", ""))
        if grant is None or grant.client_id != client.client_id:
            raise OAuthError(
                400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid."
            )
        if grant.revoked:
            raise OAuthError(
                400,
                "invalid_grant",
                50173,
                "The provided grant has expired due to it being revoked, a fresh auth token is "
                "needed. The user might have changed or reset their password.",
            )
        requested = tuple(form.get("scope", "").split())
        if requested and not set(_granted(requested)) <= set(_granted(grant.scopes)):
            raise OAuthError(
                400,
                "invalid_grant",
                65001,
                "The user or administrator has not consented to use the application.",
            )
        return self._reply(grant)

    def _reply(self, grant: Grant) -> dict[str, Any]:
        token = "EwB" + secrets.token_urlsafe(64)
        self.access_tokens[token] = AccessToken(
            grant.user,
            grant.scopes,
            self.clock.now() + timedelta(seconds=self.access_token_lifetime),
            grant,
        )
        reply: dict[str, Any] = {
            "token_type": "Bearer",
            "scope": " ".join(_granted(grant.scopes)),
            "expires_in": self.access_token_lifetime,
            "ext_expires_in": self.access_token_lifetime,
            "access_token": token,
        }
        if "offline_access" in grant.scopes:
            refresh = "M.C5" + secrets.token_urlsafe(96)
            self.refresh_tokens[refresh] = grant
            reply["refresh_token"] = refresh
        return reply


def _granted(scopes: tuple[str, ...]) -> list[str]:
    """Resource scopes as the token response lists them: Graph URIs, no OIDC scopes."""
    out: list[str] = []
    for scope in scopes:
        if scope.lower() in OIDC_SCOPES:
            continue
        full = scope if "://" in scope else GRAPH + scope
        if full.lower() == GRAPH + ".default":
            full = GRAPH + "Calendars.ReadWrite"
        if full not in out:
            out.append(full)
    return out


def _authorize_problem(params: Mapping[str, str]) -> str | None:
    if not params.get("scope", "").split():
        return "AADSTS900144: The request body must contain the following parameter: 'scope'."
    if params.get("code_challenge_method", "plain") not in ("S256", "plain"):
        return "AADSTS501471: Invalid code challenge method."
    if "code_challenge_method" in params and not params.get("code_challenge"):
        return "AADSTS501482: Code challenge is required."
    return None


def _pkce(verifier: str, method: str) -> str:
    if method == "plain":
        return verifier
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _with_query(uri: str, params: Mapping[str, str]) -> str:
    return uri + ("&" if "?" in uri else "?") + urlencode(params)
