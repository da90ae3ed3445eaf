"""The iCal feed door end to end: real HTTP against uvicorn, on SQLite and PostgreSQL.

Every feed body is parsed by three independent parsers (icalendar, vobject
and the strict `ical` package), because subscribing clients are as varied.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace

import httpx
import icalendar
import pytest
import sqlalchemy as sa
import vobject
from ical.calendar_stream import IcsCalendarStream

from bridge.domain import Activity, Attendee
from bridge.store import activities, crm, feeds, users

TODAY = dt.datetime.now(dt.UTC).date()
NOON = dt.time(12, 0)


def _client_text(uid: str, day: dt.date, extra: str) -> str:
    """What a CalDAV client might have sent: an event with lines the CRM does not model."""
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\n"
        f"DTSTART:{day:%Y%m%d}T120000Z\r\nDTEND:{day:%Y%m%d}T130000Z\r\nSUMMARY:x\r\n"
        f"{extra}END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


ALARM = "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\n"


class World:
    """Users, activities and feed tokens, made through the store as the app would."""

    def __init__(self, engine: sa.Engine, base_url: str) -> None:
        self.engine = engine
        self.base_url = base_url
        with engine.begin() as conn:
            self.dana = users.create_user(conn, "dana", "pw", name="Dana Demo")
            self.erik = users.create_user(conn, "erik", "pw", name="Erik Example")

    def add(
        self, owner_id: int, subject: str, type_key: str = "meeting", **fields: object
    ) -> Activity:
        """Save an activity, by default a one-hour meeting at noon UTC today."""
        activity = Activity(
            subject,
            type_key,
            owner_id,
            str(uuid.uuid4()),
            due_date=TODAY,
            due_time=NOON,
            duration=dt.timedelta(hours=1),
        )
        return self.save(replace(activity, **fields))

    def save(self, activity: Activity) -> Activity:
        with self.engine.begin() as conn:
            return activities.save_activity(conn, activity, crm.list_activity_types(conn))

    def feed(self, user_id: int, scope: str = "own") -> str:
        with self.engine.begin() as conn:
            return feeds.create_feed(conn, user_id, scope)

    def get(self, token: str, query: str = "", **headers: str) -> httpx.Response:
        url = f"{self.base_url}/feeds/{token}.ics" + (f"?{query}" if query else "")
        return httpx.get(url, headers=headers, timeout=10)


@pytest.fixture
def world(engine: sa.Engine, feed_server: str) -> World:
    return World(engine, feed_server)


def _parse(text: str) -> icalendar.Calendar:
    """Parse with all three parsers; return icalendar's tree for assertions."""
    vobject.readOne(text)
    IcsCalendarStream.calendar_from_ics(text)
    return icalendar.Calendar.from_ical(text)


def _unfolded(text: str) -> str:
    """Lines unfolded and lower-cased, so that no canary hides across a fold or in case."""
    return text.replace("\r\n ", "").replace("\r\n\t", "").lower()


def _summaries(response: httpx.Response) -> set[str]:
    assert response.status_code == 200, response.text
    calendar = _parse(response.text)
    return {
        str(component["SUMMARY"])
        for component in calendar.walk()
        if component.name in ("VEVENT", "VTODO")
    }


def test_own_feed_serves_the_owner_activities_in_full(world: World) -> None:
    world.add(world.dana.id, "Pitch to Acme", location="Acme HQ")
    world.add(world.dana.id, "Dentist", private=True, public_description="Root canal")
    world.add(world.dana.id, "Offsite", due_time=None, duration=dt.timedelta(days=2))
    world.add(world.dana.id, "Some day", type_key="task", due_date=None, due_time=None)
    world.add(world.erik.id, "Erik's call", type_key="call")

    response = world.get(world.feed(world.dana.id))

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["content-disposition"] == 'inline; filename="calbridge.ics"'
    assert response.headers["cache-control"] == "private, max-age=300"
    assert response.headers["etag"]
    assert response.headers["last-modified"].endswith(" GMT")
    calendar = _parse(response.text)
    assert str(calendar["X-WR-CALNAME"]) == "CalBridge — Dana Demo"
    assert _summaries(response) == {"Pitch to Acme", "Dentist", "Offsite", "Some day"}
    assert "Acme HQ" in response.text
    assert "Root canal" in response.text


