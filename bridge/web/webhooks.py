"""The push door: ``POST /webhooks/{provider}``, where a provider says a watched calendar changed.

Each provider with push channels reads its own messages (`PushDoor.read`;
Google's are X-Goog-* headers naming the channel). A notification carries
no content, so all it can do is make the account due; the worker's next
incremental sync finds the change. It is believed only if the channel is
one an account of that provider holds, its token matches the stored digest
(compared in constant time) and its resource id is the watched one. A
change (Google: `exists`, `not_exists`) makes an active account due, unless
a failed run put it in back-off: like a CRM change, a notification does not
cut that short, so a busy calendar cannot hammer an API that asked to slow
down. A greeting of a new channel (Google: `sync`) needs nothing; nor does
a state the provider may add.

Google's push guide: 200, 201, 202, 204 and 102 are success; 500, 502,
503 and 504 are retried with exponential backoff; every other status is
a message failure, not retried. So anything not believed is answered 404
and nothing else happens (no retries of a forgery or of a channel already
replaced), while an unexpected error, the database being down, is a 500
that Google retries. A `sync` message may arrive before the channel is
stored (Google warns it can overtake the watch reply); it gets the same
404, which costs nothing.

Graph instead validates an address before using it (a `validationToken`
to echo as text/plain), posts its notifications as JSON (answered 202)
and says when it drops a subscription: the channel is then forgotten, so
the next run opens a new one.

The request stays cheap: a body is read only up to `MAX_BODY`, the
database is only read for notifications that carry a channel id and a
token, and written only to make an account due or forget a channel, in
the threadpool.
"""

from __future__ import annotations

import datetime as dt
import logging

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bridge.accounts import AccountState, CalendarAccount
from bridge.providers.registry import UnknownProvider, provider_spec
from bridge.providers.spec import WEBHOOK_PATH, Notification, ProviderSpec, ValidationReply
from bridge.security import same_secret, token_digest
from bridge.store.db import writing
from bridge.store.sync_accounts import (
    AccountError,
    account_by_channel,
    request_sync,
    save_channel,
)

log = logging.getLogger(__name__)

MAX_BODY = 256 * 1024
"""Graph sends at most a few kilobytes per notification collection; Google sends none."""


def webhook_routes(engine: sa.Engine) -> list[Route]:
    """The push notification route, on `engine`'s accounts."""

    async def receive(request: Request) -> Response:
        spec = _pushing(request.path_params["provider"])
        if spec is None or spec.push is None:
            return Response(status_code=404)
        body = await _bounded_body(request)
        if body is None:
            return Response(status_code=413)
        reading = spec.push.read(request.headers, request.query_params, body)
        if isinstance(reading, ValidationReply):
            return PlainTextResponse(reading.token)
        believed = [await run_in_threadpool(_receive, engine, spec, item) for item in reading]
        return Response(status_code=spec.push.accepted if any(believed) else 404)

    return [Route(WEBHOOK_PATH, receive, methods=["POST"])]


async def _bounded_body(request: Request) -> bytes | None:
    """The body, or None when it is longer than any notification a provider sends."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return None
    return bytes(body)


def _pushing(name: str) -> ProviderSpec | None:
    try:
        return provider_spec(name)
    except UnknownProvider:
        return None


def _receive(engine: sa.Engine, spec: ProviderSpec, notification: Notification) -> bool:
    """Act on a notification; False when it is not believed (nothing was done)."""
    if not notification.channel_id or not notification.token:
        return False
    with engine.connect() as conn:
        account = account_by_channel(conn, notification.channel_id)
    if (
        account is None
        or account.provider is not spec.kind
        or not _authentic(account, notification)
    ):
        log.debug("push message for channel %s not believed", notification.channel_id)
        return False
    log.debug("push %s for account %s", notification.describe, account.id)
    now = dt.datetime.now(dt.UTC)
    try:
        if notification.replace_channel:
            with writing(engine) as conn:
                save_channel(conn, account.id, None, now)
        if notification.changed and _may_wake(account):
            with writing(engine) as conn:
                request_sync(conn, account.id, now)
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
