"""Google push channels: opening one with events.watch, closing it with channels.stop.

The lifetime is asked for twice because Google documents it twice: the
push guide takes an `expiration` timestamp (milliseconds), the events.watch
reference a `params.ttl` in seconds; Google keeps the more restrictive of
what was asked and its own limit, and says which in the reply's
`expiration`, which is therefore the one believed.

A watch is not idempotent the way the provider's other calls are: if the
reply is lost and the retry policy sends it again, Google answers 400
(the channel id is taken), which surfaces as `ItemRejected`. The channel
Google did open then notifies a channel id nobody stored, until it expires.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from bridge.providers import WatchedChannel
from bridge.providers.google.api import GoogleApi


def open_channel(
    api: GoogleApi,
    watch_url: str,
    *,
    address: str,
    channel_id: str,
    token: str,
    ttl: dt.timedelta,
) -> WatchedChannel:
    """POST the watch request to `watch_url` (a collection's `.../watch`) and read the reply."""
    asked_until = dt.datetime.now(dt.UTC) + ttl
    body = {
        "id": channel_id,
        "type": "web_hook",
        "address": address,
        "token": token,
        "expiration": str(int(asked_until.timestamp() * 1000)),
        "params": {"ttl": str(int(ttl.total_seconds()))},
    }
    reply = api.call("POST", watch_url, json=body).json()
    return WatchedChannel(
        channel_id=reply["id"],
        resource_id=reply["resourceId"],
        expires_at=_expiration(reply, asked_until),
    )


def stop_channel(api: GoogleApi, stop_url: str, channel_id: str, resource_id: str) -> None:
    """channels.stop; a channel Google no longer knows (404) has stopped already."""
    api.call("POST", stop_url, json={"id": channel_id, "resourceId": resource_id}, expected=(404,))


def _expiration(reply: Mapping[str, Any], asked_until: dt.datetime) -> dt.datetime:
    """The reply's expiration (epoch milliseconds, sent as a string); what was asked if absent.

    Google documents the field as present only for channels that expire;
    assuming the asked-for time renews such a channel early, never late.
    """
    if reply.get("expiration") is None:
        return asked_until
    return dt.datetime.fromtimestamp(int(reply["expiration"]) / 1000, dt.UTC)
