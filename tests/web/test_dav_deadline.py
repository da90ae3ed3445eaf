"""CalDAV requests stop at their deadline, and /healthz says when every worker is busy."""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Iterator

import httpx
import pytest
import sqlalchemy as sa

from bridge.config import Settings
from bridge.secrets import generate_key
from bridge.store import users
from bridge.web.app import create_app
from tests.servers import serve_in_thread

AUTH = ("walker", "walker-pw")
SERIES = 2
# Each series every minute from 2000 is walked to its bound before a 2030 range is reached.
RANGE_REPORT = """<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
    <C:time-range start="20300107T000000Z" end="20300114T000000Z"/>
  </C:comp-filter></C:comp-filter></C:filter>
</C:calendar-query>"""


def _series(uid: str) -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20000103T090000Z\r\n"
        "DURATION:PT30M\r\nRRULE:FREQ=MINUTELY;INTERVAL=2;BYSECOND=0\r\n"
        f"SUMMARY:{uid}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def _serve(engine: sa.Engine, **settings: object) -> Iterator[str]:
    configured = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        secret_key=generate_key(),
        **settings,
    )
    with serve_in_thread(create_app(configured)) as base_url:
        with engine.begin() as conn:
            users.create_user(conn, *AUTH)
        with httpx.Client(base_url=base_url, auth=AUTH, timeout=120) as client:
            client.request("PROPFIND", "/dav/walker/", headers={"Depth": "0"})
            for number in range(SERIES):
                put = client.put(
                    f"/dav/walker/activities/s{number}.ics", content=_series(f"s{number}")
                )
                assert put.status_code == 201
        yield base_url


@pytest.fixture
def hasty(engine: sa.Engine) -> Iterator[str]:
    """A server whose CalDAV requests may work for a fifth of a second."""
    yield from _serve(engine, dav_request_seconds=0.2)


@pytest.fixture
def narrow(engine: sa.Engine) -> Iterator[str]:
    """A server with two CalDAV workers."""
    yield from _serve(engine, dav_workers=2)


def _report(base_url: str) -> httpx.Response:
    with httpx.Client(base_url=base_url, auth=AUTH, timeout=120) as client:
        return client.request(
            "REPORT", "/dav/walker/activities/", content=RANGE_REPORT, headers={"Depth": "1"}
        )


def test_a_request_past_its_deadline_stops_with_503(hasty: str) -> None:
    response = _report(hasty)
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    # The worker is free again: a quick request is answered.
    with httpx.Client(base_url=hasty, auth=AUTH, timeout=120) as client:
        assert client.request("PROPFIND", "/dav/walker/", headers={"Depth": "0"}).status_code == 207


def test_healthz_is_503_while_every_caldav_worker_is_busy(narrow: str) -> None:
    assert httpx.get(f"{narrow}/healthz").status_code == 200
    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
        reports = [pool.submit(_report, narrow) for _ in range(3)]
        answers = []
        while not all(report.done() for report in reports):
            answers.append(httpx.get(f"{narrow}/healthz", timeout=120))
            time.sleep(0.05)
        assert all(report.result().status_code == 207 for report in reports)
    busy = [answer for answer in answers if answer.status_code == 503]
    assert busy, [answer.status_code for answer in answers]
    assert busy[0].json() == {"status": "error", "caldav": "every worker is busy", "workers": 2}
    assert httpx.get(f"{narrow}/healthz").status_code == 200
