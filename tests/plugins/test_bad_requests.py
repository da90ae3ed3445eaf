"""Requests the CalDAV door once answered 500 (or refused wrongly): now a clear 4xx, nothing stored.

Each case goes over real HTTP to the whole app; after the refusals the
user's calendars hold only what the test put there itself.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import sqlalchemy as sa

from bridge.domain import Deal
from bridge.store import activities, crm, users

AUTH = ("dave", "dave-pw")
EVENT = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\n"
    "DTSTAMP:20260101T000000Z\r\nDTSTART:20261201T090000Z\r\nDURATION:PT1H\r\n"
    "SUMMARY:Bad request test\r\n{extra}END:VEVENT\r\nEND:VCALENDAR\r\n"
)
PROPFIND = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<D:propfind xmlns:D="DAV:"><D:prop>{props}</D:prop></D:propfind>'
)
TODO_QUERY = (
    '<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
    "<d:prop><d:getetag/><c:calendar-data/></d:prop><c:filter>"
    '<c:comp-filter name="VCALENDAR"><c:comp-filter name="VTODO">'
    '<c:time-range start="20261101T000000Z" end="20270101T000000Z"/>'
    "</c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"
)
PROPPATCH = (
    '<?xml version="1.0" encoding="utf-8"?>{doctype}'
    '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop>'
    "<D:displayname>{name}</D:displayname></D:prop></D:set></D:propertyupdate>"
)


@pytest.fixture
def client(live_server: str, engine: sa.Engine) -> Iterator[httpx.Client]:
    with engine.begin() as conn:
        users.create_user(conn, "dave", "dave-pw")
    with httpx.Client(base_url=live_server, auth=AUTH, trust_env=False, timeout=60) as http:
        assert http.request("PROPFIND", "/dav/dave/", headers={"Depth": "0"}).status_code == 207
        yield http


def _stored(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        return [activity.uid for activity in activities.list_activities(conn)]


def _displayname(client: httpx.Client) -> str:
    answer = client.request(
        "PROPFIND",
        "/dav/dave/activities/",
        content=PROPFIND.format(props="<D:displayname/>"),
        headers={"Depth": "0"},
    )
    assert answer.status_code == 207, answer.text
    return answer.text.split("displayname>")[1].removesuffix("</")


@pytest.mark.parametrize("authorization", ["Basic", "Basic !!!", "Basic ZGVtbw==", "Basic ZGVtbw"])
def test_unreadable_basic_credentials_are_asked_again(
    client: httpx.Client, engine: sa.Engine, authorization: str
) -> None:
    requests = [
        ("PROPFIND", "/dav/", ""),
        ("PROPFIND", "/dav/dave/", ""),
        ("GET", "/dav/dave/activities/", ""),
        ("PUT", "/dav/dave/activities/x.ics", EVENT.format(uid="x", extra="")),
    ]
    for method, path, body in requests:
        answer = httpx.request(
            method,
            f"{client.base_url}{path}",
            content=body,
            headers={"Authorization": authorization, "Depth": "0"},
            trust_env=False,
        )
        assert answer.status_code == 401, (method, path, answer.text)
        assert answer.headers["WWW-Authenticate"] == 'Basic realm="CalBridge"'
    assert _stored(engine) == []


def test_xml_with_a_dtd_a_bad_charset_or_deep_nesting_is_400(
    client: httpx.Client, engine: sa.Engine
) -> None:
    name = _displayname(client)
    entity = '<!DOCTYPE x [<!ENTITY a "Changed">]>'
    bodies = {
        "entity": (PROPPATCH.format(doctype=entity, name="&a;"), "text/xml"),
        "dtd": (PROPPATCH.format(doctype="<!DOCTYPE x>", name="Changed"), "text/xml"),
        "charset": (PROPPATCH.format(doctype="", name="Changed"), "text/xml; charset=bogus"),
        "encoding": (
            PROPPATCH.format(doctype="", name="Changed").replace("utf-8", "klingon"),
            "text/xml",
        ),
        "deep": ("<a>" * 100_000 + "</a>" * 100_000, "text/xml"),
        "undefined entity": (PROPPATCH.format(doctype="", name="&a;"), "text/xml"),
    }
    for case, (body, content_type) in bodies.items():
        for method in ("PROPPATCH", "PROPFIND", "REPORT"):
            answer = client.request(
                method,
                "/dav/dave/activities/",
                content=body,
                headers={"Content-Type": content_type, "Depth": "0"},
            )
            assert answer.status_code == 400, (case, method, answer.text)
            assert "XML" in answer.text or "charset" in answer.text, answer.text
    put = client.put(
        "/dav/dave/activities/c.ics",
        content=EVENT.format(uid="c", extra=""),
        headers={"Content-Type": "text/calendar; charset=bogus"},
    )
    assert put.status_code == 400, put.text
    bodiless = client.get(
        "/dav/dave/activities/", headers={"Content-Type": "text/plain; charset=x"}
    )
    assert bodiless.status_code == 400, bodiless.text
    assert _displayname(client) == name
    assert _stored(engine) == []


def test_xml_bodies_are_bounded_in_elements(client: httpx.Client, engine: sa.Engine) -> None:
    many_props = PROPFIND.format(props="<D:getetag/>" * 200_000)
    namespaces = " ".join(f'xmlns:n{index}="urn:n{index}"' for index in range(20_000))
    many_namespaces = f'<D:propfind xmlns:D="DAV:" {namespaces}><D:allprop/></D:propfind>'
    for body in (many_props, many_namespaces):
        answer = client.request("PROPFIND", "/dav/dave/", content=body, headers={"Depth": "1"})
        assert answer.status_code == 413, answer.text
        assert "more than 10000 elements" in answer.text
    name = _displayname(client)
    patch = PROPPATCH.format(doctype="", name="<x/>" * 20_000)
    assert client.request("PROPPATCH", "/dav/dave/activities/", content=patch).status_code == 413
    assert _displayname(client) == name
    assert _stored(engine) == []


def test_a_propfind_without_what_to_find_is_400(client: httpx.Client) -> None:
    bodies = [
        '<D:propfind xmlns:D="DAV:"></D:propfind>',
        '<D:propfind xmlns:D="DAV:">text only</D:propfind>',
        '<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
        "<D:prop><D:getetag/></D:prop></C:calendar-query>",
    ]
    for body in bodies:
        answer = client.request("PROPFIND", "/dav/dave/", content=body, headers={"Depth": "1"})
        assert answer.status_code == 400, (body, answer.text)
        assert "DAV: propfind" in answer.text
    allprop = '<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>'
    answer = client.request("PROPFIND", "/dav/dave/", content=allprop, headers={"Depth": "1"})
    assert answer.status_code == 207, answer.text


def test_xml_without_the_parts_the_rfcs_require_is_400(client: httpx.Client) -> None:
    ns = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"'
    component_set = (
        f"<D:propertyupdate {ns}><D:set><D:prop><C:supported-calendar-component-set><C:comp/>"
        "</C:supported-calendar-component-set></D:prop></D:set></D:propertyupdate>"
    )
    requests = [
        ("PROPPATCH", "/dav/dave/activities/", component_set, "name attribute"),
        (
            "MKCALENDAR",
            "/dav/dave/new/",
            component_set.replace("D:propertyupdate", "C:mkcalendar"),
            "name attribute",
        ),
        (
            "REPORT",
            "/dav/dave/activities/",
            f"<C:calendar-multiget {ns}><D:href/></C:calendar-multiget>",
            "href",
        ),
        ("REPORT", "/dav/dave/activities/", f"<C:free-busy-query {ns}/>", "time-range"),
    ]
    for method, path, body, reason in requests:
        answer = client.request(method, path, content=body, headers={"Depth": "1"})
        assert answer.status_code == 400, (method, body, answer.text)
        assert reason in answer.text
    assert client.request("PROPFIND", "/dav/dave/new/", headers={"Depth": "0"}).status_code == 404
    calendar = client.request(
        "PROPFIND",
        "/dav/dave/activities/",
        content=PROPFIND.format(props="<C:supported-calendar-component-set/>").replace(
            'xmlns:D="DAV:"', ns
        ),
        headers={"Depth": "0"},
    )
    assert "VEVENT" in calendar.text, calendar.text


def test_xml_within_bounds_is_still_answered(client: httpx.Client) -> None:
    answer = client.request(
        "PROPFIND",
        "/dav/dave/",
        content=PROPFIND.format(props="<D:getetag/>" * 1_000),
        headers={"Depth": "0"},
    )
    assert answer.status_code == 207, answer.text


def test_move_to_another_server_is_forbidden(client: httpx.Client, engine: sa.Engine) -> None:
    assert client.put(
        "/dav/dave/activities/m.ics", content=EVENT.format(uid="m", extra="")
    ).is_success
    elsewhere = "http://elsewhere.example/dav/dave/activities/n.ics"
    answer = client.request(
        "MOVE", "/dav/dave/activities/m.ics", headers={"Destination": elsewhere}
    )
    assert answer.status_code == 403, answer.text
    assert "this server" in answer.text
    anonymous = httpx.request(
        "MOVE",
        f"{client.base_url}/dav/dave/activities/m.ics",
        headers={"Destination": elsewhere},
        trust_env=False,
    )
    assert anonymous.status_code == 401
    assert client.get("/dav/dave/activities/m.ics").status_code == 200
    assert _stored(engine) == ["m"]


def test_a_chunked_body_is_read_whole_and_bounded(client: httpx.Client, engine: sa.Engine) -> None:
    def chunked(*parts: bytes) -> Iterator[bytes]:
        yield from parts

    text = EVENT.format(uid="chunked", extra="").encode()
    put = client.put("/dav/dave/activities/chunked.ics", content=chunked(text[:50], text[50:]))
    assert put.status_code == 201, put.text
    assert "Bad request test" in client.get("/dav/dave/activities/chunked.ics").text

    too_big = chunked(*[b"X" * (1 << 20)] * 11)
    answer = client.put("/dav/dave/activities/big.ics", content=too_big)
    assert answer.status_code == 413, answer.text
    assert _stored(engine) == ["chunked"]


def test_a_todo_query_on_the_team_calendar_finds_a_private_todo_masked(
    client: httpx.Client, engine: sa.Engine
) -> None:
    with engine.begin() as conn:
        users.create_user(conn, "erin", "erin-pw")
    todo = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VTODO\r\nUID:erin-todo\r\n"
        "DTSTAMP:20260101T000000Z\r\nDUE:20261201T090000Z\r\nSUMMARY:CANARY-TODO\r\n"
        "CLASS:PRIVATE\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
    )
    put = httpx.put(
        f"{client.base_url}/dav/erin/tasks/t.ics", content=todo, auth=("erin", "erin-pw")
    )
    assert put.status_code == 201, put.text
    answer = client.request("REPORT", "/dav/dave/team/", content=TODO_QUERY, headers={"Depth": "1"})
    assert answer.status_code == 207, answer.text
    assert answer.text.count("BEGIN:VTODO") == 1
    assert "SUMMARY:Busy" in answer.text and "DUE:20261201T090000Z" in answer.text
    assert "CANARY" not in answer.text and "erin-todo" not in answer.text


def test_values_the_database_cannot_keep_are_400(client: httpx.Client, engine: sa.Engine) -> None:
    bodies = {
        "deal": EVENT.format(uid="deal", extra="X-CALBRIDGE-DEAL:999999999999999999999\r\n"),
        "person": EVENT.format(uid="person", extra="X-CALBRIDGE-PERSON:2147483648\r\n"),
        "org": EVENT.format(uid="org", extra="X-CALBRIDGE-ORG:" + "9" * 5000 + "\r\n"),
        "uid": EVENT.format(uid="u" * 100_000, extra=""),
        "end": EVENT.format(uid="end", extra="DTEND:99991231T000000Z\r\n").replace(
            "DURATION:PT1H\r\n", ""
        ),
    }
    for name, body in bodies.items():
        answer = client.put(f"/dav/dave/activities/{name}.ics", content=body)
        assert answer.status_code == 400, (name, answer.text)
    garbage = EVENT.format(uid="garbage", extra="X-CALBRIDGE-DEAL:not-a-number\r\n")
    assert client.put("/dav/dave/activities/garbage.ics", content=garbage).status_code == 201
    assert _stored(engine) == ["garbage"]


def test_long_paths_and_uids_are_refused_in_calendars_of_ones_own(client: httpx.Client) -> None:
    assert client.request("MKCALENDAR", "/dav/dave/own/").status_code == 201
    long_uid = client.put("/dav/dave/own/x.ics", content=EVENT.format(uid="u" * 2000, extra=""))
    assert long_uid.status_code == 400, long_uid.text
    long_name = client.put(
        "/dav/dave/own/" + "h" * 2000 + ".ics", content=EVENT.format(uid="h", extra="")
    )
    assert long_name.status_code == 414, long_name.text
    assert client.request("MKCALENDAR", "/dav/dave/" + "c" * 1100 + "/").status_code == 414
    assert client.put("/dav/dave/own/p.ics", content=EVENT.format(uid="p", extra="")).is_success
    far = {"Destination": f"{client.base_url}/dav/dave/own/{'h' * 2000}.ics"}
    moved = client.request("MOVE", "/dav/dave/own/p.ics", headers=far)
    assert moved.status_code == 400, moved.text
    listing = client.request("PROPFIND", "/dav/dave/own/", headers={"Depth": "1"})
    assert listing.text.count("<response>") == 2, listing.text
    assert "/dav/dave/own/p.ics" in listing.text
    calendars = client.request("PROPFIND", "/dav/dave/", headers={"Depth": "1"})
    assert "c" * 1100 not in calendars.text


def test_a_link_to_a_missing_record_is_dropped(client: httpx.Client, engine: sa.Engine) -> None:
    with engine.begin() as conn:
        deal = crm.add_deal(conn, Deal(title="Kept"))
    links = f"X-CALBRIDGE-DEAL:{deal.id}\r\nX-CALBRIDGE-PERSON:999\r\nX-CALBRIDGE-ORG:999\r\n"
    put = client.put("/dav/dave/activities/l.ics", content=EVENT.format(uid="l", extra=links))
    assert put.status_code == 201, put.text
    with engine.connect() as conn:
        (stored,) = activities.list_activities(conn)
    assert (stored.deal_id, stored.person_id, stored.org_id) == (deal.id, None, None)
