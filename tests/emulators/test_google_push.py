"""Watch channels on the emulator: a receiving server gets `sync`, then `exists` messages."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.emulators.google_calendar import GoogleEmulator
from tests.emulators.google_samples import timed_event
from tests.servers import serve_in_thread

CALENDAR = "user@example.com"


@pytest.fixture
def received() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """A webhook receiver's URL and the headers of every notification it got."""
    messages: list[dict[str, str]] = []

    async def notify(request: Request) -> Response:
        messages.append({k: v for k, v in request.headers.items() if k.startswith("x-goog-")})
        return Response(status_code=200)

    with serve_in_thread(Starlette(routes=[Route("/hook", notify, methods=["POST"])])) as url:
        yield f"{url}/hook", messages


def test_watch_sends_sync_then_exists_after_a_change(
    google: GoogleEmulator, api: httpx.Client, received: tuple[str, list[dict[str, str]]]
) -> None:
    address, messages = received
    channel = {"id": "chan-1", "type": "web_hook", "address": address, "token": "secret=1"}
    watched = api.post("/calendars/primary/events/watch", json=channel)
    assert watched.status_code == 200
    resource_id = watched.json()["resourceId"]
    assert watched.json()["id"] == "chan-1"
    assert int(watched.json()["expiration"]) > 0

    google.state.insert_event(CALENDAR, timed_event("act00001"))
    assert google.state.push.wait_idle()

    assert [m["x-goog-resource-state"] for m in messages] == ["sync", "exists"]
    assert [m["x-goog-message-number"] for m in messages] == ["1", "2"]
    assert all(m["x-goog-channel-id"] == "chan-1" for m in messages)
    assert all(m["x-goog-channel-token"] == "secret=1" for m in messages)
    assert all(m["x-goog-resource-id"] == resource_id for m in messages)
    assert messages[0]["x-goog-channel-expiration"].endswith("GMT")

    stopped = api.post("/channels/stop", json={"id": "chan-1", "resourceId": resource_id})
    assert stopped.status_code == 204
    google.state.insert_event(CALENDAR, timed_event("act00002"))
    assert google.state.push.wait_idle()
    assert len(messages) == 2
