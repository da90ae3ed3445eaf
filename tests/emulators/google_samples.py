"""Request bodies and reply readers shared by the Google emulator's tests."""

from __future__ import annotations

from typing import Any

import httpx


def timed_event(event_id: str, day: str = "2024-01-08", **extra: Any) -> dict[str, Any]:
    """A one-hour event at 09:00 UTC on `day`."""
    return {
        "id": event_id,
        "summary": f"Event {event_id}",
        "start": {"dateTime": f"{day}T09:00:00Z"},
        "end": {"dateTime": f"{day}T10:00:00Z"},
        **extra,
    }


def reason(response: httpx.Response) -> str:
    """`errors[0].reason` of a Calendar API error reply."""
    return response.json()["error"]["errors"][0]["reason"]
