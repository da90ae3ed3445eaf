"""Graph resources and drafts shared by the Microsoft provider tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bridge.providers import EventDraft
from bridge.providers.microsoft.events import STAMP_PROPERTY


def resource(event_id: str = "AAMkAGevent1", **fields: Any) -> dict[str, Any]:
    """A timed single event as Graph returns it with UTC and text preferences."""
    base: dict[str, Any] = {
        "id": event_id,
        "@odata.etag": 'W/"DwAAABYAAAA1"',
        "iCalUId": "040000008200E00074C5B7101A82E008",
        "type": "singleInstance",
        "subject": "Call",
        "body": {"contentType": "text", "content": "Bring the prices"},
        "location": {"displayName": "Room 1"},
        "start": {"dateTime": "2030-01-07T09:00:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": "2030-01-07T10:00:00.0000000", "timeZone": "UTC"},
        "isAllDay": False,
        "isCancelled": False,
        "sensitivity": "normal",
        "showAs": "busy",
        "attendees": [],
        "lastModifiedDateTime": "2030-01-02T08:30:15.1234567Z",
    }
    return base | fields


def stamped(stamp: int) -> dict[str, Any]:
    return {"singleValueExtendedProperties": [{"id": STAMP_PROPERTY, "value": str(stamp)}]}


def draft(stamp: int = 1, **fields: Any) -> EventDraft:
    """A one-hour draft stamped `stamp`, at 09:00 UTC on January `stamp`, 2030."""
    start = dt.datetime(2030, 1, stamp, 9, tzinfo=dt.UTC)
    values: dict[str, Any] = {
        "uid": f"activity-{stamp}@calbridge",
        "summary": f"Activity {stamp}",
        "description": "Call about the renewal",
        "location": "Room 1",
        "start": start,
        "end": start + dt.timedelta(hours=1),
        "all_day": False,
        "private": False,
        "busy": True,
        "attendees": (),
        "activity_stamp": stamp,
        **fields,
    }
    return EventDraft(**values)
