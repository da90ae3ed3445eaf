"""The CalDAV door end to end: the `caldav` client library against a real server."""

from __future__ import annotations

import datetime as dt
import uuid

import caldav
import httpx
import pytest
import sqlalchemy as sa

from bridge.domain import Activity
from bridge.store import activities, crm, users

UTC = dt.UTC


def _event(uid: str, summary: str, start: dt.datetime, extra: str = "", minutes: int = 30) -> str:
    end = start + dt.timedelta(minutes=minutes)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        "BEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20260101T000000Z\r\n"
        f"DTSTART:{start:%Y%m%dT%H%M%SZ}\r\nDTEND:{end:%Y%m%dT%H%M%SZ}\r\n"
        f"SUMMARY:{summary}\r\n{extra}"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def _todo(uid: str, summary: str) -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        f"BEGIN:VTODO\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:{summary}\r\n"
        "END:VTODO\r\nEND:VCALENDAR\r\n"
    )


@pytest.fixture
def people(engine: sa.Engine) -> dict[str, int]:
    with engine.begin() as conn:
        alice = users.create_user(conn, "alice", "alice-pw", name="Alice")
        bob = users.create_user(conn, "bob", "bob-pw", name="Bob")
    return {"alice": alice.id, "bob": bob.id}


def _client(base_url: str, login: str) -> caldav.DAVClient:
    return caldav.DAVClient(url=f"{base_url}/dav/", username=login, password=f"{login}-pw")


def _calendar(base_url: str, login: str, name: str) -> caldav.Calendar:
    return _client(base_url, login).calendar(url=f"{base_url}/dav/{login}/{name}/")


def _stored(engine: sa.Engine, owner_id: int) -> list[Activity]:
    with engine.connect() as conn:
        return activities.list_activities(conn, owner_id)


def test_discovery_from_well_known(live_server: str, people: dict[str, int]) -> None:
    client = caldav.DAVClient(
        url=f"{live_server}/.well-known/caldav", username="alice", password="alice-pw"
    )
    names = {calendar.get_display_name() for calendar in client.principal().calendars()}
    assert {"Activities", "Tasks", "Team"} <= names


def test_event_lifecycle_changes_the_activity(
    live_server: str, engine: sa.Engine, people: dict[str, int]
) -> None:
    calendar = _calendar(live_server, "alice", "activities")
    start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    event = calendar.save_event(_event("ev-1", "Call with Ada", start, "LOCATION:Room 1\r\n"))
    (stored,) = _stored(engine, people["alice"])
    assert (stored.subject, stored.location, stored.due_date) == (
        "Call with Ada",
        "Room 1",
        dt.date(2026, 12, 1),
    )
    assert stored.due_time == dt.time(9, 0)
    assert stored.duration == dt.timedelta(minutes=30)
    assert stored.type_key == "meeting"

    event.load()
    event.icalendar_component["summary"] = "Call with Ada (moved)"
    event.save()
    (stored,) = _stored(engine, people["alice"])
    assert stored.subject == "Call with Ada (moved)"

    event.delete()
    assert _stored(engine, people["alice"]) == []


def test_todo_complete_marks_activity_done(
    live_server: str, engine: sa.Engine, people: dict[str, int]
) -> None:
    tasks = _calendar(live_server, "alice", "tasks")
    todo = tasks.save_todo(_todo("todo-1", "Send the proposal"))
    (stored,) = _stored(engine, people["alice"])
    assert (stored.type_key, stored.done, stored.due_date) == ("task", False, None)
    todo.complete()
    (stored,) = _stored(engine, people["alice"])
    assert stored.done and stored.done_at is not None


def test_unmodelled_properties_survive(live_server: str, people: dict[str, int]) -> None:
    calendar = _calendar(live_server, "alice", "activities")
    extra = (
        "X-FOO-CLIENT:keep me\r\n"
        "ATTENDEE;CN=Ada;PARTSTAT=ACCEPTED;X-ROLE-NOTE=vip:mailto:ada@example.com\r\n"
        "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\nTRIGGER:-PT15M\r\n"
        "END:VALARM\r\n"
    )
    calendar.save_event(_event("keep-1", "Keep", dt.datetime(2026, 12, 2, 9, tzinfo=UTC), extra))
    text = calendar.event_by_uid("keep-1").data
    assert "X-FOO-CLIENT:keep me" in text
    assert "BEGIN:VALARM" in text and "TRIGGER:-PT15M" in text
    assert "X-ROLE-NOTE=vip" in text


