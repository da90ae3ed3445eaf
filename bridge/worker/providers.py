"""From a stored account to a live provider: open its secret, point it at its API.

Production and tests differ only in the URLs kept in `ProviderConfig`; the
Google provider's renewed tokens are encrypted and stored back at once, so
a refresh token Google rotates is never lost.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from bridge.accounts import CalendarAccount
from bridge.config import Settings
from bridge.domain import ProviderKind
from bridge.providers import CalendarProvider, GrantRevoked
from bridge.providers.caldav.provider import CalDavCalendarProvider
from bridge.providers.caldav.reach import Network
from bridge.providers.google.endpoints import GoogleEndpoints
from bridge.providers.google.provider import GoogleCalendarProvider
from bridge.providers.oauth import OAuthTokens
from bridge.secrets import SecretBox, SecretError
from bridge.store.db import writing
from bridge.store.sync_accounts import replace_secret

SUPPORTED = frozenset({ProviderKind.GOOGLE, ProviderKind.CALDAV})


class UnsupportedProvider(ValueError):
    """An account kind this version cannot sync yet."""


@dataclass(frozen=True)
class ProviderConfig:
    """Where each provider's API lives and the OAuth client CalBridge is registered as."""

    google_client_id: str
    google_client_secret: str
    google_endpoints: GoogleEndpoints
    caldav_allowed_networks: tuple[Network, ...] = ()
    """Networks CalDAV accounts may reach besides public addresses (`reach`)."""

    @classmethod
    def from_settings(cls, settings: Settings) -> ProviderConfig:
        return cls(
            google_client_id=settings.google_client_id,
            google_client_secret=settings.google_client_secret,
            google_endpoints=GoogleEndpoints(
                api_base=settings.google_api_base,
                authorize_url=settings.google_authorize_url,
                token_url=settings.google_token_url,
            ),
            caldav_allowed_networks=tuple(settings.caldav_allowed_networks),
        )


def tokens_secret(tokens: OAuthTokens) -> str:
    """The plaintext a Google account's secret holds (encrypted before it is stored)."""
    return json.dumps(
        {
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "expires_at": tokens.expires_at.isoformat(),
        }
    )


def _tokens(secret: str) -> OAuthTokens:
    data = json.loads(secret)
    return OAuthTokens(
        data["access_token"], data["refresh_token"], dt.datetime.fromisoformat(data["expires_at"])
    )


def open_provider(
    account: CalendarAccount,
    box: SecretBox,
    config: ProviderConfig,
    store_secret: Callable[[str], None],
) -> CalendarProvider:
    """The provider for `account`; `store_secret` receives renewed, encrypted credentials.

    A secret no configured key opens counts as a revoked grant: the user
    must connect again, which is what they would be told either way.
    """
    try:
        secret = box.decrypt(account.encrypted_secret)
    except SecretError as error:
        raise GrantRevoked(str(error)) from None
    match account.provider:
        case ProviderKind.GOOGLE:
            return GoogleCalendarProvider(
                client_id=config.google_client_id,
                client_secret=config.google_client_secret,
                tokens=_tokens(secret),
                on_tokens=lambda tokens: store_secret(box.encrypt(tokens_secret(tokens))),
                endpoints=config.google_endpoints,
            )
        case ProviderKind.CALDAV:
            return CalDavCalendarProvider(
                account.server_url,
                account.account_email,
                secret,
                allowed_networks=config.caldav_allowed_networks,
            )
    raise UnsupportedProvider(f"{account.provider.value} accounts cannot be synced yet")


def secret_saver(
    engine: sa.Engine, account_id: int, clock: Callable[[], dt.datetime]
) -> Callable[[str], None]:
    """Stores an account's renewed, encrypted credentials in their own transaction."""

    def save(encrypted: str) -> None:
        with writing(engine) as conn:
            replace_secret(conn, account_id, encrypted, clock())

    return save
