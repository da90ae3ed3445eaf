"""From a stored account to a live provider: open its secret, hand it to its provider package.

Production and tests differ only in the URLs kept in each provider's
settings section. Credentials a provider renews (Google rotates refresh
tokens) are encrypted and stored back at once, so they are never lost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import sqlalchemy as sa

from bridge.accounts import CalendarAccount
from bridge.config import Settings
from bridge.providers import CalendarProvider, GrantRevoked
from bridge.providers.registry import provider_spec
from bridge.providers.spec import StoredAccount
from bridge.secrets import SecretBox, SecretError
from bridge.store.db import writing
from bridge.store.sync_accounts import replace_secret


def open_provider(
    account: CalendarAccount,
    box: SecretBox,
    settings: Settings,
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
    spec = provider_spec(account.provider)
    stored = StoredAccount(account.account_email, account.server_url, secret)
    return spec.open(
        settings.section(spec.kind), stored, lambda renewed: store_secret(box.encrypt(renewed))
    )


def secret_saver(
    engine: sa.Engine, account_id: int, clock: Callable[[], dt.datetime]
) -> Callable[[str], None]:
    """Stores an account's renewed, encrypted credentials in their own transaction."""

    def save(encrypted: str) -> None:
        with writing(engine) as conn:
            replace_secret(conn, account_id, encrypted, clock())

    return save
