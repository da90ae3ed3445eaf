"""PROPPATCH on the activity calendars: their looks are the owner's, their structure is not."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx
import pytest
import sqlalchemy as sa

from bridge.store.db import writing
from bridge.store.users import create_user

ALICE = ("alice", "alice-pw")
DAV = "{DAV:}"
CALDAV = "{urn:ietf:params:xml:ns:caldav}"
NAMESPACES = (
    'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" '
    'xmlns:I="http://apple.com/ns/ical/" xmlns:R="http://radicale.org/ns/"'
)
EVENT = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
    "BEGIN:VEVENT\r\nUID:after-proppatch\r\nDTSTAMP:20240101T000000Z\r\n"
    "DTSTART:20240702T090000Z\r\nSUMMARY:Still an event\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


@pytest.fixture
def alice(engine: sa.Engine) -> None:
    with writing(engine) as conn:
        create_user(conn, *ALICE)


def _proppatch(live_server: str, name: str, props: str) -> httpx.Response:
    body = (
        f'<?xml version="1.0" encoding="utf-8"?><D:propertyupdate {NAMESPACES}>'
        f"<D:set><D:prop>{props}</D:prop></D:set></D:propertyupdate>"
    )
    return httpx.request(
        "PROPPATCH", f"{live_server}/dav/alice/{name}/", content=body, auth=ALICE, timeout=60
    )


def _statuses(answer: httpx.Response) -> dict[str, tuple[str, list[str]]]:
    """Each property's status line and the preconditions its propstat names."""
    assert answer.status_code == 207, answer.text
    found = {}
    for propstat in ET.fromstring(answer.content).iter(f"{DAV}propstat"):
        status = propstat.findtext(f"{DAV}status") or ""
        error = propstat.find(f"{DAV}error")
        conditions = [child.tag for child in error] if error is not None else []
        for prop in propstat.find(f"{DAV}prop") or []:
            found[prop.tag] = (status, conditions)
    return found


def _looks(live_server: str, name: str) -> dict[str, str]:
    body = (
        f'<?xml version="1.0"?><D:propfind {NAMESPACES}><D:prop><D:displayname/>'
        "<I:calendar-color/><C:supported-calendar-component-set/></D:prop></D:propfind>"
    )
    answer = httpx.request(
        "PROPFIND",
        f"{live_server}/dav/alice/{name}/",
        content=body,
        headers={"Depth": "0"},
        auth=ALICE,
    )
    root = ET.fromstring(answer.content)
    components = root.iter(f"{CALDAV}comp")
    return {
        "name": root.findtext(f".//{DAV}displayname") or "",
        "color": root.findtext(".//{http://apple.com/ns/ical/}calendar-color") or "",
        "components": ",".join(sorted(comp.get("name", "") for comp in components)),
    }


@pytest.mark.parametrize(
    "props",
    [
        '<C:supported-calendar-component-set><C:comp name="VTODO"/>'
        "</C:supported-calendar-component-set>",
        "<R:tag>VADDRESSBOOK</R:tag>",
        "<D:resourcetype><D:collection/></D:resourcetype>",
    ],
)
def test_structural_properties_are_protected(live_server: str, alice: None, props: str) -> None:
    before = _looks(live_server, "activities")
    answer = _proppatch(live_server, "activities", props + "<D:displayname>Work</D:displayname>")
    statuses = _statuses(answer)
    protected = [status for tag, status in statuses.items() if tag != f"{DAV}displayname"]
    assert protected == [("HTTP/1.1 403 Forbidden", [f"{DAV}cannot-modify-protected-property"])]
    assert statuses[f"{DAV}displayname"][0] == "HTTP/1.1 424 Failed Dependency"
    assert _looks(live_server, "activities") == before
    put = httpx.put(
        f"{live_server}/dav/alice/activities/after.ics",
        content=EVENT,
        headers={"Content-Type": "text/calendar"},
        auth=ALICE,
    )
    assert put.status_code == 201, put.text


def test_names_and_colours_stay_editable(live_server: str, alice: None) -> None:
    for name in ("activities", "tasks"):
        answer = _proppatch(
            live_server,
            name,
            "<D:displayname>Mine</D:displayname><I:calendar-color>#ff0000ff</I:calendar-color>"
            "<C:calendar-description>What I do</C:calendar-description>",
        )
        assert {status for status, _ in _statuses(answer).values()} == {"HTTP/1.1 200 OK"}
        looks = _looks(live_server, name)
        assert (looks["name"], looks["color"]) == ("Mine", "#ff0000ff")


def test_a_name_too_long_is_refused_and_nothing_changes(live_server: str, alice: None) -> None:
    before = _looks(live_server, "activities")
    answer = _proppatch(
        live_server,
        "activities",
        f"<D:displayname>{'x' * 3_000_000}</D:displayname>"
        "<I:calendar-color>#00ff00ff</I:calendar-color>",
    )
    statuses = _statuses(answer)
    assert statuses[f"{DAV}displayname"][0] == "HTTP/1.1 409 Conflict"
    assert statuses["{http://apple.com/ns/ical/}calendar-color"][0] == (
        "HTTP/1.1 424 Failed Dependency"
    )
    assert _looks(live_server, "activities") == before
    fits = _proppatch(live_server, "activities", f"<D:displayname>{'é' * 512}</D:displayname>")
    assert {status for status, _ in _statuses(fits).values()} == {"HTTP/1.1 200 OK"}


def test_the_team_calendar_cannot_be_changed_at_all(live_server: str, alice: None) -> None:
    answer = _proppatch(live_server, "team", "<D:displayname>Ours</D:displayname>")
    assert answer.status_code == 403
