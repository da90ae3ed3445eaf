"""Graph change notifications: subscriptions on a calendar's events, and reading what Graph posts.

`open_subscription` creates a subscription (`POST /subscriptions`) for
created, updated and deleted events of one calendar; Outlook events allow
at most 10080 minutes (seven days), so a longer lifetime is cut to that.
Graph chooses the subscription's id, while CalBridge's channel keeper
chooses channel ids (and reads which calendar and address a channel serves
from the id's end), so the two are kept apart:

- `WatchedChannel.channel_id` is the keeper's channel id, sent along in
  the notification URL's query (`?channel=...`; Graph documents that it
  posts to the URL with the query it was given);
- `WatchedChannel.resource_id` is Graph's subscription id, which every
  notification names (`subscriptionId`) and which deleting it needs;
- `clientState` is the channel's token, echoed in every notification.

So a notification is believed, as for Google, when the channel named in
the query exists, `clientState` matches its token and `subscriptionId`
is the subscription it holds. `read_push` (the spec's `PushDoor.read`)
turns one POST into that shape, or into the validation reply Graph waits
for when a subscription is created (`?validationToken=...`, echoed as
text/plain within 10 seconds). Lifecycle notifications say Graph removed
the subscription or will (`subscriptionRemoved`, `reauthorizationRequired`):
the channel is then to be replaced; `missed` and `subscriptionRemoved`
mean changes may have gone unreported, so the account becomes due.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from bridge.providers import WatchedChannel
from bridge.providers.microsoft.api import GraphApi
from bridge.providers.microsoft.events import parse_utc
from bridge.providers.spec import Notification, PushReading, ValidationReply

MAX_LIFETIME = dt.timedelta(minutes=10080)
CHANNEL_PARAMETER = "channel"
CHANGED_LIFECYCLE = frozenset({"missed", "subscriptionRemoved"})
"""Lifecycle events after which a sync is due: notifications were lost."""
ENDING_LIFECYCLE = frozenset({"subscriptionRemoved", "reauthorizationRequired"})
"""Lifecycle events after which the channel must be replaced."""


def notification_url(address: str, channel_id: str) -> str:
    """`address` with the channel id added to its query."""
    parts = urlsplit(address)
    query = "&".join(filter(None, (parts.query, urlencode({CHANNEL_PARAMETER: channel_id}))))
    return urlunsplit(parts._replace(query=query))


def open_subscription(
    api: GraphApi,
    resource: str,
    *,
    address: str,
    channel_id: str,
    token: str,
    ttl: dt.timedelta,
) -> WatchedChannel:
    now = dt.datetime.now(dt.UTC)
    lifetime = min(ttl, MAX_LIFETIME - dt.timedelta(minutes=1))
    url = notification_url(address, channel_id)
    body = {
        "changeType": "created,updated,deleted",
        "notificationUrl": url,
        "lifecycleNotificationUrl": url,
        "resource": resource,
        "expirationDateTime": (now + lifetime).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "clientState": token,
    }
    reply = api.call("POST", "/subscriptions", json=body).json()
    expires = reply.get("expirationDateTime")
    return WatchedChannel(
        channel_id=channel_id,
        resource_id=str(reply["id"]),
        expires_at=parse_utc(expires) if expires else now + lifetime,
    )


def delete_subscription(api: GraphApi, subscription_id: str) -> None:
    """A subscription Graph no longer knows (404) has stopped already."""
    api.call("DELETE", f"/subscriptions/{subscription_id}", expected=(404,))


def read_push(headers: Mapping[str, str], query: Mapping[str, str], body: bytes) -> PushReading:
    """One POST of Graph to the webhook: a validation request, or its notifications.

    Graph says everything in the query and the JSON body; `headers` are not read.

    A body that is not a Graph notification collection yields no
    notifications (the webhook answers 202 and believes nothing).
    """
    if "validationToken" in query:
        return ValidationReply(query["validationToken"])
    channel_id = query.get(CHANNEL_PARAMETER, "")
    try:
        items = json.loads(body or b"{}").get("value", [])
    except (ValueError, AttributeError, RecursionError):  # not Graph's: nothing believed
        return []
    if not isinstance(items, list):
        return []
    return [_notification(channel_id, item) for item in items if isinstance(item, dict)]


def _notification(channel_id: str, item: dict[str, Any]) -> Notification:
    change = item.get("changeType")
    lifecycle = item.get("lifecycleEvent")
    what = change or f"lifecycle {lifecycle}"
    return Notification(
        channel_id=channel_id,
        token=str(item.get("clientState") or ""),
        resource_id=str(item.get("subscriptionId") or ""),
        changed=bool(change) or lifecycle in CHANGED_LIFECYCLE,
        replace_channel=lifecycle in ENDING_LIFECYCLE,
        describe=f"{what} ({item.get('resource', '')})",
    )
