"""Collections clients make themselves behave as with Radicale's file storage."""

from __future__ import annotations

import httpx
import pytest
import sqlalchemy as sa

from bridge.store import users

AUTH = ("carol", "carol-pw")

MKCOL_ADDRESSBOOK = """<?xml version="1.0" encoding="utf-8"?>
<D:mkcol xmlns:D="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav">
  <D:set><D:prop>
    <D:resourcetype><D:collection/><CR:addressbook/></D:resourcetype>
    <D:displayname>Contacts</D:displayname>
  </D:prop></D:set>
</D:mkcol>"""

VCARD = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:card-1\r\n"
    "FN:Ada Lovelace\r\nN:Lovelace;Ada;;;\r\nEND:VCARD\r\n"
)


def _calendar_with(*uids: str) -> str:
    events = "".join(
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\n"
        f"DTSTART:20261201T0{index}0000Z\r\nSUMMARY:Event {uid}\r\nEND:VEVENT\r\n"
        for index, uid in enumerate(uids)
    )
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{events}END:VCALENDAR\r\n"


@pytest.fixture
def dav(live_server: str, engine: sa.Engine) -> httpx.Client:
    with engine.begin() as conn:
        users.create_user(conn, "carol", "carol-pw")
    with httpx.Client(base_url=f"{live_server}/dav/carol", auth=AUTH) as client:
        assert client.request("PROPFIND", "/", headers={"Depth": "0"}).status_code == 207
        yield client


def test_address_book_round_trip(dav: httpx.Client) -> None:
    assert dav.request("MKCOL", "/contacts/", content=MKCOL_ADDRESSBOOK).status_code == 201
    assert dav.put("/contacts/ada.vcf", content=VCARD).status_code == 201
    fetched = dav.get("/contacts/ada.vcf")
    assert fetched.status_code == 200
    assert "FN:Ada Lovelace" in fetched.text
    assert fetched.headers["etag"]
    assert dav.delete("/contacts/ada.vcf").status_code == 200
    assert dav.get("/contacts/ada.vcf").status_code == 404


def test_whole_collection_put_and_get(dav: httpx.Client) -> None:
    response = dav.put(
        "/imported/",
        content=_calendar_with("a", "b", "c"),
        headers={"Content-Type": "text/calendar"},
    )
    assert response.status_code == 201
    listing = dav.request("PROPFIND", "/imported/", headers={"Depth": "1"})
    assert listing.text.count("<response>") == 4
    whole = dav.get("/imported/")
    assert whole.status_code == 200
    assert all(f"UID:{uid}" in whole.text for uid in "abc")


def test_move_between_calendars(dav: httpx.Client) -> None:
    dav.put("/one/", content=_calendar_with("m"), headers={"Content-Type": "text/calendar"})
    dav.put("/two/", content=_calendar_with("n"), headers={"Content-Type": "text/calendar"})
    moved = dav.request("MOVE", "/one/m.ics", headers={"Destination": f"{dav.base_url}/two/m.ics"})
    assert moved.status_code == 201
    assert dav.get("/one/m.ics").status_code == 404
    assert "UID:m" in dav.get("/two/m.ics").text


def test_uid_conflict_in_a_calendar(dav: httpx.Client) -> None:
    dav.put("/cal/", content=_calendar_with("dup"), headers={"Content-Type": "text/calendar"})
    clash = dav.put("/cal/other-name.ics", content=_calendar_with("dup"))
    assert clash.status_code == 409
    assert "no-uid-conflict" in clash.text


def test_delete_collection_removes_its_items(dav: httpx.Client) -> None:
    dav.put("/gone/", content=_calendar_with("g"), headers={"Content-Type": "text/calendar"})
    assert dav.delete("/gone/").status_code == 200
    assert dav.get("/gone/g.ics").status_code == 404
    assert dav.request("PROPFIND", "/gone/", headers={"Depth": "0"}).status_code == 404


def test_activity_collections_cannot_be_deleted_or_replaced(dav: httpx.Client) -> None:
    assert dav.delete("/activities/").status_code in (401, 403)
    replaced = dav.put(
        "/activities/", content=_calendar_with("x"), headers={"Content-Type": "text/calendar"}
    )
    assert replaced.status_code in (403, 405)
    assert dav.request("PROPFIND", "/activities/", headers={"Depth": "0"}).status_code == 207


def test_invalid_sync_token_is_refused(dav: httpx.Client) -> None:
    body = """<?xml version="1.0" encoding="utf-8"?>
<D:sync-collection xmlns:D="DAV:"><D:sync-token>http://calbridge.org/ns/sync/999-1</D:sync-token>
<D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>"""
    response = dav.request("REPORT", "/activities/", content=body)
    assert response.status_code == 403
    assert "valid-sync-token" in response.text