def test_team_feed_serves_everyone_else_without_alarms(world: World) -> None:
    world.add(world.dana.id, "Dana's own")
    uid = str(uuid.uuid4())
    world.save(
        Activity(
            subject="Erik's review",
            type_key="meeting",
            owner_id=world.erik.id,
            uid=uid,
            due_date=TODAY,
            due_time=NOON,
            duration=dt.timedelta(hours=1),
            ical=_client_text(uid, TODAY, ALARM),
        )
    )

    own = world.get(world.feed(world.erik.id))
    team = world.get(world.feed(world.dana.id, "team"))

    assert "BEGIN:VALARM" in own.text
    assert _summaries(team) == {"Erik's review"}
    assert "VALARM" not in team.text
    assert str(_parse(team.text)["X-WR-CALNAME"]) == "CalBridge team"


def test_types_filter(world: World) -> None:
    world.add(world.dana.id, "A call", type_key="call")
    world.add(world.dana.id, "A lunch", type_key="lunch")
    world.add(world.dana.id, "A meeting", type_key="meeting")
    token = world.feed(world.dana.id)

    assert _summaries(world.get(token, "types=call,lunch")) == {"A call", "A lunch"}
    assert _summaries(world.get(token, "types=meeting")) == {"A meeting"}


def test_done_filter(world: World) -> None:
    world.add(world.dana.id, "Open")
    world.add(world.dana.id, "Finished", done=True)
    token = world.feed(world.dana.id)

    assert _summaries(world.get(token)) == {"Open", "Finished"}
    assert _summaries(world.get(token, "done=1")) == {"Open", "Finished"}
    assert _summaries(world.get(token, "done=0")) == {"Open"}


def test_time_window(world: World) -> None:
    world.add(world.dana.id, "Last year", due_date=TODAY - dt.timedelta(days=365))
    world.add(world.dana.id, "Last week", due_date=TODAY - dt.timedelta(days=7))
    world.add(world.dana.id, "Today")
    world.add(world.dana.id, "Next month", due_date=TODAY + dt.timedelta(days=30))
    token = world.feed(world.dana.id)

    assert _summaries(world.get(token, "past_days=10&future_days=0")) == {"Last week", "Today"}
    assert _summaries(world.get(token, "past_days=0&future_days=60")) == {"Today", "Next month"}
    assert _summaries(world.get(token, "future_days=0")) == {"Last year", "Last week", "Today"}
    assert _summaries(world.get(token, "past_days=3650")) == {
        "Last year",
        "Last week",
        "Today",
        "Next month",
    }


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("types=call,party", "party"),
        ("types=", "types"),
        ("done=yes", "done"),
        ("past_days=-1", "past_days"),
        ("past_days=abc", "past_days"),
        ("future_days=3651", "future_days"),
        ("future_days=1.5", "future_days"),
    ],
)
def test_bad_parameters_are_refused(world: World, query: str, message: str) -> None:
    response = world.get(world.feed(world.dana.id), query)

    assert response.status_code == 400
    assert message in response.text


def test_unknown_and_revoked_tokens_are_not_found(world: World) -> None:
    token = world.feed(world.dana.id)
    with world.engine.begin() as conn:
        (feed,) = feeds.list_feeds(conn, world.dana.id)
        feeds.revoke_feed(conn, feed.id)

    for probe in (token, "x" * 22, "not-a-token"):
        response = world.get(probe)
        assert response.status_code == 404
        assert "BEGIN:VCALENDAR" not in response.text


def test_rotation_gives_a_new_url_and_kills_the_old(world: World) -> None:
    world.add(world.dana.id, "Still here")
    old = world.feed(world.dana.id)
    with world.engine.begin() as conn:
        (feed,) = feeds.list_feeds(conn, world.dana.id)
        new = feeds.rotate_feed(conn, feed.id, world.dana.id)

    assert world.get(old).status_code == 404
    assert _summaries(world.get(new)) == {"Still here"}


