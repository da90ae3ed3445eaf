"""calendarView delta: paging, incremental rounds with @removed, series expansion, 410."""

from __future__ import annotations

import httpx

from tests.emulators.microsoft import Fault, GraphEmulator
from tests.emulators.microsoft.samples import PROP_ID, timed_event, weekly_series

WINDOW = {"startDateTime": "2030-01-01T00:00:00Z", "endDateTime": "2030-02-01T00:00:00Z"}


def _round(api: httpx.Client, url: str, params: dict | None = None) -> tuple[list[dict], str]:
    items: list[dict] = []
    headers = {"Prefer": "odata.maxpagesize=2"}
    page = api.get(url, params=params, headers=headers).json()
    while True:
        items += page["value"]
        if "@odata.deltaLink" in page:
            return items, page["@odata.deltaLink"]
        page = api.get(page["@odata.nextLink"], headers=headers).json()


def test_full_then_incremental(graph: GraphEmulator, api: httpx.Client) -> None:
    calendar = graph.state.default_calendar()
    body = timed_event("a", singleValueExtendedProperties=[{"id": PROP_ID, "value": "1"}])
    kept = graph.state.insert_event(calendar, body)
    changed = graph.state.insert_event(calendar, timed_event("b", day="2030-01-08"))
    deleted = graph.state.insert_event(calendar, timed_event("c", day="2030-01-09"))
    moved = graph.state.insert_event(calendar, timed_event("d", day="2030-01-10"))
    graph.state.insert_event(calendar, timed_event("outside", day="2030-03-01"))
    url = f"/me/calendars/{calendar}/calendarView/delta"

    items, delta_link = _round(api, url, WINDOW)
    assert sorted(i["subject"] for i in items) == ["a", "b", "c", "d"]
    assert all("singleValueExtendedProperties" not in i for i in items)
    assert "$deltatoken=" in delta_link
    assert graph.requests["delta"] == 2

    graph.state.patch_event(calendar, changed["id"], {"subject": "b2"})
    graph.state.delete_event(calendar, deleted["id"])
    graph.state.patch_event(
        calendar,
        moved["id"],
        {
            "start": {"dateTime": "2030-05-01T09:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2030-05-01T10:00:00", "timeZone": "UTC"},
        },
    )
    new = graph.state.insert_event(calendar, timed_event("e", day="2030-01-11"))

    changes, next_link = _round(api, delta_link)
    full = {i["id"]: i for i in changes if "@removed" not in i}
    removed = {i["id"]: i for i in changes if "@removed" in i}
    assert set(full) == {changed["id"], new["id"]}
    assert full[changed["id"]]["subject"] == "b2"
    assert set(removed) == {deleted["id"], moved["id"]}
    assert removed[deleted["id"]]["@removed"] == {"reason": "deleted"}
    assert kept["id"] not in full

    nothing, _ = _round(api, next_link)
    assert nothing == []


def test_series_expand_to_occurrences_without_master(
    graph: GraphEmulator, api: httpx.Client
) -> None:
    calendar = graph.state.default_calendar()
    series = graph.state.insert_event(calendar, weekly_series("weekly", count=4))
    items, link = _round(api, "/me/calendarView/delta", WINDOW)
    assert [i["type"] for i in items] == ["occurrence"] * 4
    assert {i["seriesMasterId"] for i in items} == {series["id"]}
    assert items[1]["originalStart"] == "2030-01-14T10:00:00Z"
    assert len({i["iCalUId"] for i in items}) == 4

    graph.state.cancel_occurrence(calendar, series["id"], "2030-01-14T10:00:00Z")
    third = items[2]["id"]
    graph.state.patch_event(calendar, third, {"subject": "moved"})
    changes, _ = _round(api, link)
    assert {i["id"]: i.get("@removed") for i in changes if "@removed" in i} == {
        items[1]["id"]: {"reason": "deleted"}
    }
    exceptions = [i for i in changes if "@removed" not in i]
    assert [(i["type"], i["subject"], i["id"]) for i in exceptions] == [
        ("exception", "moved", third)
    ]


def test_expired_tokens_answer_410(graph: GraphEmulator, api: httpx.Client) -> None:
    calendar = graph.state.default_calendar()
    graph.state.insert_event(calendar, timed_event("a"))
    _, link = _round(api, "/me/calendarView/delta", WINDOW)
    assert graph.state.expire_delta_tokens() >= 1
    gone = api.get(link)
    assert gone.status_code == 410
    assert gone.json()["error"]["code"] == "SyncStateNotFound"
    graph.inject(Fault.sync_state_not_found())
    assert api.get("/me/calendarView/delta", params=WINDOW).status_code == 410
    assert api.get("/me/calendarView/delta").status_code == 400
