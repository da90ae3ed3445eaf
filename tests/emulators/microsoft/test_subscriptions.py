"""Subscriptions: validation handshake, notifications after changes, lifecycle, limits."""

from __future__ import annotations

from datetime import timedelta

import httpx

from tests.emulators.microsoft import GraphEmulator
from tests.emulators.microsoft.conftest import Receiver
from tests.emulators.microsoft.samples import timed_event


def _expiry(graph: GraphEmulator, minutes: int) -> str:
    moment = graph.state.clock.now() + timedelta(minutes=minutes)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.0000000Z")


def test_handshake_then_notifications(
    graph: GraphEmulator, api: httpx.Client, receiver: tuple[str, Receiver]
) -> None:
    url, hook = receiver
    calendar = graph.state.default_calendar()
    created = api.post(
        "/subscriptions",
        json={
            "changeType": "created,updated,deleted",
            "notificationUrl": url,
            "lifecycleNotificationUrl": url,
            "resource": f"me/calendars/{calendar}/events",
            "expirationDateTime": _expiry(graph, 4000),
            "clientState": "secret",
        },
    )
    assert created.status_code == 201, created.text
    assert len(hook.validations) == 2
    subscription = created.json()["id"]

    event = graph.state.insert_event(calendar, timed_event("a"))
    api.patch(f"/me/events/{event['id']}", json={"subject": "b"})
    api.delete(f"/me/events/{event['id']}")
    assert graph.state.wait_idle()
    notes = [n["value"][0] for n in hook.notifications]
    assert [n["changeType"] for n in notes] == ["created", "updated", "deleted"]
    assert all(n["clientState"] == "secret" for n in notes)
    assert all(n["subscriptionId"] == subscription for n in notes)
    assert notes[0]["resourceData"]["id"] == event["id"]
    assert notes[0]["tenantId"] == graph.tenant_id

    graph.state.send_lifecycle(subscription, "reauthorizationRequired")
    assert graph.state.wait_idle()
    assert hook.notifications[-1]["value"][0]["lifecycleEvent"] == "reauthorizationRequired"

    renewed = api.patch(
        f"/subscriptions/{subscription}", json={"expirationDateTime": _expiry(graph, 60)}
    )
    assert renewed.status_code == 200
    assert api.delete(f"/subscriptions/{subscription}").status_code == 204
    graph.state.insert_event(calendar, timed_event("c"))
    assert graph.state.wait_idle()
    assert len(hook.notifications) == 4


def test_failed_validation_and_too_long_expiry(
    graph: GraphEmulator, api: httpx.Client, receiver: tuple[str, Receiver]
) -> None:
    url, hook = receiver
    body = {
        "changeType": "updated",
        "notificationUrl": url,
        "resource": "me/events",
        "expirationDateTime": _expiry(graph, 10081),
    }
    too_long = api.post("/subscriptions", json=body)
    assert too_long.status_code == 400
    assert hook.validations == []
    hook.echo_validation = False
    refused = api.post("/subscriptions", json=body | {"expirationDateTime": _expiry(graph, 60)})
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "ValidationError"
    assert graph.state.subscriptions == {}
    assert graph.requests["subscriptions.create"] == 2
