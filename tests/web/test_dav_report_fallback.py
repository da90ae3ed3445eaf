"""A calendar-query over items the fast REPORT path does not expect gets Radicale's answer.

Rows stored before hrefs were kept flat may still hold an href with a slash;
the REPORT CalBridge answers itself must not fail on them (a 500 stops every
client of that user), but leave the request to Radicale.
"""

from __future__ import annotations

import httpx
import sqlalchemy as sa

from bridge.store import users
from bridge.store.schema import activities

QUERY = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
    "<d:prop><d:getetag/><c:calendar-data/></d:prop>"
    '<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">'
    '<c:time-range start="20261207T000000Z" end="20261214T000000Z"/>'
    "</c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"
)
EVENT = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
    "UID:{uid}\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261208T090000Z\r\nDURATION:PT1H\r\n"
    "SUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def test_a_slashed_href_left_from_before_gets_radicales_answer(
    engine: sa.Engine, live_server: str
) -> None:
    with engine.begin() as conn:
        users.create_user(conn, "alice", "alice-pw")
    with httpx.Client(auth=("alice", "alice-pw"), trust_env=False) as http:
        for name in ("plain", "legacy"):
            put = http.put(
                f"{live_server}/dav/alice/activities/{name}.ics",
                content=EVENT.format(uid=name, summary=name.title()),
                headers={"Content-Type": "text/calendar"},
            )
            assert put.status_code == 201, put.text
        with engine.begin() as conn:
            conn.execute(
                sa.update(activities)
                .where(activities.c.uid == "legacy")
                .values(href="legacy/20261208T090000Z.ics")
            )

        report = http.request(
            "REPORT",
            f"{live_server}/dav/alice/activities/",
            content=QUERY,
            headers={"Depth": "1", "Content-Type": "application/xml"},
        )

    assert report.status_code == 207, report.text
    assert "/dav/alice/activities/plain.ics" in report.text
    assert "SUMMARY:Plain" in report.text
