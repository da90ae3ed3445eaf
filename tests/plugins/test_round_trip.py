"""The owner gets back what their calendar client sent: CalBridge adds its own, loses nothing."""

from __future__ import annotations

import caldav
import httpx
import icalendar
import pytest
import sqlalchemy as sa

from bridge.store import activities, crm
from bridge.store.db import writing
from bridge.store.users import create_user

ALICE = ("alice", "alice-pw")
SENT = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
    "BEGIN:VEVENT\r\nUID:round-trip-1\r\nDTSTAMP:20240101T000000Z\r\n"
    "DTSTART;X-CLIENT-HINT=morning:20240702T090000Z\r\n"
    "DTEND;X-CLIENT-HINT=late:20240702T100000Z\r\n"
    "RRULE:FREQ=WEEKLY;COUNT=5\r\n"
    "SUMMARY:Planning\r\n"
    "CATEGORIES:Work,Quarterly\\, planning\r\n"
    "CATEGORIES:Blue\r\n"
    "X-CALBRIDGE-CLIENT-COLOUR:teal\r\n"
    "X-CALBRIDGE-ROOM;X-KIND=desk:4.12\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


@pytest.fixture
def alice(engine: sa.Engine) -> int:
    with writing(engine) as conn:
        return create_user(conn, *ALICE).id


def _put(live_server: str, text: str) -> None:
    answer = httpx.put(
        f"{live_server}/dav/alice/activities/round-trip.ics",
        content=text,
        headers={"Content-Type": "text/calendar"},
        auth=ALICE,
    )
    assert answer.status_code == 201, answer.text


def _get(live_server: str) -> str:
    answer = httpx.get(f"{live_server}/dav/alice/activities/round-trip.ics", auth=ALICE)
    assert answer.status_code == 200, answer.text
    return answer.text


def _vevent(text: str) -> icalendar.Event:
    return icalendar.Calendar.from_ical(text).walk("VEVENT")[0]


def test_what_the_client_sent_comes_back(live_server: str, alice: int) -> None:
    _put(live_server, SENT)
    text = _get(live_server)
    unfolded = text.replace("\r\n ", "")
    assert "DTSTART;X-CLIENT-HINT=morning:20240702T090000Z\r\n" in unfolded
    assert "DTEND;X-CLIENT-HINT=late:20240702T100000Z\r\n" in unfolded
    assert "X-CALBRIDGE-CLIENT-COLOUR:teal\r\n" in unfolded
    assert "X-CALBRIDGE-ROOM;X-KIND=desk:4.12\r\n" in unfolded
    categories = _categories(text)
    assert {"Work", "Quarterly, planning", "Blue"} <= categories
    assert "X-CALBRIDGE-TYPE:" in unfolded  # CalBridge adds its own


def test_the_type_category_follows_a_crm_change_and_the_client_ones_stay(
    live_server: str, engine: sa.Engine, alice: int
) -> None:
    calendar = caldav.DAVClient(
        url=f"{live_server}/dav/", username=ALICE[0], password=ALICE[1]
    ).calendar(url=f"{live_server}/dav/alice/activities/")
    event = calendar.save_event(SENT)
    event.load()
    event.save()  # the client writes back what it got, CalBridge's category included
    with writing(engine) as conn:
        (stored,) = activities.list_activities(conn, alice)
        stored.type_key = "call"
        activities.save_activity(conn, stored, crm.list_activity_types(conn))
    event.load()
    text = event.data
    names = _categories(text)
    assert {"Work", "Quarterly, planning", "Blue", "Call"} <= names
    assert "Meeting" not in names


def _categories(text: str) -> set[str]:
    """Every category of the event, whatever CATEGORIES line holds it."""
    found = _vevent(text).get("CATEGORIES", [])
    lines = found if isinstance(found, list) else [found]
    return {str(name) for line in lines for name in line.cats}


def test_a_rule_with_an_x_part_is_kept(live_server: str, alice: int) -> None:
    _put(live_server, SENT.replace("COUNT=5", "COUNT=5;X-CLIENT-RULE=keep"))
    text = _get(live_server).replace("\r\n ", "")
    assert "RRULE:FREQ=WEEKLY;COUNT=5;X-CLIENT-RULE=keep\r\n" in text
    query = (
        '<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" '
        'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop>'
        '<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
        '<C:time-range start="20240722T000000Z" end="20240801T000000Z"/>'
        "</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"
    )
    found = httpx.request(
        "REPORT",
        f"{live_server}/dav/alice/activities/",
        content=query,
        headers={"Depth": "1"},
        auth=ALICE,
    )
    assert found.status_code == 207 and "round-trip.ics" in found.text
