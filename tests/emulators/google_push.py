"""events.watch channels and the push notifications Google POSTs to their address.

A channel first receives a `sync` message, then an `exists` message after
every change to the watched calendar, each with the X-Goog-* headers of the
push guide and no body; the bridge is expected to react by running an
incremental sync. Delivery is best effort from one background thread, in
order, and every attempt is kept in `deliveries` for inspection.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx

from tests.emulators import google_errors as errors
from tests.emulators.clock import Clock
from tests.emulators.google_errors import ApiError

CHANNEL_TYPES = ("web_hook", "webhook")
# Google does not document a default lifetime for Calendar channels; a week it is.
DEFAULT_CHANNEL_TTL = timedelta(days=7)


@dataclass
class Channel:
    id: str
    resource_id: str
    resource_uri: str
    calendar_id: str
    address: str
    token: str | None
    expiration: datetime
    messages_sent: int = 0


@dataclass(frozen=True)
class Delivery:
    """One notification attempt: a status code if the receiver answered, else the error."""

    channel_id: str
    resource_state: str
    message_number: int
    status_code: int | None
    error: str | None


@dataclass(frozen=True)
class _Message:
    channel_id: str
    address: str
    headers: dict[str, str]


class PushHub:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.channels: dict[str, Channel] = {}
        self.deliveries: list[Delivery] = []
        self._queue: queue.Queue[_Message | None] = queue.Queue()
        self._pending = 0
        self._idle = threading.Condition()
        self._worker: threading.Thread | None = None

    def watch(
        self, calendar_id: str, resource_id: str, resource_uri: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        """POST .../events/watch: open a channel and send its `sync` message."""
        channel_id, address = body.get("id"), body.get("address")
        if not channel_id:
            raise errors.required("Required", "id")
        if body.get("type") not in CHANNEL_TYPES:
            raise errors.invalid("Invalid Value", "type")
        if not address:
            raise errors.required("Required", "address")
        if channel_id in self.channels:
            raise ApiError(400, "channelIdNotUnique", f"Channel id {channel_id} not unique")
        now = self.clock.now()
        expiration = (
            datetime.fromtimestamp(int(body["expiration"]) / 1000, UTC)
            if body.get("expiration")
            else now + DEFAULT_CHANNEL_TTL
        )
        channel = Channel(
            id=channel_id,
            resource_id=resource_id,
            resource_uri=resource_uri,
            calendar_id=calendar_id,
            address=address,
            token=body.get("token"),
            expiration=expiration,
        )
        self.channels[channel_id] = channel
        self._send(channel, "sync")
        reply = {
            "kind": "api#channel",
            "id": channel_id,
            "resourceId": resource_id,
            "resourceUri": resource_uri,
            "expiration": str(int(expiration.timestamp() * 1000)),
        }
        return reply | ({"token": channel.token} if channel.token else {})

    def stop(self, body: dict[str, Any]) -> None:
        """POST /channels/stop: the channel id and resourceId must both match."""
        channel = self.channels.get(body.get("id", ""))
        if channel is None or channel.resource_id != body.get("resourceId"):
            raise errors.not_found()
        del self.channels[channel.id]

    def calendar_changed(self, calendar_id: str) -> None:
        """Store listener: an `exists` message to every unexpired channel on the calendar."""
        now = self.clock.now()
        for channel in list(self.channels.values()):
            if channel.calendar_id == calendar_id and channel.expiration > now:
                self._send(channel, "exists")

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every queued notification was attempted; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def close(self) -> None:
        if self._worker is not None:
            self._queue.put(None)
            self._worker.join(timeout=10)
            self._worker = None

    def _send(self, channel: Channel, state: str) -> None:
        channel.messages_sent += 1
        headers = {
            "X-Goog-Channel-ID": channel.id,
            "X-Goog-Channel-Expiration": format_datetime(channel.expiration, usegmt=True),
            "X-Goog-Resource-ID": channel.resource_id,
            "X-Goog-Resource-URI": channel.resource_uri,
            "X-Goog-Resource-State": state,
            "X-Goog-Message-Number": str(channel.messages_sent),
        }
        if channel.token:
            headers["X-Goog-Channel-Token"] = channel.token
        with self._idle:
            self._pending += 1
        if self._worker is None:
            self._worker = threading.Thread(target=self._deliver, name="google-push", daemon=True)
            self._worker.start()
        self._queue.put(_Message(channel.id, channel.address, headers))

    def _deliver(self) -> None:
        with httpx.Client(timeout=5.0) as client:
            while (message := self._queue.get()) is not None:
                status: int | None = None
                error: str | None = None
                try:
                    status = client.post(message.address, headers=message.headers).status_code
                except httpx.HTTPError as exc:
                    error = repr(exc)
                self.deliveries.append(
                    Delivery(
                        message.channel_id,
                        message.headers["X-Goog-Resource-State"],
                        int(message.headers["X-Goog-Message-Number"]),
                        status,
                        error,
                    )
                )
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()
