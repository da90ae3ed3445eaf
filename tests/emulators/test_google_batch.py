"""Batch requests on the emulator: multipart/mixed in, multipart/mixed out, Content-ID pairs."""

from __future__ import annotations

import json
from email import policy
from email.parser import BytesParser

import httpx

from tests.emulators.google_calendar import GoogleEmulator, create_google_emulator
from tests.emulators.google_samples import timed_event
from tests.servers import serve_in_thread

BOUNDARY = "batch_calbridge"


def batch_body(calls: list[tuple[str, str, dict[str, object] | None]]) -> bytes:
    parts = []
    for number, (method, path, body) in enumerate(calls, start=1):
        payload = json.dumps(body) if body is not None else ""
        headers = "Content-Type: application/json\r\n" if body is not None else ""
        parts.append(
            f"--{BOUNDARY}\r\nContent-Type: application/http\r\nContent-ID: <item{number}>\r\n\r\n"
            f"{method} {path} HTTP/1.1\r\n{headers}\r\n{payload}\r\n"
        )
    return ("".join(parts) + f"--{BOUNDARY}--\r\n").encode()


def post_batch(base_url: str, token: str, body: bytes) -> httpx.Response:
    return httpx.post(
        f"{base_url}/batch/calendar/v3",
        content=body,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": f"multipart/mixed; boundary={BOUNDARY}",
        },
    )


def read_parts(response: httpx.Response) -> list[tuple[str, int, dict[str, object]]]:
    """(Content-ID, status, JSON body) of each part of a batch reply."""
    envelope = f"Content-Type: {response.headers['content-type']}\r\n\r\n".encode()
    message = BytesParser(policy=policy.HTTP).parsebytes(envelope + response.content)
    parts = []
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        head, _, body = payload.partition(b"\r\n\r\n")
        status = int(head.split()[1])
        parts.append((str(part["Content-ID"]), status, json.loads(body) if body.strip() else {}))
    return parts


def test_batch_of_three_calls_answers_each_in_order(
    google: GoogleEmulator, google_url: str
) -> None:
    token = google.state.issue_tokens()["access_token"]
    events = "/calendar/v3/calendars/primary/events"
    body = batch_body(
        [
            ("POST", f"{events}?sendUpdates=none", timed_event("act00001")),
            ("GET", f"{events}/act00001", None),
            ("DELETE", f"{events}/nosuchevent", None),
        ]
    )
    google.requests.reset()

    response = post_batch(google_url, token, body)

    assert response.status_code == 200
    parts = read_parts(response)
    assert [(content_id, status) for content_id, status, _ in parts] == [
        ("<response-item1>", 200),
        ("<response-item2>", 200),
        ("<response-item3>", 404),
    ]
    assert parts[1][2]["id"] == "act00001"
    assert google.requests_total == 1
    assert google.requests["batch"] == 1
    assert google.requests.batched["calendar.events.insert"] == 1
    assert sum(google.requests.batched.values()) == 3
    assert google.state.writes[0].send_updates == "none"


def test_batch_above_the_call_limit_is_400() -> None:
    google = create_google_emulator(max_batch_calls=50)
    token = google.state.issue_tokens()["access_token"]
    calls = [("GET", "/calendar/v3/calendars/primary/events", None)] * 51
    with serve_in_thread(google.app) as base_url:
        assert post_batch(base_url, token, batch_body(calls[:50])).status_code == 200
        assert post_batch(base_url, token, batch_body(calls)).status_code == 400
    google.close()
