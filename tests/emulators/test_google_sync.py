"""events.list on the emulator: paging, incremental sync, 410, recurring-event expansion."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.emulators.google_calendar import GoogleEmulator
from tests.emulators.google_samples import reason, timed_event

EVENTS = "/calendars/primary/events"
CALENDAR = "user@example.com"


def list_all(api: httpx.Client, **params: Any) -> tuple[list[dict[str, Any]], str, int]:
    """Follow nextPageToken to the end: (items, nextSyncToken, number of pages)."""
    items: list[dict[str, Any]] = []
    pages = 0
    while True:
        page = api.get(EVENTS, params=params).json()
        pages += 1
        items += page["items"]
        if "nextPageToken" not in page:
            return items, page["nextSyncToken"], pages
        assert "nextSyncToken" not in page
        params = {**params, "pageToken": page["nextPageToken"]}


def test_paging_with_max_results(google: GoogleEmulator, api: httpx.Client) -> None:
    for n in range(5):
        google.state.insert_event(CALENDAR, timed_event(f"event{n:04d}"))

    items, sync_token, pages = list_all(api, maxResults=2)

    assert pages == 3
    assert [item["id"] for item in items] == [f"event{n:04d}" for n in range(5)]
    assert sync_token


def test_incremental_sync_returns_only_changes_including_cancelled(
    google: GoogleEmulator, api: httpx.Client
) -> None:
    for n in range(3):
        google.state.insert_event(CALENDAR, timed_event(f"event{n:04d}"))
    _, sync_token, _ = list_all(api)

    google.state.patch_event(CALENDAR, "event0000", {"summary": "Renamed"})
    google.state.delete_event(CALENDAR, "event0001")
    google.state.insert_event(CALENDAR, timed_event("event0003"))
    changes, next_token, _ = list_all(api, syncToken=sync_token)

    by_id = {item["id"]: item for item in changes}
    assert sorted(by_id) == ["event0000", "event0001", "event0003"]
    assert by_id["event0000"]["summary"] == "Renamed"
    assert by_id["event0001"]["status"] == "cancelled"
    assert "summary" not in by_id["event0001"]
    assert list_all(api, syncToken=next_token)[0] == []


def test_full_listing_hides_deleted_events_unless_show_deleted(
    google: GoogleEmulator, api: httpx.Client
) -> None:
    google.state.insert_event(CALENDAR, timed_event("event0000"))
    google.state.delete_event(CALENDAR, "event0000")

    assert list_all(api)[0] == []
    assert [item["status"] for item in list_all(api, showDeleted="true")[0]] == ["cancelled"]


def test_expired_sync_token_is_410_full_sync_required(
    google: GoogleEmulator, api: httpx.Client
) -> None:
    _, sync_token, _ = list_all(api)
    assert google.state.expire_sync_tokens() == 1

    response = api.get(EVENTS, params={"syncToken": sync_token})
    assert response.status_code == 410
    error = response.json()["error"]
    assert error["code"] == 410
    assert error["errors"][0]["reason"] == "fullSyncRequired"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("timeMin", "2024-01-01T00:00:00Z"),
        ("timeMax", "2024-01-01T00:00:00Z"),
        ("q", "lunch"),
        ("orderBy", "updated"),
        ("privateExtendedProperty", "cb=1"),
        ("sharedExtendedProperty", "cb=1"),
        ("iCalUID", "x@google.com"),
        ("updatedMin", "2024-01-01T00:00:00Z"),
        ("showDeleted", "false"),
    ],
)
def test_parameters_not_allowed_with_a_sync_token_are_400(
    api: httpx.Client, name: str, value: str
) -> None:
    _, sync_token, _ = list_all(api)
    response = api.get(EVENTS, params={"syncToken": sync_token, name: value})
    assert (response.status_code, reason(response)) == (400, "invalid")


def test_weekly_event_expands_into_instances_with_a_cancelled_one(
    google: GoogleEmulator, api: httpx.Client
) -> None:
    weekly = {
        "id": "standup1",
        "summary": "Standup",
        "start": {"dateTime": "2024-01-08T10:00:00", "timeZone": "Europe/Berlin"},
        "end": {"dateTime": "2024-01-08T10:30:00", "timeZone": "Europe/Berlin"},
        "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=4"],
    }
    assert api.post(EVENTS, json=weekly).status_code == 200
    assert api.delete(f"{EVENTS}/standup1_20240115T090000Z").status_code == 204

    instances, _, _ = list_all(api, singleEvents="true", orderBy="startTime")
    assert [item["id"] for item in instances] == [
        "standup1_20240108T090000Z",
        "standup1_20240122T090000Z",
        "standup1_20240129T090000Z",
    ]
    assert instances[1]["recurringEventId"] == "standup1"
    assert instances[1]["originalStartTime"] == {
        "dateTime": "2024-01-22T10:00:00+01:00",
        "timeZone": "Europe/Berlin",
    }
    assert "recurrence" not in instances[1]

    with_deleted, _, _ = list_all(api, singleEvents="true", showDeleted="true")
    assert [item["status"] for item in with_deleted].count("cancelled") == 1
    windowed, _, _ = list_all(
        api, singleEvents="true", timeMin="2024-01-20T00:00:00Z", timeMax="2024-01-25T00:00:00Z"
    )
    assert [item["id"] for item in windowed] == ["standup1_20240122T090000Z"]

    series, _, _ = list_all(api)
    assert [(item["id"], item["status"]) for item in series] == [
        ("standup1", "confirmed"),
        ("standup1_20240115T090000Z", "cancelled"),
    ]


def test_all_day_instances_are_keyed_by_date(google: GoogleEmulator, api: httpx.Client) -> None:
    google.state.insert_event(
        CALENDAR,
        {
            "id": "offsite1",
            "start": {"date": "2024-03-01"},
            "end": {"date": "2024-03-02"},
            "recurrence": ["RRULE:FREQ=DAILY;COUNT=2"],
        },
    )
    instances, _, _ = list_all(api, singleEvents="true")
    assert [(item["id"], item["start"]) for item in instances] == [
        ("offsite1_20240301", {"date": "2024-03-01"}),
        ("offsite1_20240302", {"date": "2024-03-02"}),
    ]


def test_editing_one_instance_stores_an_exception_that_incremental_sync_returns(
    google: GoogleEmulator, api: httpx.Client
) -> None:
    google.state.insert_event(
        CALENDAR,
        {
            "id": "standup1",
            "start": {"dateTime": "2024-01-08T10:00:00", "timeZone": "Europe/Berlin"},
            "end": {"dateTime": "2024-01-08T10:30:00", "timeZone": "Europe/Berlin"},
            "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=3"],
        },
    )
    _, sync_token, _ = list_all(api, singleEvents="true")

    moved = {
        "start": {"dateTime": "2024-01-15T11:00:00"},
        "end": {"dateTime": "2024-01-15T11:30:00"},
    }
    assert api.patch(f"{EVENTS}/standup1_20240115T090000Z", json=moved).status_code == 200
    changes, _, _ = list_all(api, singleEvents="true", syncToken=sync_token)

    assert [(item["id"], item["start"]["dateTime"]) for item in changes] == [
        ("standup1_20240115T090000Z", "2024-01-15T11:00:00+01:00")
    ]
    assert changes[0]["originalStartTime"]["dateTime"] == "2024-01-15T10:00:00+01:00"
    assert "standup1_20240115T090000Z" in google.state.events(CALENDAR)
