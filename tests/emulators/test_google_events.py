"""Event writes on the emulator: client-chosen ids, etags and If-Match, deletes."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.emulators.google_calendar import GoogleEmulator
from tests.emulators.google_samples import reason, timed_event

EVENTS = "/calendars/primary/events"


def test_insert_honours_the_client_id_and_keeps_private_properties(
    google: GoogleEmulator, api: httpx.Client
) -> None:
    body = timed_event("act00042", extendedProperties={"private": {"calbridgeId": "42"}})
    created = api.post(EVENTS, params={"sendUpdates": "none"}, json=body)

    assert created.status_code == 200
    event = created.json()
    assert event["id"] == "act00042"
    assert re.fullmatch(r'"\d+"', event["etag"])
    assert created.headers["etag"] == event["etag"]
    assert event["status"] == "confirmed"
    fetched = api.get(f"{EVENTS}/act00042").json()
    assert fetched["extendedProperties"] == {"private": {"calbridgeId": "42"}}
    assert [(w.method, w.event_id, w.send_updates) for w in google.state.writes] == [
        ("insert", "act00042", "none")
    ]


def test_reusing_an_id_is_409_duplicate_even_after_delete(api: httpx.Client) -> None:
    assert api.post(EVENTS, json=timed_event("act00042")).status_code == 200
    assert api.delete(f"{EVENTS}/act00042").status_code == 204

    again = api.post(EVENTS, json=timed_event("act00042"))
    assert (again.status_code, reason(again)) == (409, "duplicate")


@pytest.mark.parametrize("event_id", ["ABCDEF", "abcd", "wxyz0123", "act-0042", "a" * 1025])
def test_ids_outside_base32hex_5_to_1024_are_400_invalid(api: httpx.Client, event_id: str) -> None:
    response = api.post(EVENTS, json=timed_event(event_id))
    assert (response.status_code, reason(response)) == (400, "invalid")


def test_if_match_guards_patch_and_delete(api: httpx.Client) -> None:
    first = api.post(EVENTS, json=timed_event("act00042")).json()
    patched = api.patch(
        f"{EVENTS}/act00042", json={"summary": "Moved"}, headers={"If-Match": first["etag"]}
    )
    assert patched.status_code == 200
    assert patched.json()["etag"] != first["etag"]
    assert patched.json()["updated"] >= first["updated"]

    stale = {"If-Match": first["etag"]}
    refused = api.patch(f"{EVENTS}/act00042", json={"summary": "Lost"}, headers=stale)
    assert (refused.status_code, reason(refused)) == (412, "conditionNotMet")
    refused = api.delete(f"{EVENTS}/act00042", headers=stale)
    assert (refused.status_code, reason(refused)) == (412, "conditionNotMet")
    assert api.get(f"{EVENTS}/act00042").json()["summary"] == "Moved"

    current = {"If-Match": patched.json()["etag"]}
    assert api.delete(f"{EVENTS}/act00042", headers=current).status_code == 204


def test_deleted_events_stay_gettable_as_cancelled_and_cannot_be_deleted_twice(
    api: httpx.Client,
) -> None:
    api.post(EVENTS, json=timed_event("act00042"))
    assert api.delete(f"{EVENTS}/act00042").status_code == 204

    fetched = api.get(f"{EVENTS}/act00042")
    assert (fetched.status_code, fetched.json()["status"]) == (200, "cancelled")
    again = api.delete(f"{EVENTS}/act00042")
    assert (again.status_code, reason(again)) == (410, "deleted")
    unknown = api.delete(f"{EVENTS}/nosuchevent")
    assert (unknown.status_code, reason(unknown)) == (404, "notFound")


def test_update_replaces_and_patch_merges(api: httpx.Client) -> None:
    body = timed_event("act00042", location="Room 1", extendedProperties={"private": {"a": "1"}})
    api.post(EVENTS, json=body)

    patch = {"extendedProperties": {"private": {"b": "2"}}}
    merged = api.patch(f"{EVENTS}/act00042", json=patch).json()
    assert merged["extendedProperties"]["private"] == {"a": "1", "b": "2"}
    assert merged["location"] == "Room 1"

    replaced = api.put(f"{EVENTS}/act00042", json=timed_event("act00042")).json()
    assert "location" not in replaced
    assert "extendedProperties" not in replaced


def test_invalid_send_updates_and_empty_time_range_are_400(api: httpx.Client) -> None:
    bad_flag = api.post(EVENTS, params={"sendUpdates": "nobody"}, json=timed_event("act00042"))
    assert (bad_flag.status_code, reason(bad_flag)) == (400, "invalid")
    backwards = timed_event("act00043")
    backwards["end"] = {"dateTime": "2024-01-08T08:00:00Z"}
    response = api.post(EVENTS, json=backwards)
    assert (response.status_code, reason(response)) == (400, "timeRangeEmpty")


def test_private_extended_property_filters_the_list(api: httpx.Client) -> None:
    api.post(EVENTS, json=timed_event("ours0001", extendedProperties={"private": {"cb": "1"}}))
    api.post(EVENTS, json=timed_event("ours0002", extendedProperties={"private": {"cb": "2"}}))
    api.post(EVENTS, json=timed_event("theirs01", extendedProperties={"shared": {"cb": "1"}}))

    listed = api.get(EVENTS, params={"privateExtendedProperty": "cb=1"}).json()
    assert [item["id"] for item in listed["items"]] == ["ours0001"]
