"""OAuth 2.0 for every provider that connects by consent: code + PKCE, refresh, rotation.

The web app or the command line sends the user to `authorization_url`,
keeps the code verifier with the `state` it chose, and on the callback
trades the code for tokens with `exchange_code`. `OAuthSession` then sends
the provider's API calls with a bearer token it keeps fresh; every renewal
reaches `on_tokens` at once, so a refresh token the server rotates is
stored before anything else can need it. Which server, which client and
which scopes is the provider's `OAuthApp`: only those differ between
Google, Microsoft and the emulators the tests run. Nothing here logs a
token.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from authlib.common.security import generate_token

# Imported first: importing it installs authlib's own "always show" filter,
# which the filter below must come after to win. authlib 1.9 announces that
# its httpx integration will move to another package; the client itself is
# supported, and the notice only confused `calbridge serve`'s output.
from authlib.deprecate import AuthlibDeprecationWarning
from authlib.integrations.base_client import OAuthError

from bridge.providers import GrantRevoked, TemporaryFailure

with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", message="The httpx module is deprecated", category=AuthlibDeprecationWarning
    )
    from authlib.integrations.httpx_client import OAuth2Client

VERIFIER_LENGTH = 64  # RFC 7636 allows 43 to 128 characters


@dataclass(frozen=True)
class OAuthApp:
    """CalBridge as registered with one provider's authorization server.

    `label` names the provider in messages ("Google refused the grant").
    `authorize_params` are what the provider needs on the consent page to
    issue a refresh token every time (Google: `access_type=offline`,
    `prompt=consent`).
    """

    label: str
    client_id: str
    client_secret: str
    authorize_url: str
    token_url: str
    scopes: tuple[str, ...]
    authorize_params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class OAuthTokens:
    """What the server granted: a short-lived access token and the refresh token that renews it.

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


def tokens_secret(tokens: OAuthTokens) -> str:
    """The plaintext an OAuth account's stored secret holds (encrypted before it is stored)."""
    return json.dumps(
        {
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "expires_at": tokens.expires_at.isoformat(),
        }
    )


def tokens_from_secret(secret: str) -> OAuthTokens:
    data = json.loads(secret)
    return OAuthTokens(
        data["access_token"], data["refresh_token"], dt.datetime.fromisoformat(data["expires_at"])
    )


def new_code_verifier() -> str:
    """A fresh PKCE code verifier (RFC 7636)."""
    return generate_token(VERIFIER_LENGTH)


def authorization_url(
    app: OAuthApp, redirect_uri: str, state: str, verifier: str | None = None
) -> tuple[str, str]:
    """The consent page URL for the user, and the PKCE code verifier to keep for the callback.

    A caller that must seal the verifier into `state` makes it first with
    `new_code_verifier` and passes it in.
    """
    verifier = verifier or new_code_verifier()
    with _client(app, redirect_uri, with_secret=False) as client:
        url, _ = client.create_authorization_url(
            app.authorize_url, state=state, code_verifier=verifier, **app.authorize_params
        )
    return url, verifier


def exchange_code(app: OAuthApp, code: str, code_verifier: str, redirect_uri: str) -> OAuthTokens:
    """Trade the callback's `code` for tokens; `GrantRevoked` if the server refuses the code.

    A refused code (expired, used, or a verifier that does not match) means
    the user has to go through the consent page again, as after a revocation.
    """
    with _client(app, redirect_uri) as client, contract_errors(app.label, "code exchange"):
        token = client.fetch_token(app.token_url, code=code, code_verifier=code_verifier)
    if not token.get("refresh_token"):
        raise GrantRevoked(f"{app.label} issued no refresh token; ask for consent again")
    return OAuthTokens.from_authlib(token)


class OAuthSession:
    """One account's authorised connection: a bearer token on every request, kept fresh.

    authlib's httpx `OAuth2Client` renews the access token shortly before
    the announced expiry; `refresh()` renews it on demand, for the 401 a
    token revoked or expired early gets.
    """

    def __init__(
        self,
        app: OAuthApp,
        tokens: OAuthTokens,
        on_tokens: Callable[[OAuthTokens], None],
        timeout: float,
    ) -> None:
        self._app = app
        self._on_tokens = on_tokens
        self.requests = 0
        """API requests sent (a batch counts once; token renewals do not count)."""
        self._client = OAuth2Client(
            client_id=app.client_id,
            client_secret=app.client_secret,
            token=tokens.as_authlib(),
            token_endpoint=app.token_url,
            update_token=self._renewed,
            timeout=timeout,
        )

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send one request (renewing an expiring token first); failures in contract terms."""
        self.requests += 1
        with contract_errors(self._app.label, f"{method} {httpx.URL(url).path}"):
            return self._client.request(method, url, **kwargs)

    def renewing(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """`request`, sent once more after a 401 with a renewed token: a token revoked
        or expired before its announced end is renewed once; a second 401 stands."""
        response = self.request(method, url, **kwargs)
        if response.status_code == 401:
            self.refresh()
            response = self.request(method, url, **kwargs)
        return response

    def refresh(self) -> None:
        """Renew the access token now; `GrantRevoked` when the server refuses the refresh token."""
        with contract_errors(self._app.label, "token refresh"):
            self._client.refresh_token(self._app.token_url)

    def close(self) -> None:
        self._client.close()

    def _renewed(self, token: Mapping[str, Any], **_: object) -> None:
        self._on_tokens(OAuthTokens.from_authlib(token))


@contextlib.contextmanager
def contract_errors(label: str, what: str) -> Iterator[None]:
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
        raise GrantRevoked(f"{label} refused the grant ({error.error}): reconnect") from error
    except httpx.HTTPStatusError as error:
        status = error.response.status_code
        raise TemporaryFailure(f"{what}: {label} answered {status}") from error
    except httpx.TransportError as error:
        raise TemporaryFailure(f"{what}: {type(error).__name__}") from error


def _client(app: OAuthApp, redirect_uri: str, *, with_secret: bool = True) -> OAuth2Client:
    return OAuth2Client(
        client_id=app.client_id,
        client_secret=(app.client_secret if with_secret else "") or None,
        scope=" ".join(app.scopes),
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
    )
