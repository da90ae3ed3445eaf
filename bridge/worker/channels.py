"""Keeping each synced account's push channel open, so a change in its calendar wakes its sync.

After every successful run of an active account whose provider
`SupportsPush`, `ChannelKeeper` checks that the account holds a channel on
its current calendar, posting to the current address, that does not expire
within `renew_before`. If not, it opens a new channel, stores it, and only
then stops the old one: Google cannot renew a channel, only replace it, and
the two overlapping for a moment is harmless. Only a SHA-256 digest of the
channel token is stored, as for feed tokens.

Which calendar and address a channel was opened for is written into its
id (a random part, then a short digest of both; Google allows 64
characters), so a new calendar setting or public URL is noticed without a
column of its own.

Push is an optimisation: the interval syncs every account anyway. So the
provider's errors here are logged, never raised, and never fail the run;
an account whose watch failed is tried again after its next run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid

import sqlalchemy as sa

from bridge.accounts import AccountState, CalendarAccount, PushChannel
from bridge.connections import stop_channel
from bridge.providers import CalendarProvider, ProviderError, SupportsPush
from bridge.providers.spec import webhook_path
from bridge.security import new_token, token_digest
from bridge.store.db import writing
from bridge.store.sync_accounts import get_account, save_channel
from bridge.store.sync_runs import RunOutcome
from bridge.sync.run import Clock, RunResult, utc_now

log = logging.getLogger(__name__)


class ChannelKeeper:
    """The worker's `after_run` hook that opens and renews push channels.

    `public_url` is CalBridge's public address; each provider is asked to
    post to its webhook under it (`webhook_path`). None turns push off, as
    when no public URL is configured, since a provider can only call an
    HTTPS address it reaches. `ttl` is the lifetime asked
    for (Google may grant less).
    """

    def __init__(
        self,
        engine: sa.Engine,
        public_url: str | None,
        ttl: dt.timedelta = dt.timedelta(days=7),
        renew_before: dt.timedelta = dt.timedelta(days=1),
        now: Clock = utc_now,
    ) -> None:
        if renew_before >= ttl:
            raise ValueError("renew_before must be shorter than ttl, or every run renews")
        self.engine = engine
        self.public_url = None if public_url is None else public_url.rstrip("/")
        self.ttl = ttl
        self.renew_before = renew_before
        self.now = now

    def __call__(
        self, account: CalendarAccount, provider: CalendarProvider, result: RunResult
    ) -> None:
        if self.public_url is None or result.outcome is not RunOutcome.OK:
            return
        address = self.public_url + webhook_path(account.provider)
        if not isinstance(provider, SupportsPush):
            return
        with self.engine.connect() as conn:
            current = get_account(conn, account.id)  # `account` is from before the run
        if current is None or current.state is not AccountState.ACTIVE:
            return
        calendar_id = current.settings.calendar_id
        old = current.channel
        if old is not None and self._keeps(old, calendar_id, address):
            return
        new = self._open(provider, current.id, calendar_id, address)
        if new is None:
            return
        with writing(self.engine) as conn:
            save_channel(conn, current.id, new, self.now())
        if old is not None:
            stop_channel(provider, current.id, old)

    def _keeps(self, channel: PushChannel, calendar_id: str, address: str) -> bool:
        """The channel watches this calendar for this address and lives on long enough."""
        return (
            channel.id.endswith(_purpose(calendar_id, address))
            and channel.expires_at - self.now() > self.renew_before
        )

    def _open(
        self, provider: SupportsPush, account_id: int, calendar_id: str, address: str
    ) -> PushChannel | None:
        channel_id = f"{uuid.uuid4().hex}{_purpose(calendar_id, address)}"
        token = new_token()
        try:
            watched = provider.watch(calendar_id, address, channel_id, token, self.ttl)
        except ProviderError as error:
            log.warning(
                "account %s: no push channel (%s: %s)", account_id, type(error).__name__, error
            )
            return None
        log.info("account %s: push channel %s open", account_id, watched.channel_id)
        return PushChannel(
            id=watched.channel_id,
            token_hash=token_digest(token),
            resource_id=watched.resource_id,
            expires_at=watched.expires_at,
        )


def _purpose(calendar_id: str, address: str) -> str:
    """The end of a channel id: which calendar it watches and where it posts, digested."""
    digest = hashlib.sha256(f"{calendar_id}\n{address}".encode()).hexdigest()[:16]
    return f"-{digest}"
