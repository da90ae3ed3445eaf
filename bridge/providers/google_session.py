"""One account's authorised connection to Google: a bearer token on every request, kept fresh.

authlib's httpx `OAuth2Client` renews the access token shortly before the
expiry Google announced; `refresh()` renews it on demand, for the 401 a
token revoked or expired early gets. Every renewal reaches `on_tokens`, so
the caller can store the new tokens (Google may also rotate the refresh
token) before the next run needs them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import httpx

from bridge.providers.google_authlib import OAuth2Client
from bridge.providers.google_endpoints import GoogleEndpoints
from bridge.providers.google_oauth import OAuthTokens, contract_errors


class GoogleSession:
    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        tokens: OAuthTokens,
        on_tokens: Callable[[OAuthTokens], None],
        endpoints: GoogleEndpoints,
        timeout: float,
    ) -> None:
        self._on_tokens = on_tokens
        self._token_url = endpoints.token_url
        self.requests = 0
        """Calendar API requests sent (a batch counts once; token renewals do not count)."""
        self._client = OAuth2Client(
            client_id=client_id,
            client_secret=client_secret,
            token=tokens.as_authlib(),
            token_endpoint=endpoints.token_url,
            update_token=self._renewed,
            timeout=timeout,
        )

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send one request (renewing an expiring token first); failures in contract terms."""
        self.requests += 1
        with contract_errors(f"{method} {httpx.URL(url).path}"):
            return self._client.request(method, url, **kwargs)

    def refresh(self) -> None:
        """Renew the access token now; `GrantRevoked` when Google refuses the refresh token."""
        with contract_errors("token refresh"):
            self._client.refresh_token(self._token_url)

    def close(self) -> None:
        self._client.close()

    def _renewed(self, token: Mapping[str, Any], **_: object) -> None:
        self._on_tokens(OAuthTokens.from_authlib(token))
