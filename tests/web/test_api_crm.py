"""The CRM side of the JSON API end to end: real HTTP against the running app.

Activities pushed in over `/api/v1/activities` must show up over CalDAV and
in feeds at once, only their owner may change them, and a colleague's
private activity never shows more than its busy time.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from bridge.domain import User
from bridge.store import feeds
from bridge.store.db import writing
from tests.web.api_client import Api, assert_error

ACTIVITIES = "/api/v1/activities"
CANARY = "canary-7f3e"
DAY = (dt.date.today() + dt.timedelta(days=3)).isoformat()


@pytest.fixture
def bob_api(api: Api, bob: User) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api.base_url, auth=("bob", "bob-password"), trust_env=False) as c:
        yield c


def create(client: Api | httpx.Client, **body: Any) -> dict[str, Any]:
    response = client.post(ACTIVITIES, json={"subject": "Call Ann", **body})
    assert response.status_code == 201, response.text
    return response.json()


def dav_get(api: Api, activity: dict[str, Any]) -> httpx.Response:
    return api.get(f"/dav/alice/activities/{activity['href']}")


def assert_field(response: httpx.Response, field: str) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json()["field"] == field
    assert response.json()["error"].startswith(field)


# -- create, read, change, delete --------------------------------------------------


def test_create_read_update_delete_reach_caldav_and_the_feed(
    api: Api, engine: sa.Engine, crm_user: User
) -> None:
    with writing(engine) as conn:
        token = feeds.create_feed(conn, crm_user.id)
    org = api.post("/api/v1/organizations", json={"name": "Acme"}).json()
    person = api.post("/api/v1/persons", json={"name": "Ann", "org_id": org["id"]}).json()
    deal = api.post("/api/v1/deals", json={"title": "Big one", "org_id": org["id"]}).json()
    body = {
        "subject": "Kick-off",
        "type": "meeting",
        "date": DAY,
        "time": "09:30",
        "end": f"{DAY}T10:15:00Z",
        "busy": False,
        "location": "Room 4",
        "description": "Agenda: everything",
        "note": "internal only",
        "deal_id": deal["id"],
        "person_id": person["id"],
        "org_id": org["id"],
        "participant_ids": [person["id"]],
        "attendees": [{"email": "ann@example.com", "name": "Ann"}],
    }
    response = api.post(ACTIVITIES, json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"] == f"{ACTIVITIES}/{created['id']}"
    assert created["duration_minutes"] == 45
    assert created["end"] == f"{DAY}T10:15:00+00:00"
    assert created["owner"] == "alice"
    assert created["attendees"] == [
        {"email": "ann@example.com", "name": "Ann", "status": "NEEDS-ACTION"}
    ]
    assert created["all_day"] is False and created["busy"] is False
    assert api.get(response.headers["location"]).json() == created

    dav = dav_get(api, created)
    assert dav.status_code == 200, dav.text
    assert "SUMMARY:Kick-off" in dav.text
    assert "LOCATION:Room 4" in dav.text
    assert "internal only" not in dav.text
    feed = api.get(f"/feeds/{token}.ics")
    assert feed.status_code == 200
    assert "SUMMARY:Kick-off" in feed.text

    changed = api.patch(
        f"{ACTIVITIES}/{created['id']}", json={"subject": "Kick-off, moved", "done": True}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["subject"] == "Kick-off, moved"
    assert changed.json()["done"] is True and changed.json()["done_at"]
    assert changed.json()["location"] == "Room 4"
    assert "SUMMARY:Kick-off\\, moved" in dav_get(api, created).text
    assert "Kick-off\\, moved" in api.get(f"/feeds/{token}.ics").text

    assert api.delete(f"{ACTIVITIES}/{created['id']}").status_code == 204
    assert dav_get(api, created).status_code == 404
    assert "Kick-off" not in api.get(f"/feeds/{token}.ics").text
    assert_error(api.get(f"{ACTIVITIES}/{created['id']}"), 404)
    assert_error(api.delete(f"{ACTIVITIES}/{created['id']}"), 404)


def test_all_day_undated_and_patching_times(api: Api) -> None:
    all_day = create(api, date=DAY, end=DAY)
    assert all_day["all_day"] is True
    assert all_day["end"] == DAY
    assert all_day["type"] == "meeting"
    todo = create(api)
    assert todo["date"] is None and todo["type"] == "task"
    assert "BEGIN:VTODO" in api.get(f"/dav/alice/tasks/{todo['href']}").text

    timed = api.patch(f"{ACTIVITIES}/{all_day['id']}", json={"time": "14:00"}).json()
    assert timed["all_day"] is False and timed["time"] == "14:00:00"
    assert timed["duration_minutes"] is None
    timed = api.patch(f"{ACTIVITIES}/{all_day['id']}", json={"duration_minutes": 90}).json()
    assert timed["end"] == f"{DAY}T15:30:00+00:00"
    again = api.patch(f"{ACTIVITIES}/{all_day['id']}", json={"all_day": True}).json()
    assert again["all_day"] is True and again["duration_minutes"] is None
    assert "DTSTART;VALUE=DATE:" in dav_get(api, again).text
    timed = api.patch(f"{ACTIVITIES}/{all_day['id']}", json={"time": "14:00"}).json()
    assert "SUMMARY:Call Ann" in dav_get(api, timed).text
    undated = api.patch(f"{ACTIVITIES}/{all_day['id']}", json={"date": None}).json()
    assert undated["date"] is None and undated["time"] is None


# -- listing ----------------------------------------------------------------------


def test_filters_and_paging(api: Api) -> None:
    base = dt.date.today() + dt.timedelta(days=10)
    made = [
        create(api, subject=f"n{number}", date=(base + dt.timedelta(days=number)).isoformat())
        for number in (3, 1, 2, 0)
    ]
    create(api, subject="call", type="call", date=base.isoformat(), time="08:00", done=True)
    create(api, subject="undated")

    listed = api.get(ACTIVITIES).json()
    subjects = [item["subject"] for item in listed["activities"]]
    assert subjects == ["n0", "call", "n1", "n2", "n3", "undated"]
    assert listed["next_cursor"] is None

    def subjects_of(**params: str) -> list[str]:
        response = api.get(ACTIVITIES, params=params)
        assert response.status_code == 200, response.text
        return [item["subject"] for item in response.json()["activities"]]

    assert subjects_of(type="call") == ["call"]
    assert subjects_of(type="meeting,call", done="false") == ["n0", "n1", "n2", "n3"]
    assert subjects_of(done="true") == ["call"]
    day1 = (base + dt.timedelta(days=1)).isoformat()
    day3 = (base + dt.timedelta(days=3)).isoformat()
    assert subjects_of(**{"from": day1, "to": day3}) == ["n1", "n2"]
    assert subjects_of(**{"from": f"{base.isoformat()}T07:00:00Z", "to": day1}) == ["call"]
    assert subjects_of(offset="4", limit="1") == ["n3"]

    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = api.get(ACTIVITIES, params=params).json()
        seen += [item["subject"] for item in page["activities"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == subjects
    assert len(made) == 4

    assert subjects_of(sort="-start", limit="3") == ["undated", "n3", "n2"]
    assert subjects_of(sort="subject") == sorted(subjects)
    by_type = api.get(ACTIVITIES, params={"sort": "type", "limit": "1"}).json()
    assert by_type["next_cursor"] is None and by_type["more"] is True
    assert subjects_of(sync="synced") == []
    assert subjects_of(sync="not-synced") == subjects

    for params, field in (
        ({"limit": "501"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"cursor": "nonsense!"}, "cursor"),
        ({"cursor": base64.urlsafe_b64encode(b"[" * 6000 + b"]" * 6000).decode()}, "cursor"),
        ({"from": "yesterday"}, "from"),
        ({"to": "9999-12-31"}, "to"),
        ({"from": day3, "to": day1}, "to"),
        ({"done": "maybe"}, "done"),
        ({"color": "red"}, "color"),
        ({"owner": "nobody"}, "owner"),
        ({"sort": "colour"}, "sort"),
        ({"sync": "maybe"}, "sync"),
        ({"sort": "subject", "cursor": "WzEsMl0"}, "cursor"),
    ):
        assert_field(api.get(ACTIVITIES, params=params), field)


# -- refusals ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"subject": "x", "type": "picnic"}, "type"),
        ({"subject": "x", "type": 3}, "type"),
        ({"subject": "x", "date": "2026-02-30"}, "date"),
        ({"subject": "x", "date": "tomorrow"}, "date"),
        ({"subject": "x", "date": "9999-12-31", "time": "23:00"}, "date"),
        ({"subject": "x", "date": "0001-01-01"}, "date"),
        ({"subject": "x", "date": DAY, "end": "9999-12-31T23:59:00Z"}, "end"),
        ({"subject": "x", "date": DAY, "time": "25:00"}, "time"),
        ({"subject": "x", "time": "10:00"}, "time"),
        ({"subject": "x", "date": DAY, "time": "10:00", "end": f"{DAY}T09:00:00Z"}, "end"),
        ({"subject": "x", "date": DAY, "end": "2000-01-01"}, "end"),
        ({"subject": "x", "date": DAY, "duration_minutes": -5}, "duration_minutes"),
        ({"subject": "x", "date": DAY, "duration_minutes": "60"}, "duration_minutes"),
        ({"subject": "x", "colour": "red"}, "colour"),
        ({"subject": "x", "id": 5}, "id"),
        ({"subject": "x", "private": "yes"}, "private"),
        ({"subject": "x", "done": 1}, "done"),
        ({"subject": ["x"]}, "subject"),
        ({"subject": ""}, "subject"),
        ({"subject": "x" * 501}, "subject"),
        ({"subject": "x", "note": "n" * 20_001}, "note"),
        ({"subject": "x", "location": None}, "location"),
        ({"subject": "x", "deal_id": 999_999}, "deal_id"),
        ({"subject": "x", "person_id": "1"}, "person_id"),
        ({"subject": "x", "participant_ids": [999_999]}, "participant_ids"),
        ({"subject": "x", "attendees": [{"email": "not an address"}]}, "attendees"),
        ({"subject": "x", "attendees": "ann@example.com"}, "attendees"),
        ({"subject": "x", "all_day": True}, "all_day"),
        ({"date": DAY}, "subject"),
    ],
)
def test_bad_fields_are_named(api: Api, body: dict[str, Any], field: str) -> None:
    assert_field(api.post(ACTIVITIES, json=body), field)


def test_bad_changes_are_named_and_change_nothing(api: Api) -> None:
    activity = create(api, date=DAY, time="10:00", duration_minutes=30)
    one = f"{ACTIVITIES}/{activity['id']}"
    assert_field(api.patch(one, json={"end": f"{DAY}T09:00:00Z"}), "end")
    assert_field(api.patch(one, json={"subject": "ok", "type": "nope"}), "type")
    assert_field(api.patch(one, json={"owner": "bob"}), "owner")
    assert api.get(one).json() == activity
    assert_error(
        api.post(ACTIVITIES, content=b"{", headers={"content-type": "application/json"}), 400
    )
    assert_error(api.post(ACTIVITIES, json=[1]), 400)
    assert_error(api.post(ACTIVITIES, content=b"x", headers={"content-type": "text/plain"}), 415)
    assert_error(api.request("PUT", one, json={}), 405)
    assert_error(api.get(f"{ACTIVITIES}/{2**64}"), 404)


# -- other users ------------------------------------------------------------------


def test_a_colleagues_private_activity_is_only_busy_time(
    api: Api, bob_api: httpx.Client, engine: sa.Engine, crm_user: User
) -> None:
    org = api.post("/api/v1/organizations", json={"name": "Org"}).json()
    secret = create(
        bob_api,
        subject=f"subject {CANARY}",
        type="lunch",
        date=DAY,
        time="12:00",
        duration_minutes=60,
        private=True,
        location=f"location {CANARY}",
        description=f"description {CANARY}",
        note=f"note {CANARY}",
        org_id=org["id"],
        attendees=[{"email": f"{CANARY}@example.com", "name": CANARY}],
    )
    public = create(bob_api, subject="bob's public call", type="call", date=DAY, note="n")
    mine = create(api, subject="mine", date=DAY)

    listed = api.get(ACTIVITIES, params={"owner": "all"}).json()["activities"]
    by_id = {item["id"]: item for item in listed}
    assert set(by_id) == {secret["id"], public["id"], mine["id"]}
    assert by_id[secret["id"]] == {
        "id": secret["id"],
        "owner": "bob",
        "subject": "Busy",
        "date": DAY,
        "time": "12:00:00",
        "duration_minutes": 60,
        "end": f"{DAY}T13:00:00+00:00",
        "all_day": False,
        "busy": True,
        "private": True,
    }
    assert by_id[public["id"]]["subject"] == "bob's public call"
    only_bob = api.get(ACTIVITIES, params={"owner": "bob"}).json()["activities"]
    assert {item["id"] for item in only_bob} == {secret["id"], public["id"]}
    # Filters by type or state do not tell a private activity's type or state.
    for params in ({"type": "call"}, {"type": "lunch"}, {"done": "true"}):
        found = api.get(ACTIVITIES, params={"owner": "bob", **params}).json()["activities"]
        assert secret["id"] in {item["id"] for item in found}
    assert api.get(ACTIVITIES).json()["activities"][0]["id"] == mine["id"]

    assert api.get(f"{ACTIVITIES}/{public['id']}").json()["subject"] == "bob's public call"
    assert_error(api.get(f"{ACTIVITIES}/{secret['id']}"), 404, f"no activity {secret['id']}")
    for target in (secret, public):
        one = f"{ACTIVITIES}/{target['id']}"
        assert_error(api.patch(one, json={"subject": "mine now"}), 404)
        assert_error(api.delete(one), 404)
    with writing(engine) as conn:
        token = feeds.create_feed(conn, crm_user.id, "team")
    assert "BEGIN:VEVENT" in api.get(f"/feeds/{token}.ics").text
    api.assert_never_shown(CANARY)

    assert bob_api.get(f"{ACTIVITIES}/{secret['id']}").json()["note"] == f"note {CANARY}"
    assert bob_api.get(f"{ACTIVITIES}/{public['id']}").json()["subject"] == "bob's public call"


def test_sign_in_is_required(api: Api) -> None:
    for path in (ACTIVITIES, "/api/v1/deals", "/api/v1/persons", "/api/v1/organizations"):
        response = httpx.get(f"{api.base_url}{path}", trust_env=False)
        assert_error(response, 401)


# -- deals, persons, organizations -------------------------------------------------


def test_crm_records_list_create_and_read(api: Api) -> None:
    org = api.post("/api/v1/organizations", json={"name": "Acme", "address": "1 Road"})
    assert org.status_code == 201
    org_id = org.json()["id"]
    assert org.headers["location"] == f"/api/v1/organizations/{org_id}"
    person = api.post(
        "/api/v1/persons",
        json={"name": "Ann", "email": "ann@example.com", "phone": "+1", "org_id": org_id},
    ).json()
    deal = api.post(
        "/api/v1/deals",
        json={"title": "Deal", "value": 1200.5, "currency": "USD", "person_id": person["id"]},
    ).json()
    assert deal == {
        "id": deal["id"],
        "title": "Deal",
        "value": 1200.5,
        "currency": "USD",
        "stage": "lead",
        "person_id": person["id"],
        "org_id": None,
    }
    assert api.get(f"/api/v1/deals/{deal['id']}").json() == deal
    assert api.get(f"/api/v1/persons/{person['id']}").json()["org_id"] == org_id
    assert api.get("/api/v1/organizations").json() == {"organizations": [org.json()]}
    assert api.get("/api/v1/persons", params={"limit": "1"}).json()["persons"] == [person]
    assert api.get("/api/v1/deals", params={"offset": "1"}).json() == {"deals": []}
    assert_error(api.get("/api/v1/deals/999999"), 404, "no deal 999999")

    for path, body, field in (
        ("/api/v1/organizations", {}, "name"),
        ("/api/v1/organizations", {"name": "x" * 201}, "name"),
        ("/api/v1/persons", {"name": "B", "org_id": 999_999}, "org_id"),
        ("/api/v1/persons", {"name": "B", "age": 3}, "age"),
        ("/api/v1/deals", {"title": "D", "value": "much"}, "value"),
        ("/api/v1/deals", {"title": "D", "currency": "euro"}, "currency"),
        ("/api/v1/deals", {"title": "D", "person_id": 999_999}, "person_id"),
    ):
        assert_field(api.post(path, json=body), field)