def test_conditional_requests(world: World) -> None:
    activity = world.add(world.dana.id, "Before")
    token = world.feed(world.dana.id)
    first = world.get(token)
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]

    by_etag = world.get(token, **{"If-None-Match": etag})
    by_date = world.get(token, **{"If-Modified-Since": last_modified})
    other_query = world.get(token, "done=0", **{"If-None-Match": etag})
    head = httpx.head(f"{world.base_url}/feeds/{token}.ics")

    assert by_etag.status_code == 304
    assert by_etag.content == b""
    assert by_etag.headers["etag"] == etag
    assert by_date.status_code == 304
    assert other_query.status_code == 200
    assert head.status_code == 200
    assert head.headers["etag"] == etag
    assert head.content == b""

    world.save(replace(activity, subject="After"))
    changed = world.get(token, **{"If-None-Match": etag})

    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert _summaries(changed) == {"After"}


def test_deletion_changes_the_etag(world: World) -> None:
    world.add(world.dana.id, "Stays")
    gone = world.add(world.dana.id, "Goes")
    token = world.feed(world.dana.id)
    etag = world.get(token).headers["etag"]
    with world.engine.begin() as conn:
        activities.delete_activity(conn, gone.id)

    response = world.get(token, **{"If-None-Match": etag})

    assert response.status_code == 200
    assert _summaries(response) == {"Stays"}


def test_a_304_reads_no_activity_text(world: World) -> None:
    world.add(world.dana.id, "Anything")
    token = world.feed(world.dana.id, "team")
    etag = world.get(token).headers["etag"]
    statements: list[str] = []

    def record(_conn: sa.Connection, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    sa.event.listen(world.engine, "before_cursor_execute", record)
    try:
        response = world.get(token, **{"If-None-Match": f'"other", {etag}'})
    finally:
        sa.event.remove(world.engine, "before_cursor_execute", record)

    assert response.status_code == 304
    assert statements
    assert not [statement for statement in statements if "activities.ical" in statement]


CANARIES = {
    "subject": "CANARY-SUBJECT-7f3a",
    "description": "CANARY-DESCRIPTION-7f3a",
    "location": "CANARY-LOCATION-7f3a",
    "attendee": "canary-attendee-7f3a@example.com",
    "attendee_name": "CANARY-ATTENDEE-NAME-7f3a",
    "note": "CANARY-NOTE-7f3a",
    "x_property": "CANARY-X-PROPERTY-7f3a",
}


def _private_activity_with_canaries(world: World) -> Activity:
    uid = str(uuid.uuid4())
    return world.save(
        Activity(
            subject=CANARIES["subject"],
            type_key="lunch",
            owner_id=world.dana.id,
            uid=uid,
            due_date=TODAY,
            due_time=dt.time(15, 0),
            duration=dt.timedelta(hours=2),
            private=True,
            public_description=CANARIES["description"],
            location=CANARIES["location"],
            note=CANARIES["note"],
            attendees=[Attendee(CANARIES["attendee"], CANARIES["attendee_name"])],
            ical=_client_text(uid, TODAY, f"X-CANARY:{CANARIES['x_property']}\r\n{ALARM}"),
        )
    )


def test_private_activity_is_an_opaque_busy_block_in_team_feeds(world: World) -> None:
    _private_activity_with_canaries(world)
    token = world.feed(world.erik.id, "team")
    own = _unfolded(world.get(world.feed(world.dana.id)).text)
    assert all(canary.lower() in own for name, canary in CANARIES.items() if name != "note")

    for query in ("", "types=call", "done=0", "past_days=1&future_days=1"):
        response = world.get(token, query)
        assert response.status_code == 200
        shown = _unfolded(response.text)
        for canary in CANARIES.values():
            assert canary.lower() not in shown, (query, canary)
        busy = [c for c in _parse(response.text).walk() if c.name == "VEVENT"]
        assert len(busy) == 1, query
        start = dt.datetime.combine(TODAY, dt.time(15, 0), dt.UTC)
        assert busy[0].decoded("DTSTART") == start
        assert busy[0].decoded("DTEND") == start + dt.timedelta(hours=2)


def test_the_note_never_reaches_any_feed(world: World) -> None:
    _private_activity_with_canaries(world)
    world.add(world.dana.id, "Public one", note=CANARIES["note"])
    world.add(world.erik.id, "Erik's", note=CANARIES["note"])
    tokens = [
        world.feed(user.id, scope)
        for user in (world.dana, world.erik)
        for scope in feeds.FEED_SCOPES
    ]

    for token in tokens:
        response = world.get(token)
        assert response.status_code == 200
        assert CANARIES["note"].lower() not in _unfolded(response.text)
