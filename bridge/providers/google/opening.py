"""From a stored Google account to a live provider: tokens out of the secret and back in."""

from __future__ import annotations

from bridge.providers.google.endpoints import GoogleEndpoints
from bridge.providers.google.provider import GoogleCalendarProvider
from bridge.providers.google.settings import GoogleSettings
from bridge.providers.oauth import tokens_from_secret, tokens_secret
from bridge.providers.spec import SecretSaver, StoredAccount


def endpoints(section: GoogleSettings) -> GoogleEndpoints:
    return GoogleEndpoints(
        api_base=section.api_base,
        authorize_url=section.authorize_url,
        token_url=section.token_url,
    )


def open_google(
    section: GoogleSettings, account: StoredAccount, save: SecretSaver
) -> GoogleCalendarProvider:
    """The provider; every renewed token pair is handed to `save` as the account's new secret."""
    return GoogleCalendarProvider(
        client_id=section.client_id,
        client_secret=section.client_secret,
        tokens=tokens_from_secret(account.secret),
        on_tokens=lambda tokens: save(tokens_secret(tokens)),
        endpoints=endpoints(section),
    )
