"""The push door: ``POST /webhooks/google``, where Google says a watched calendar changed.

A notification carries no content, only X-Goog-* headers naming the
channel, so all it can do is make the account due; the worker's next
incremental sync finds the change. It is believed only if the channel is
one an account holds, its token matches the stored digest (compared in
constant time) and its resource id is the watched one. `exists` (and
`not_exists`) make an active account due, unless a failed run put it in
back-off: like a CRM change, a notification does not cut that short, so
a busy calendar cannot hammer an API that asked to slow down. `sync`, the
greeting of a new channel, needs nothing; nor does a state Google may add.

Google's push guide: 200, 201, 202, 204 and 102 are success; 500, 502,
503 and 504 are retried with exponential backoff; every other status is
a message failure, not retried. So anything not believed is answered 404
and nothing else happens (no retries of a forgery or of a channel already
replaced), while an unexpected error, the database being down, is a 500
that Google retries. A `sync` message may arrive before the channel is
stored (Google warns it can overtake the watch reply); it gets the same
404, which costs nothing.

The request stays cheap: no body is read, and the database is only read
for notifications that carry a channel id and a token, and written only
to make an account due, in the threadpool.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bridge.accounts import AccountState, CalendarAccount
from bridge.security import same_secret, token_digest
from bridge.store.db import writing
from bridge.store.sync_accounts import AccountError, account_by_channel, request_sync

log = logging.getLogger(__name__)

GOOGLE_PATH = "/webhooks/google"
CHANGED_STATES = frozenset({"exists", "not_exists"})


@dataclass(frozen=True)
class Notification:
    """The X-Goog-* headers of one push message ("" for a missing one)."""

    channel_id: str
    token: str
    resource_id: str
    state: str
    message_number: str

    @classmethod
    def from_headers(cls, headers: Headers) -> Notification:
        return cls(
            channel_id=headers.get("x-goog-channel-id", ""),
            token=headers.get("x-goog-channel-token", ""),
            resource_id=headers.get("x-goog-resource-id", ""),
            state=headers.get("x-goog-resource-state", ""),
            message_number=headers.get("x-goog-message-number", ""),
        )


def webhook_routes(engine: sa.Engine) -> list[Route]:
    """The push notification routes, on `engine`'s accounts."""

    async def google(request: Request) -> Response:
        notification = Notification.from_headers(request.headers)
        believed = await run_in_threadpool(_receive, engine, notification)
        return Response(status_code=200 if believed else 404)

    return [Route(GOOGLE_PATH, google, methods=["POST"])]


def _receive(engine: sa.Engine, notification: Notification) -> bool:
    """Act on a notification; False when it is not believed (nothing was done)."""
    if not notification.channel_id or not notification.token:
        return False
    with engine.connect() as conn:
        account = account_by_channel(conn, notification.channel_id)
    if account is None or not _authentic(account, notification):
        log.debug("push message for channel %s not believed", notification.channel_id)
        return False
    log.debug(
        "push message %s (%s) for account %s",
        notification.message_number,
        notification.state,
        account.id,
    )
    if notification.state in CHANGED_STATES and _may_wake(account):
        try:
            with writing(engine) as conn:
                request_sync(conn, account.id, dt.datetime.now(dt.UTC))
        except AccountError:  # disconnected since the lookup: its channel is unknown now
            return False
    return True


def _authentic(account: CalendarAccount, notification: Notification) -> bool:
    channel = account.channel
    return (
        channel is not None
        and same_secret(token_digest(notification.token), channel.token_hash)
        and notification.resource_id == channel.resource_id
    )


def _may_wake(account: CalendarAccount) -> bool:
    """Only active accounts run, and a failed run's back-off is left alone (see the module)."""
    return account.state is AccountState.ACTIVE and account.last_error is None
