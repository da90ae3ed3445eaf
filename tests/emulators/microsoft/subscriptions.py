"""Change-notification subscriptions on event collections, and their deliveries.

Creating a subscription first validates its endpoints: Graph POSTs
`?validationToken=...` to notificationUrl (and lifecycleNotificationUrl) and
expects the token echoed as text/plain with 200 within 10 seconds, or the
creation fails with 400. After that every change to a watched calendar is
POSTed as a changeNotificationCollection from one background thread, in
order; lifecycle notifications (reauthorizationRequired, subscriptionRemoved,
missed) go to lifecycleNotificationUrl when tests send them.
"""

from __future__ import annotations

import queue
import re
import secrets
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from tests.emulators.clock import Clock
from tests.emulators.microsoft import errors, times
from tests.emulators.microsoft.errors import GraphError
from tests.emulators.microsoft.store import Store, User

MAX_EVENT_MINUTES = 10080
VALIDATION_TIMEOUT = 10.0
CHANGE_TYPES = ("created", "updated", "deleted")
LIFECYCLE_EVENTS = ("reauthorizationRequired", "subscriptionRemoved", "missed")
RESOURCE = re.compile(
    r"^/?(?:me|users/(?P<user>[^/]+))/(?:events|calendar/events|calendars/(?P<cal>[^/]+)/events)/?$",
    re.I,
)


@dataclass
class Subscription:
    id: str
    resource: str
    change_types: tuple[str, ...]
    notification_url: str
    lifecycle_url: str | None
    client_state: str | None
    expiration: datetime
    user: User
    calendar_id: str
    application_id: str

    def resource_body(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "resource": self.resource,
            "applicationId": self.application_id,
            "changeType": ",".join(self.change_types),
            "clientState": self.client_state,
            "notificationUrl": self.notification_url,
            "notificationQueryOptions": None,
            "lifecycleNotificationUrl": self.lifecycle_url,
            "expirationDateTime": times.offset_timestamp(self.expiration),
            "creatorId": self.user.id,
            "includeResourceData": False,
            "latestSupportedTlsVersion": "v1_2",
            "encryptionCertificate": None,
            "encryptionCertificateId": None,
            "notificationUrlAppId": None,
        }


@dataclass(frozen=True)
class Delivery:
    """One POST to a subscriber: what was sent and how the receiver answered."""

    subscription_id: str
    kind: str  # notification, lifecycle
    url: str
    payload: dict[str, Any]
    status_code: int | None
    error: str | None


