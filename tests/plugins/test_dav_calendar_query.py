"""The calendar-query REPORT CalBridge answers itself says exactly what Radicale would.

Each query is sent twice: as clients send it (answered by `bridge.web.dav_report`)
and with one more property, which leaves it to Radicale; both must list the
same items with the same ETags and texts, masked where Radicale masks them.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

import httpx
import pytest
import sqlalchemy as sa

from bridge.store import users

DAV = "{DAV:}"
CALDAV = "{urn:ietf:params:xml:ns:caldav}"
START = "20261207T000000Z"
END = "20261214T000000Z"


def _query(extra_prop: str = "", component: str = "VEVENT", time_range: bool = True) -> str:
    limits = f'<c:time-range start="{START}" end="{END}"/>' if time_range else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
        f"<d:prop><d:getetag/><c:calendar-data/>{extra_prop}</d:prop>"
        f'<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="{component}">'
        f"{limits}</c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"
    )


def _listed(response: httpx.Response) -> dict[str, tuple[str, str]]:
    """href -> (etag, calendar-data) of a multistatus."""
    assert response.status_code == 207, response.text
    found = {}
    for item in ET.fromstring(response.content).iter(f"{DAV}response"):
        href = item.findtext(f"{DAV}href") or ""
        etag = item.findtext(f".//{DAV}getetag") or ""
        data = item.findtext(f".//{CALDAV}calendar-data") or ""
        found[href] = (etag, data.replace("\r\n", "\n"))
    return found


def _event(uid: str, summary: str, start: str, extra: str = "") -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:{start}\r\nDURATION:PT1H\r\n"
        f"SUMMARY:{summary}\r\n{extra}END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


@pytest.fixture
def calendar(engine: sa.Engine, live_server: str) -> tuple[str, str]:
    """alice's activities with single, recurring, private and out-of-range events; a canary."""
    with engine.begin() as conn:
        users.create_user(conn, "alice", "alice-pw")
        users.create_user(conn, "bob", "bob-pw")
    canary = f"CANARY{uuid.uuid4().hex}"
    events = {
        "in.ics": _event("in", "Inside & <week>", "20261208T090000Z"),
        "out.ics": _event("out", "Outside", "20270108T090000Z"),
        "weekly.ics": _event("weekly", "Weekly", "20261102T080000Z", "RRULE:FREQ=WEEKLY\r\n"),
        "ended.ics": _event(
            "ended", "Ended series", "20261001T080000Z", "RRULE:FREQ=DAILY;COUNT=3\r\n"
        ),
        "secret.ics": _event("secret", f"Secret {canary}", "20261209T100000Z", "CLASS:PRIVATE\r\n"),
    }
    with httpx.Client(auth=("alice", "alice-pw"), trust_env=False) as http:
        for name, text in events.items():
            put = http.put(
                f"{live_server}/dav/alice/activities/{name}",
                content=text,
                headers={"Content-Type": "text/calendar"},
            )
            assert put.status_code == 201, put.text
    return live_server, canary


def _report(base: str, login: str, path: str, body: str) -> httpx.Response:
    with httpx.Client(auth=(login, f"{login}-pw"), trust_env=False) as http:
        return http.request("REPORT", f"{base}{path}", content=body, headers={"Depth": "1"})


@pytest.mark.parametrize("time_range", [True, False])
def test_own_calendar_lists_what_radicale_lists(
    calendar: tuple[str, str], time_range: bool
) -> None:
    base, canary = calendar
    path = "/dav/alice/activities/"
    fast = _listed(_report(base, "alice", path, _query(time_range=time_range)))
    slow = _listed(
        _report(base, "alice", path, _query("<d:getcontenttype/>", time_range=time_range))
    )
    assert fast == slow
    expected = {"in.ics", "weekly.ics", "secret.ics"} | (
        set() if time_range else {"out.ics", "ended.ics"}
    )
    assert {href.rsplit("/", 1)[1] for href in fast} == expected
    assert any("Inside & <week>" in data for _, data in fast.values())
    assert any(canary in data for _, data in fast.values())


def test_the_team_calendar_stays_masked(calendar: tuple[str, str]) -> None:
    base, canary = calendar
    fast = _report(base, "bob", "/dav/bob/team/", _query())
    slow = _report(base, "bob", "/dav/bob/team/", _query("<d:getcontenttype/>"))
    assert _listed(fast) == _listed(slow)
    assert canary not in fast.text
    assert any("Busy" in data for _, data in _listed(fast).values())


def test_other_users_calendars_and_bad_requests_are_refused_as_before(
    calendar: tuple[str, str],
) -> None:
    base, _ = calendar
    assert _report(base, "bob", "/dav/alice/activities/", _query()).status_code == 403
    assert _report(base, "alice", "/dav/alice/activities/", "<not xml").status_code == 400
    assert _report(base, "alice", "/dav/alice/nothing/", _query()).status_code == 404
