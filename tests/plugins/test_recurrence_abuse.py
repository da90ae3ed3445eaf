"""One user's recurrence rules cannot stop CalDAV: refused at PUT, bounded when stored."""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Iterator

import httpx
import pytest
import sqlalchemy as sa

from bridge.config import Settings
from bridge.secrets import generate_key
from bridge.store import activities, users
from bridge.store.schema import activities as activity_table
from bridge.web.app import create_app
from tests.servers import serve_in_thread

OWNER = ("mallory", "mallory-pw")
COLLEAGUE = ("erin", "erin-pw")
TIMEOUT = 120.0

RANGE_REPORT = """<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
    <C:time-range start="{start}" end="{end}"/>
  </C:comp-filter></C:comp-filter></C:filter>
</C:calendar-query>"""
EXPAND_REPORT = """<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data>
    <C:expand start="{start}" end="{end}"/>
  </C:calendar-data></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
    <C:time-range start="{start}" end="{end}"/>
  </C:comp-filter></C:comp-filter></C:filter>
</C:calendar-query>"""
FREE_BUSY_REPORT = """<?xml version="1.0" encoding="utf-8"?>
<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav">
  <C:time-range start="{start}" end="{end}"/>
</C:free-busy-query>"""
WEEK = {"start": "20300107T000000Z", "end": "20300114T000000Z"}
FORTY_YEARS = {"start": "20000101T000000Z", "end": "20400101T000000Z"}


def _series(uid: str, rule: str, start: str = "20000103T090000Z") -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{start}\r\nDURATION:PT30M\r\n"
        f"RRULE:{rule}\r\nSUMMARY:Series {uid}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


@pytest.fixture
def dav_url(engine: sa.Engine) -> Iterator[str]:
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False), secret_key=generate_key()
    )
    with serve_in_thread(create_app(settings)) as base_url:
        for login, password in (OWNER, COLLEAGUE):
            with engine.begin() as conn:
                users.create_user(conn, login, password)
            httpx.request(
                "PROPFIND",
                f"{base_url}/dav/{login}/",
                headers={"Depth": "0"},
                auth=(login, password),
            )
        yield base_url


def _client(base_url: str, auth: tuple[str, str]) -> httpx.Client:
    return httpx.Client(base_url=base_url, auth=auth, timeout=TIMEOUT)


def _report(client: httpx.Client, path: str, body: str) -> httpx.Response:
    return client.request(
        "REPORT",
        path,
        content=body,
        headers={"Depth": "1", "Content-Type": "application/xml; charset=utf-8"},
    )


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;INTERVAL=0",
        "FREQ=DAILY;INTERVAL=0;COUNT=5",
        "FREQ=SECONDLY",
        "FREQ=MINUTELY;BYSECOND=0,15,30,45",
        "FREQ=DAILY;INTERVAL=99999999999999999999999",
    ],
)
def test_a_dangerous_rule_is_refused_and_nothing_stored(
    dav_url: str, engine: sa.Engine, rule: str
) -> None:
    with _client(dav_url, OWNER) as client:
        assert client.request("MKCALENDAR", "/dav/mallory/own/").status_code == 201
        for path in ("/dav/mallory/activities/bad.ics", "/dav/mallory/own/bad.ics"):
            response = client.put(path, content=_series("bad", rule))
            assert response.status_code == 403, (path, response.status_code)
            assert "valid-calendar-data" in response.text
            assert client.get(path).status_code == 404
    with engine.connect() as conn:
        assert activities.list_activities(conn) == []


def _plant(engine: sa.Engine, uid: str, rule: str) -> None:
    """Give a stored activity a rule no door accepts any more, as if stored before the check."""
    with engine.begin() as conn:
        text = conn.execute(
            sa.select(activity_table.c.ical).where(activity_table.c.uid == uid)
        ).scalar_one()
        conn.execute(
            sa.update(activity_table)
            .where(activity_table.c.uid == uid)
            .values(ical=text.replace("RRULE:FREQ=DAILY", f"RRULE:{rule}"))
        )


def test_a_stored_rule_that_never_advances_hangs_no_report(dav_url: str, engine: sa.Engine) -> None:
    with _client(dav_url, OWNER) as client:
        put = client.put(
            "/dav/mallory/activities/stuck.ics", content=_series("stuck", "FREQ=DAILY")
        )
        assert put.status_code == 201
    _plant(engine, "stuck", "FREQ=DAILY;INTERVAL=0")
    for auth, path in ((OWNER, "/dav/mallory/activities/"), (COLLEAGUE, "/dav/erin/team/")):
        with _client(dav_url, auth) as client:
            for body in (RANGE_REPORT.format(**WEEK), EXPAND_REPORT.format(**FORTY_YEARS)):
                assert _report(client, path, body).status_code == 207


def test_expanding_forty_years_of_a_series_every_minute_ends(dav_url: str) -> None:
    with _client(dav_url, OWNER) as client:
        put = client.put(
            "/dav/mallory/activities/minutes.ics",
            content=_series("minutes", "FREQ=MINUTELY;BYSECOND=0"),
        )
        assert put.status_code == 201
    for auth, path in ((OWNER, "/dav/mallory/activities/"), (COLLEAGUE, "/dav/erin/team/")):
        with _client(dav_url, auth) as client:
            for body in (EXPAND_REPORT, FREE_BUSY_REPORT):
                response = _report(client, path, body.format(**FORTY_YEARS))
                # Radicale's max_*_occurrence refuse the answer rather than build it.
                assert 400 <= response.status_code < 500 or response.status_code == 207


def test_another_users_report_answers_while_one_user_abuses_caldav(
    dav_url: str, engine: sa.Engine
) -> None:
    with _client(dav_url, OWNER) as client:
        for number in range(3):
            uid = f"busy{number}"
            rule = "FREQ=MINUTELY;BYSECOND=0" if number else "FREQ=DAILY"
            put = client.put(f"/dav/mallory/activities/{uid}.ics", content=_series(uid, rule))
            assert put.status_code == 201
    _plant(engine, "busy0", "FREQ=DAILY;INTERVAL=0")
    with _client(dav_url, COLLEAGUE) as client:
        event = _series("mine", "FREQ=WEEKLY", start="20300101T090000Z")
        assert client.put("/dav/erin/activities/mine.ics", content=event).status_code == 201

    def abuse() -> int:
        with _client(dav_url, OWNER) as client:
            return _report(
                client, "/dav/mallory/activities/", EXPAND_REPORT.format(**FORTY_YEARS)
            ).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        attacks = [pool.submit(abuse) for _ in range(4)]
        time.sleep(0.5)
        with _client(dav_url, COLLEAGUE) as client:
            for _ in range(3):
                began = time.monotonic()
                response = _report(client, "/dav/erin/activities/", RANGE_REPORT.format(**WEEK))
                took = time.monotonic() - began
                assert response.status_code == 207
                assert "UID:mine" in response.text
                assert took < 1.0, f"a REPORT took {took:.2f} s while another user abused CalDAV"
        assert all(attack.result() < 500 for attack in attacks)