class SubscriptionHub:
    def __init__(self, store: Store, clock: Clock, tenant_id: str) -> None:
        self.store = store
        self.clock = clock
        self.tenant_id = tenant_id
        self.subscriptions: dict[str, Subscription] = {}
        self.deliveries: list[Delivery] = []
        self._queue: queue.Queue[tuple[str, str, str, dict[str, Any]] | None] = queue.Queue()
        self._pending = 0
        self._idle = threading.Condition()
        self._worker: threading.Thread | None = None

    def check(self, body: dict[str, Any], user: User, application_id: str) -> Subscription:
        """A subscription from a create request, not yet validated nor stored."""
        for required in ("changeType", "notificationUrl", "resource", "expirationDateTime"):
            if not body.get(required):
                raise errors.GraphError(
                    400, "InvalidRequest", f"The '{required}' property is required."
                )
        change_types = tuple(c.strip() for c in str(body["changeType"]).split(","))
        if any(c not in CHANGE_TYPES for c in change_types):
            raise GraphError(400, "InvalidRequest", f"Invalid changeType '{body['changeType']}'.")
        match = RESOURCE.match(str(body["resource"]))
        if match is None:
            raise GraphError(
                400, "InvalidRequest", f"Resource '{body['resource']}' is not supported."
            )
        owner = self.store.user(match["user"]) if match["user"] else user
        calendar = (
            self.store.calendar(owner, match["cal"])
            if match["cal"]
            else self.store.default_calendar(owner)
        )
        client_state = body.get("clientState")
        if client_state is not None and len(str(client_state)) > 128:
            raise GraphError(400, "InvalidRequest", "clientState must be at most 128 characters.")
        return Subscription(
            id=str(uuid.uuid4()),
            resource=str(body["resource"]),
            change_types=change_types,
            notification_url=str(body["notificationUrl"]),
            lifecycle_url=body.get("lifecycleNotificationUrl"),
            client_state=client_state,
            expiration=self._expiration(body["expirationDateTime"]),
            user=owner,
            calendar_id=calendar.id,
            application_id=application_id,
        )

    def renew(self, subscription_id: str, body: dict[str, Any]) -> Subscription:
        subscription = self.get(subscription_id)
        if "expirationDateTime" in body:
            subscription.expiration = self._expiration(body["expirationDateTime"])
        return subscription

    def get(self, subscription_id: str) -> Subscription:
        subscription = self.subscriptions.get(subscription_id)
        if subscription is None:
            raise GraphError(
                404, "ResourceNotFound", f"The object was not found: '{subscription_id}'."
            )
        return subscription

    @staticmethod
    def validate_endpoint(url: str) -> None:
        """The validation handshake (blocking; never called under the state lock)."""
        token = "Validation: Testing client application reachability for subscription Request-Id: "
        token += str(uuid.uuid4()) + " " + secrets.token_hex(8)
        try:
            reply = httpx.post(
                url,
                params={"validationToken": token},
                headers={"Content-Type": "text/plain; charset=utf-8"},
                timeout=VALIDATION_TIMEOUT,
            )
        except httpx.HTTPError:
            reply = None
        if (
            reply is None
            or reply.status_code != 200
            or not reply.headers.get("content-type", "").lower().startswith("text/plain")
            or reply.text != token
        ):
            raise GraphError(
                400,
                "ValidationError",
                "Subscription validation request failed. Notification endpoint must respond "
                "with 200 OK to validation request.",
            )

    def calendar_changed(self, calendar_id: str, event_id: str, change_type: str) -> None:
        """Store listener: one notification to every live subscription on the calendar."""
        now = self.clock.now()
        for sub in list(self.subscriptions.values()):
            if sub.calendar_id != calendar_id or change_type not in sub.change_types:
                continue
            if sub.expiration <= now:
                continue
            resource = f"Users/{sub.user.id}/Events/{event_id}"
            resource_data: dict[str, Any] = {
                "@odata.type": "#Microsoft.Graph.Event",
                "@odata.id": resource,
                "id": event_id,
            }
            calendar = self.store.calendars[calendar_id]
            instance = self.store.instance(calendar, event_id)
            if instance is not None:
                resource_data["@odata.etag"] = f'W/"{instance.change_key}"'
            notification = {
                "subscriptionId": sub.id,
                "subscriptionExpirationDateTime": _graph_offset(sub.expiration),
                "changeType": change_type,
                "resource": resource,
                "resourceData": resource_data,
                "clientState": sub.client_state,
                "tenantId": self.tenant_id,
            }
            self._enqueue(sub.id, "notification", sub.notification_url, {"value": [notification]})

    def send_lifecycle(self, subscription_id: str, event: str) -> None:
        if event not in LIFECYCLE_EVENTS:
            raise ValueError(f"unknown lifecycle event {event!r}")
        sub = self.get(subscription_id)
        if event == "subscriptionRemoved":
            del self.subscriptions[sub.id]
        if not sub.lifecycle_url:
            return
        notification = {
            "subscriptionId": sub.id,
            "subscriptionExpirationDateTime": _graph_offset(sub.expiration),
            "tenantId": self.tenant_id,
            "clientState": sub.client_state,
            "lifecycleEvent": event,
        }
        self._enqueue(sub.id, "lifecycle", sub.lifecycle_url, {"value": [notification]})

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every queued delivery was attempted; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def close(self) -> None:
        if self._worker is not None:
            self._queue.put(None)
            self._worker.join(timeout=10)
            self._worker = None

    def _expiration(self, value: object) -> datetime:
        try:
            moment = times.parse_instant(str(value))
        except GraphError:
            raise GraphError(
                400, "InvalidRequest", f"Invalid expirationDateTime '{value}'."
            ) from None
        now = self.clock.now()
        if moment <= now:
            raise GraphError(
                400,
                "ExtensionError",
                "Operation: Create; Exception: [Status Code: BadRequest; Reason: Subscription "
                "expiration must be in the future.]",
            )
        if moment > now + timedelta(minutes=MAX_EVENT_MINUTES):
            raise GraphError(
                400,
                "ExtensionError",
                "Operation: Create; Exception: [Status Code: BadRequest; Reason: Subscription "
                f"expiration can only be {MAX_EVENT_MINUTES} minutes in the future.]",
            )
        return moment

    def _enqueue(self, sub_id: str, kind: str, url: str, payload: dict[str, Any]) -> None:
        with self._idle:
            self._pending += 1
        if self._worker is None:
            self._worker = threading.Thread(target=self._deliver, name="graph-notify", daemon=True)
            self._worker.start()
        self._queue.put((sub_id, kind, url, payload))

    def _deliver(self) -> None:
        with httpx.Client(timeout=5.0) as client:
            while (message := self._queue.get()) is not None:
                sub_id, kind, url, payload = message
                status: int | None = None
                error: str | None = None
                try:
                    status = client.post(url, json=payload).status_code
                except httpx.HTTPError as exc:
                    error = repr(exc)
                self.deliveries.append(Delivery(sub_id, kind, url, payload, status, error))
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()


def _graph_offset(moment: datetime) -> str:
    """Graph's DateTimeOffset in notifications: 2016-11-20T18:23:45.9356913+00:00."""
    return times.graph_local(moment.replace(tzinfo=None)) + "+00:00"
