"""Whatever a client sends, the answer is a clear 4xx (or success), never a 500."""

from __future__ import annotations

import httpx
import pytest
import sqlalchemy as sa

from bridge.store import activities, users

AUTH = ("dave", "dave-pw")

BAD_XML = "<D:propfind xmlns:D='DAV:'><D:prop><D:getetag/></D:pro"
VEVENT_NO_START = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:n\r\n"
    "DTSTAMP:20260101T000000Z\r\nSUMMARY:No start\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)
TWO_UIDS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
    "BEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20261201T090000Z\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:b\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20261201T090000Z\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)
BAD_DATE = VEVENT_NO_START.replace("SUMMARY:No start", "DTSTART:2026-13-45")

REQUESTS = [
    ("PROPFIND", "/dav/dave/", BAD_XML, {"Depth": "1"}),
    ("REPORT", "/dav/dave/activities/", BAD_XML, {}),
    ("REPORT", "/dav/dave/activities/", "<nonsense/>", {}),
    ("PROPPATCH", "/dav/dave/activities/", BAD_XML, {}),
    ("MKCALENDAR", "/dav/dave/activities/", "", {}),
    ("PUT", "/dav/dave/activities/n.ics", VEVENT_NO_START, {}),
    ("PUT", "/dav/dave/activities/two.ics", TWO_UIDS, {}),
    ("PUT", "/dav/dave/activities/date.ics", BAD_DATE, {}),
    ("PUT", "/dav/dave/activities/bin.ics", "\x00\x01\x02", {}),
    ("PUT", "/dav/dave/tasks/../../etc/passwd", VEVENT_NO_START, {}),
    ("PUT", "/dav/dave/activities/sub/deeper.ics", VEVENT_NO_START, {}),
    ("DELETE", "/dav/dave/activities/missing.ics", "", {}),
    ("DELETE", "/dav/dave/team/1.ics", "", {}),
    ("MOVE", "/dav/dave/activities/missing.ics", "", {"Destination": "/dav/dave/tasks/x.ics"}),
    ("GET", "/dav/dave/team/not-a-number.ics", "", {}),
    ("GET", "/dav/%00/", "", {}),
    ("POST", "/dav/dave/activities/", "x", {}),
    ("GET", "/feeds/not-a-token.ics", "", {}),
]


@pytest.fixture
def client(live_server: str, engine: sa.Engine) -> httpx.Client:
    with engine.begin() as conn:
        users.create_user(conn, "dave", "dave-pw")
    with httpx.Client(base_url=live_server, auth=AUTH) as http:
        http.request("PROPFIND", "/dav/dave/", headers={"Depth": "0"})
        yield http


def test_hostile_requests_get_4xx_and_store_nothing(
    client: httpx.Client, engine: sa.Engine
) -> None:
    answers = {}
    for method, path, body, headers in REQUESTS:
        response = client.request(method, path, content=body, headers=headers)
        answers[(method, path)] = response.status_code
    assert all(status < 500 for status in answers.values()), answers
    for key in [
        ("PUT", "/dav/dave/activities/n.ics"),
        ("PUT", "/dav/dave/activities/two.ics"),
        ("PUT", "/dav/dave/activities/date.ics"),
        ("PUT", "/dav/dave/activities/bin.ics"),
    ]:
        assert 400 <= answers[key] < 500, (key, answers[key])
    with engine.connect() as conn:
        assert activities.list_activities(conn) == []
