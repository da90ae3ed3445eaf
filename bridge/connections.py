"""Live providers for stored accounts: opened with their secret, renewed secrets kept, channels
closed. Both the worker and the account service use them.

Opening decrypts the account's secret and hands it to its provider package
(`bridge.providers.registry`). Production and tests differ only in the
URLs kept in each provider's settings section. Credentials a provider
renews (Google rotates refresh tokens) are encrypted and stored back at
once, so they are never lost.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

import sqlalchemy as sa

from bridge.accounts import CalendarAccount, PushChannel
from bridge.config import Settings
from bridge.providers import CalendarProvider, GrantRevoked, ProviderError, SupportsPush
from bridge.providers.registry import provider_spec
from bridge.providers.spec import StoredAccount
from bridge.secrets import SecretBox, SecretError
from bridge.store.db import writing
from bridge.store.sync_accounts import get_account, replace_secret, save_channel

log = logging.getLogger(__name__)
Clock = Callable[[], dt.datetime]


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


def close_channel(
    engine: sa.Engine,
    account: CalendarAccount,
    provider: CalendarProvider,
    *,
    now: Clock = lambda: dt.datetime.now(dt.UTC),
) -> None:
    """Stop the account's push channel and forget it ("Stop sync", disconnecting).

    The stored channel is the one stopped (a run may have renewed it since
    `account` was read). It is forgotten even when stopping fails, e.g.
    with a revoked grant: its notifications are then refused as unknown
    until it expires.
    """
    with engine.connect() as conn:
        current = get_account(conn, account.id)
    if current is None or current.channel is None:
        return
    if isinstance(provider, SupportsPush):
        stop_channel(provider, current.id, current.channel)
    with writing(engine) as conn:
        save_channel(conn, current.id, None, now())


def stop_channel(provider: SupportsPush, account_id: int, channel: PushChannel) -> None:
    """Best effort: a channel left open only notifies an id nobody holds, until it expires."""
    try:
        provider.stop_watch(channel.id, channel.resource_id)
    except ProviderError as error:
        log.warning(
            "account %s: push channel %s not stopped (%s: %s)",
            account_id,
            channel.id,
            type(error).__name__,
            error,
        )
