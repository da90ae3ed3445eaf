"""Feeds pass libical's parser and restriction check, the strictest reader subscribers use.

A feed is a subscription, not an iTIP message: with ``METHOD:PUBLISH`` every
VTODO would need DTSTART, ORGANIZER and PRIORITY, so feeds carry no METHOD
(RFC 5546: no METHOD, no scheduling transaction; Outlook reads a calendar
without one as published).
"""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest
import sqlalchemy as sa

from bridge.domain import Activity, Attendee, User
from bridge.store import activities, crm, feeds, users
from tests import libical

TODAY = dt.datetime.now(dt.UTC).date()
ZONED_EVENT = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
    "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"
    "BEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
    "TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nEND:STANDARD\r\n"
    "BEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
    "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nEND:DAYLIGHT\r\n"
    "END:VTIMEZONE\r\n"
    "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\n"
    "DTSTART;TZID=Europe/Berlin:{day:%Y%m%d}T090000\r\n"
    "DTEND;TZID=Europe/Berlin:{day:%Y%m%d}T100000\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\n"
    "SUMMARY:Stand-up\r\nX-CLIENT-THING:kept\r\n"
    "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


@pytest.fixture
def checked() -> None:
    """Skip, saying why, where libical's binding cannot be run."""
    reason = libical.unavailable()
    if reason is not None:
        pytest.skip(reason)


def _save(engine: sa.Engine, owner: User, subject: str, uid: str = "", **fields: object) -> None:
    assert owner.id is not None
    values: dict[str, object] = {
        "type_key": "meeting",
        "due_date": TODAY,
        "due_time": dt.time(12),
        "duration": dt.timedelta(hours=1),
        **fields,
    }
    activity = Activity(subject=subject, owner_id=owner.id, uid=uid or str(uuid.uuid4()), **values)
    with engine.begin() as conn:
        activities.save_activity(conn, activity, crm.list_activity_types(conn))


@pytest.fixture
def tokens(engine: sa.Engine) -> dict[str, str]:
    """Dana's own and team feeds, over every kind of activity the feeds carry."""
    with engine.begin() as conn:
        dana = users.create_user(conn, "dana", "pw", name="Dana Demo")
        erik = users.create_user(conn, "erik", "pw", name="Erik Example")
    for owner in (dana, erik):
        _save(engine, owner, "Pitch; to Acme, Inc.", location="Acme HQ")
        _save(engine, owner, "Dentist", private=True, public_description="Root canal")
        _save(engine, owner, "Offsite", due_time=None, duration=dt.timedelta(days=2))
        _save(engine, owner, "Some day", type_key="task", due_date=None, due_time=None)
        _save(engine, owner, "File taxes", type_key="task", due_time=None, duration=None)
        _save(engine, owner, "Call back", type_key="call", done=True)
        _save(engine, owner, "Deadline", type_key="deadline", duration=None)
        _save(
            engine,
            owner,
            "Review",
            attendees=[Attendee("ada@example.com", "Ada"), Attendee("bob@example.com", "")],
        )
        uid = str(uuid.uuid4())
        _save(engine, owner, "Stand-up", uid, ical=ZONED_EVENT.format(uid=uid, day=TODAY))
    with engine.begin() as conn:
        assert dana.id is not None
        return {
            "own": feeds.create_feed(conn, dana.id, "own"),
            "team": feeds.create_feed(conn, dana.id, "team"),
        }


@pytest.mark.parametrize("scope", ["own", "team"])
def test_feeds_have_no_libical_errors(
    checked: None, tokens: dict[str, str], feed_server: str, scope: str
) -> None:
    response = httpx.get(f"{feed_server}/feeds/{tokens[scope]}.ics", timeout=10)
    assert response.status_code == 200, response.text
    assert response.text.count("BEGIN:VTODO") == 2

    assert libical.errors_of(response.text) == []
    assert "METHOD:" not in response.text


def test_the_checker_reports_every_component_itip_would_refuse(checked: None) -> None:
    todo = "BEGIN:VTODO\r\nUID:{}\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:x\r\nEND:VTODO\r\n"
    published = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nMETHOD:PUBLISH\r\n"
        f"{todo.format('first')}{todo.format('second')}END:VCALENDAR\r\n"
    )
    errors = libical.errors_of(published)
    assert len(errors) == 6
    assert all(error.startswith("VTODO: Failed iTIP restrictions") for error in errors)