def test_crm_change_reaches_client_through_sync_token(
    live_server: str, engine: sa.Engine, people: dict[str, int]
) -> None:
    calendar = _calendar(live_server, "alice", "activities")
    calendar.save_event(_event("s-1", "First", dt.datetime(2026, 12, 3, 9, tzinfo=UTC)))
    initial = calendar.objects_by_sync_token(load_objects=False)
    assert len(list(initial)) == 1
    with engine.begin() as conn:
        activities.save_activity(
            conn,
            Activity(
                subject="From the CRM",
                type_key="call",
                owner_id=people["alice"],
                uid="crm-1",
                due_date=dt.date(2026, 12, 4),
                due_time=dt.time(10, 0),
            ),
            crm.list_activity_types(conn),
        )
    changed = calendar.objects_by_sync_token(sync_token=initial.sync_token, load_objects=True)
    summaries = [obj.icalendar_component["summary"] for obj in changed]
    assert summaries == ["From the CRM"]
    unchanged = calendar.objects_by_sync_token(sync_token=changed.sync_token, load_objects=False)
    assert list(unchanged) == []


def test_time_range_query_includes_recurring_occurrences(
    live_server: str, people: dict[str, int]
) -> None:
    calendar = _calendar(live_server, "alice", "activities")
    calendar.save_event(
        _event(
            "weekly", "Weekly sync", dt.datetime(2026, 1, 5, 9, tzinfo=UTC), "RRULE:FREQ=WEEKLY\r\n"
        )
    )
    calendar.save_event(_event("once", "Old one", dt.datetime(2026, 1, 6, 9, tzinfo=UTC)))
    found = calendar.search(
        start=dt.datetime(2026, 12, 7, tzinfo=UTC),
        end=dt.datetime(2026, 12, 14, tzinfo=UTC),
        event=True,
    )
    assert [obj.icalendar_component["uid"] for obj in found] == ["weekly"]


def test_if_match_mismatch_is_412(
    live_server: str, engine: sa.Engine, people: dict[str, int]
) -> None:
    url = f"{live_server}/dav/alice/activities/m-1.ics"
    auth = ("alice", "alice-pw")
    body = _event("m-1", "Original", dt.datetime(2026, 12, 5, 9, tzinfo=UTC))
    created = httpx.put(url, content=body, auth=auth, headers={"If-None-Match": "*"})
    assert created.status_code == 201
    stale = httpx.put(
        url, content=body.replace("Original", "Changed"), auth=auth, headers={"If-Match": '"nope"'}
    )
    assert stale.status_code == 412
    assert [a.subject for a in _stored(engine, people["alice"])] == ["Original"]
    etag = httpx.get(url, auth=auth).headers["etag"]
    fresh = httpx.put(
        url, content=body.replace("Original", "Changed"), auth=auth, headers={"If-Match": etag}
    )
    assert fresh.status_code in (200, 204)


def test_other_users_paths_are_forbidden(live_server: str, people: dict[str, int]) -> None:
    auth = ("bob", "bob-pw")
    body = _event("x-1", "Intrusion", dt.datetime(2026, 12, 5, 9, tzinfo=UTC))
    assert (
        httpx.put(f"{live_server}/dav/alice/activities/x.ics", content=body, auth=auth).status_code
        == 403
    )
    assert (
        httpx.request("PROPFIND", f"{live_server}/dav/alice/activities/", auth=auth).status_code
        == 403
    )


@pytest.mark.parametrize(
    ("auth", "status"), [(None, 401), (("alice", "wrong"), 401), (("nobody", "x"), 401)]
)
def test_missing_or_wrong_credentials_are_401(
    live_server: str, people: dict[str, int], auth: tuple[str, str] | None, status: int
) -> None:
    response = httpx.request("PROPFIND", f"{live_server}/dav/alice/", auth=auth)
    assert response.status_code == status


