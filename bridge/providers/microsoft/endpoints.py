"""Where Microsoft lives, and CalBridge as a Microsoft identity platform client.

Only these URLs differ between production and the tests, which point them
at the Graph emulator (`tests/emulators/microsoft/`).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from bridge.providers.oauth import OAuthApp

SCOPES = (
    "offline_access",  # a refresh token
    "Calendars.ReadWrite",  # the calendars and their events, nothing else of the mailbox
    "User.Read",  # the signed-in user's address, to name the account
)


@dataclass(frozen=True)
class MicrosoftEndpoints:
    """The sign-in server (`login_base` + tenant) and the Graph host (`graph_base`)."""

    login_base: str = "https://login.microsoftonline.com"
    tenant: str = "common"
    graph_base: str = "https://graph.microsoft.com"

    @property
    def graph_api(self) -> str:
        """The Graph v1.0 root every call's path starts from."""
        return self.graph_base.rstrip("/") + "/v1.0"

    @property
    def graph_origin(self) -> tuple[str, str]:
        """Scheme and host of Graph: links (nextLink, deltaLink) elsewhere are not followed."""
        parts = urlsplit(self.graph_base)
        return parts.scheme.lower(), parts.netloc.lower()

    @property
    def authorize_url(self) -> str:
        return f"{self.login_base.rstrip('/')}/{self.tenant}/oauth2/v2.0/authorize"

    @property
    def token_url(self) -> str:
        return f"{self.login_base.rstrip('/')}/{self.tenant}/oauth2/v2.0/token"

    def oauth_app(self, client_id: str, client_secret: str) -> OAuthApp:
        """CalBridge's app registration at these endpoints."""
        return OAuthApp(
            label="Microsoft",
            client_id=client_id,
            client_secret=client_secret,
            authorize_url=self.authorize_url,
            token_url=self.token_url,
            scopes=SCOPES,
        )


MICROSOFT = MicrosoftEndpoints()
"""Microsoft's real endpoints."""
