"""From a stored Microsoft account to a live provider: tokens out of the secret and back in."""

from __future__ import annotations

from bridge.providers.microsoft.endpoints import MicrosoftEndpoints
from bridge.providers.microsoft.provider import MicrosoftCalendarProvider
from bridge.providers.microsoft.settings import MicrosoftSettings
from bridge.providers.oauth import tokens_from_secret, tokens_secret
from bridge.providers.spec import SecretSaver, StoredAccount


def endpoints(section: MicrosoftSettings) -> MicrosoftEndpoints:
    return MicrosoftEndpoints(
        login_base=section.login_base, tenant=section.tenant, graph_base=section.graph_base
    )


def open_microsoft(
    section: MicrosoftSettings, account: StoredAccount, save: SecretSaver
) -> MicrosoftCalendarProvider:
    """The provider; every renewed (rotated) token pair is handed to `save` at once."""
    return MicrosoftCalendarProvider(
        client_id=section.client_id,
        client_secret=section.client_secret,
        tokens=tokens_from_secret(account.secret),
        on_tokens=lambda tokens: save(tokens_secret(tokens)),
        endpoints=endpoints(section),
    )