def test_bad_input_is_refused_and_nothing_stored(
    live_server: str, engine: sa.Engine, people: dict[str, int]
) -> None:
    auth = ("alice", "alice-pw")
    base = f"{live_server}/dav/alice"
    garbage = httpx.put(f"{base}/activities/bad.ics", content="BEGIN:VCALENDAR\r\nnope", auth=auth)
    assert garbage.status_code == 400
    wrong_kind = httpx.put(f"{base}/activities/t.ics", content=_todo("t-1", "A task"), auth=auth)
    assert wrong_kind.status_code == 403
    assert "supported-calendar-component" in wrong_kind.text
    into_team = httpx.put(
        f"{base}/team/e.ics",
        content=_event("e-1", "Mine", dt.datetime(2026, 12, 5, 9, tzinfo=UTC)),
        auth=auth,
    )
    assert into_team.status_code == 403
    huge = httpx.put(f"{base}/activities/huge.ics", content=b"x" * (11 * 1024 * 1024), auth=auth)
    assert huge.status_code == 413
    assert _stored(engine, people["alice"]) == []


def test_team_calendar_masks_private_activities(
    live_server: str, engine: sa.Engine, people: dict[str, int]
) -> None:
    canary = f"CANARY{uuid.uuid4().hex}"
    with engine.begin() as conn:
        activities.save_activity(
            conn,
            Activity(
                subject=f"Secret {canary}",
                type_key="meeting",
                owner_id=people["alice"],
                uid=f"uid-{canary}",
                due_date=dt.date(2026, 12, 8),
                due_time=dt.time(14, 0),
                duration=dt.timedelta(hours=1),
                private=True,
                location=f"Room {canary}",
                public_description=f"Desc {canary}",
                note=f"Note {canary}",
            ),
            crm.list_activity_types(conn),
        )
        activities.save_activity(
            conn,
            Activity(
                subject="Open standup",
                type_key="meeting",
                owner_id=people["alice"],
                uid="open-1",
                due_date=dt.date(2026, 12, 8),
                due_time=dt.time(9, 0),
            ),
            crm.list_activity_types(conn),
        )
    team = _calendar(live_server, "bob", "team")
    summaries = sorted(str(obj.icalendar_component["summary"]) for obj in team.events())
    assert summaries == ["Busy", "Open standup"]
    auth = ("bob", "bob-pw")
    bodies = [
        httpx.request(
            "PROPFIND", f"{live_server}/dav/bob/team/", auth=auth, headers={"Depth": "1"}
        ).text,
        httpx.get(f"{live_server}/dav/bob/team/", auth=auth).text,
        "".join(obj.data for obj in team.objects_by_sync_token(load_objects=True)),
    ]
    for body in bodies:
        assert canary not in body
    own = _calendar(live_server, "alice", "activities")
    own_text = "".join(obj.data for obj in own.events())
    assert f"Secret {canary}" in own_text
    assert f"Note {canary}" not in own_text


def test_plain_calendars_behave_like_radicale(live_server: str, people: dict[str, int]) -> None:
    principal = _client(live_server, "alice").principal()
    calendar = principal.make_calendar(name="Holidays", cal_id="holidays")
    calendar.save_event(_event("h-1", "Holiday", dt.datetime(2026, 12, 24, tzinfo=UTC)))
    assert [e.icalendar_component["summary"] for e in calendar.events()] == ["Holiday"]
    calendar.set_properties([caldav.elements.dav.DisplayName("Public holidays")])
    assert _calendar(live_server, "alice", "holidays").get_display_name() == "Public holidays"
    token = calendar.objects_by_sync_token(load_objects=False).sync_token
    calendar.event_by_uid("h-1").delete()
    changes = calendar.objects_by_sync_token(sync_token=token, load_objects=False)
    assert len(list(changes)) == 1
    calendar.delete()
    names = {c.get_display_name() for c in principal.calendars()}
    assert "Public holidays" not in names


def test_app_password_signs_in_calendar_clients(
    live_server: str, engine: sa.Engine, people: dict[str, int]
) -> None:
    with engine.begin() as conn:
        secret = users.add_app_password(conn, "alice", "phone")
    client = caldav.DAVClient(url=f"{live_server}/dav/", username="alice", password=secret)
    assert {c.get_display_name() for c in client.principal().calendars()} >= {"Activities"}
    wrong = httpx.request("PROPFIND", f"{live_server}/dav/alice/", auth=("bob", secret))
    assert wrong.status_code == 401
