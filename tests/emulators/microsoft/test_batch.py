"""JSON batching: the 20-request limit, dependsOn, per-part throttling."""

from __future__ import annotations

import httpx

from tests.emulators.microsoft import Fault, GraphEmulator, create_graph_emulator
from tests.emulators.microsoft.samples import timed_event
from tests.servers import serve_in_thread

JSON = {"Content-Type": "application/json"}


def test_more_than_20_requests_is_rejected(graph: GraphEmulator, api: httpx.Client) -> None:
    parts = [{"id": str(n), "method": "GET", "url": "/me"} for n in range(21)]
    reply = api.post("/$batch", json={"requests": parts})
    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == "BadRequest"


def test_parts_run_with_their_own_statuses(graph: GraphEmulator, api: httpx.Client) -> None:
    calendar = graph.state.default_calendar()
    existing = graph.state.insert_event(calendar, timed_event("old"))
    graph.inject(Fault.throttled(retry_after=7, path=r"/me/events/", method="DELETE"))
    parts = [
        {
            "id": "1",
            "method": "POST",
            "url": f"/me/calendars/{calendar}/events",
            "headers": JSON,
            "body": timed_event("new"),
        },
        {"id": "2", "method": "DELETE", "url": f"/me/events/{existing['id']}"},
        {"id": "3", "method": "GET", "url": "/me/events/nope"},
        {"id": "4", "method": "GET", "url": "/me", "dependsOn": ["3"]},
    ]
    reply = api.post("/$batch", json={"requests": parts})
    assert reply.status_code == 200
    answers = {r["id"]: r for r in reply.json()["responses"]}
    assert answers["1"]["status"] == 201
    assert answers["1"]["body"]["subject"] == "new"
    assert answers["2"]["status"] == 429
    assert answers["2"]["headers"]["Retry-After"] == "7"
    assert answers["3"]["status"] == 404
    assert answers["4"]["status"] == 424
    assert existing["id"] in graph.state.events(calendar)
    assert graph.requests["batch"] == 1
    assert graph.requests.batched["events.create"] == 1


def test_mailbox_concurrency_throttles_parts() -> None:
    emulator = create_graph_emulator(mailbox_concurrency=4)
    token = emulator.state.issue_tokens()["access_token"]
    parts = [{"id": str(n), "method": "GET", "url": "/me"} for n in range(6)]
    with serve_in_thread(emulator.app) as url:
        reply = httpx.post(
            f"{url}/v1.0/$batch",
            json={"requests": parts},
            headers={"Authorization": f"Bearer {token}"},
        )
    statuses = [r["status"] for r in reply.json()["responses"]]
    assert statuses == [200, 200, 200, 200, 429, 429]
    emulator.close()


def test_plain_requests_can_be_throttled(graph: GraphEmulator, api: httpx.Client) -> None:
    graph.inject(Fault.service_unavailable(retry_after=3, path=r"/v1\.0/me$"))
    graph.inject(Fault.server_error(504, path=r"/v1\.0/me$"))
    first, second, third = api.get("/me"), api.get("/me"), api.get("/me")
    assert (first.status_code, first.headers["Retry-After"]) == (503, "3")
    assert second.status_code == 504
    assert third.status_code == 200
    assert graph.requests["me.get"] == 3
