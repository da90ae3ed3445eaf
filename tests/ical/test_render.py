"""Activity -> text: round trips, CRM edits winning, kinds, determinism, strict parsers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

from bridge.domain import Activity, ActivityType, Attendee
from bridge.ical.parse import activity_from_ical
from bridge.ical.render import render
from tests.ical.ical_samples import MEETING, TASK, UPDATED, calendar, event

Strict = Callable[[str], None]


def parse(text: str, existing: Activity | None = None) -> Activity:
    return activity_from_ical(text, owner_id=7, default_type_key="meeting", existing=existing)


def unfolded(text: str) -> str:
    return text.replace("\r\n ", "")


def fresh(**fields: object) -> Activity:
    values: dict[str, object] = {
        "subject": "Call Ada",
        "type_key": "call",
        "owner_id": 1,
        "uid": "act-1@calbridge",
        "due_date": dt.date(2024, 3, 4),
        "due_time": dt.time(9, 30),
        "duration": dt.timedelta(minutes=45),
        "updated_at": UPDATED,
    }
    values.update(fields)
    return Activity(**values)  # type: ignore[arg-type]


def test_client_round_trip_keeps_unmodelled_data(client_text: str, strict: Strict) -> None:
    activity = replace(parse(client_text), updated_at=UPDATED)
    text = render(activity, MEETING)
    strict(text)
    text = unfolded(text)
    for kept in (
        "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nDESCRIPTION:Reminder\r\nEND:VALARM",
        "X-FOO;X-PARAM=keep:some value",
        'ATTENDEE;CN="Doe, Jane";PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:jane@',
        "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin",
        "DTSTART;TZID=Europe/Berlin:20240702T100000",
    ):
        assert kept in text
    again = parse(text)
    for field in ("subject", "due_date", "due_time", "duration", "location", "attendees"):
        assert getattr(again, field) == getattr(activity, field)
    assert (again.type_key, again.deal_id) == ("call", 42)


def test_crm_edit_wins_over_client_text(client_text: str, strict: Strict) -> None:
    activity = parse(client_text)
    edited = replace(
        activity,
        subject="Renamed",
        due_time=dt.time(14, 0),
        location="",
        attendees=[Attendee("jane@example.com", "Jane D.", "DECLINED")],
        private=True,
        busy=False,
        updated_at=UPDATED,
    )
    text = render(edited, MEETING)
    strict(text)
    text = unfolded(text)
    assert "SUMMARY:Renamed\r\n" in text and "Quarterly" not in text
    assert "LOCATION" not in text
    assert "DTSTART;TZID=Europe/Berlin:20240702T160000\r\n" in text
    assert "CLASS:PRIVATE\r\n" in text and "TRANSP:TRANSPARENT\r\n" in text
    assert "ATTENDEE;CN=Jane D.;PARTSTAT=DECLINED;ROLE=REQ-PARTICIPANT;RSVP=TRUE:" in text
    assert "bob@example.com" not in text
    assert parse(text).due_time == dt.time(14, 0)


def test_fresh_event_output(strict: Strict) -> None:
    activity = fresh(deal_id=3, person_id=4, org_id=5, public_description="Bring\nslides")
    text = render(activity, ActivityType("call", "Call, phone"))
    strict(text)
    assert text.startswith(
        "BEGIN:VCALENDAR\r\nPRODID:-//CalBridge//CalBridge//EN\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\n"
        "UID:act-1@calbridge\r\nDTSTAMP:20240501T123000Z\r\nDTSTART:20240304T093000Z\r\n"
        "DTEND:20240304T101500Z\r\nSUMMARY:Call Ada\r\nDESCRIPTION:Bring\\nslides\r\n"
        "CLASS:PUBLIC\r\nTRANSP:OPAQUE\r\nCATEGORIES;X-CALBRIDGE-TYPE=call:Call\\, phone\r\n"
        "LAST-MODIFIED:20240501T123000Z\r\nX-CALBRIDGE-TYPE:call\r\nX-CALBRIDGE-DEAL:3\r\n"
        "X-CALBRIDGE-PERSON:4\r\nX-CALBRIDGE-ORG:5\r\nEND:VEVENT\r\n"
    )


def test_note_never_rendered() -> None:
    activity = fresh(note="SECRET-NOTE", public_description="public")
    for activity_type in (MEETING, TASK):
        assert "SECRET-NOTE" not in render(activity, activity_type)


def test_render_is_deterministic_and_stable_after_a_client_round_trip(client_text: str) -> None:
    activity = replace(parse(client_text), updated_at=UPDATED)
    first = render(activity, MEETING)
    assert render(activity, MEETING) == first
    reparsed = replace(parse(first, existing=activity), updated_at=UPDATED)
    assert render(reparsed, MEETING) == first


def test_dtstamp_falls_back_to_created_then_epoch() -> None:
    created = dt.datetime(2024, 2, 2, tzinfo=dt.UTC)
    assert "DTSTAMP:20240202T000000Z" in render(fresh(updated_at=None, created_at=created), MEETING)
    text = render(fresh(updated_at=None), MEETING)
    assert "DTSTAMP:19700101T000000Z" in text and "LAST-MODIFIED" not in text


def test_all_day_event(strict: Strict) -> None:
    text = render(fresh(due_time=None, duration=None), MEETING)
    strict(text)
    assert "DTSTART;VALUE=DATE:20240304\r\nDTEND;VALUE=DATE:20240305\r\n" in text
    three = render(fresh(due_time=None, duration=dt.timedelta(days=3)), MEETING)
    assert "DTEND;VALUE=DATE:20240307\r\n" in three
    assert parse(three).duration == dt.timedelta(days=3)


def test_todo_types_and_undated_activities_are_vtodos(strict: Strict) -> None:
    dated = render(fresh(duration=None), TASK)
    strict(dated)
    assert "BEGIN:VTODO" in dated and "DUE:20240304T093000Z\r\n" in dated
    assert "DTSTART" not in dated and "TRANSP" not in dated
    timed = render(fresh(), TASK)
    assert "DTSTART:20240304T084500Z\r\nDUE:20240304T093000Z\r\n" in timed
    undated = render(fresh(due_date=None, due_time=None, duration=None, busy=False), MEETING)
    strict(undated)
    assert "BEGIN:VTODO" in undated and "DUE" not in undated and "DTSTART" not in undated
    assert not parse(undated).busy


def test_done_todo_and_done_event(strict: Strict) -> None:
    done_at = dt.datetime(2024, 3, 5, 7, tzinfo=dt.UTC)
    todo = render(fresh(done=True, done_at=done_at), TASK)
    strict(todo)
    assert "STATUS:COMPLETED\r\nCOMPLETED:20240305T070000Z\r\nPERCENT-COMPLETE:100\r\n" in todo
    assert parse(todo).done_at == done_at
    event_text = render(fresh(done=True, done_at=done_at), MEETING)
    strict(event_text)
    assert "X-CALBRIDGE-DONE:TRUE" in event_text and "COMPLETED" not in event_text
    assert parse(event_text).done


def test_undoing_a_client_completed_todo() -> None:
    text = calendar(
        event("DUE:20240105T170000Z", "STATUS:COMPLETED", "PERCENT-COMPLETE:100", kind="VTODO")
    )
    activity = replace(parse(text), done=False, done_at=None)
    rendered = render(activity, TASK)
    assert "COMPLETED" not in rendered and "PERCENT-COMPLETE" not in rendered
    assert not parse(rendered).done
    in_process = calendar(event("DUE:20240105T170000Z", "STATUS:IN-PROCESS", kind="VTODO"))
    assert "STATUS:IN-PROCESS" in render(parse(in_process), TASK)


def test_kind_change_carries_unmodelled_properties(strict: Strict, client_text: str) -> None:
    activity = parse(client_text)
    text = render(activity, TASK)
    strict(text)
    assert "BEGIN:VTODO" in text and "BEGIN:VEVENT" not in text
    assert "X-FOO;X-PARAM=keep:some value" in text and "BEGIN:VALARM" in text
    assert "DTEND" not in text and "TRANSP" not in text


def test_recurring_event_keeps_rule_and_overrides(strict: Strict) -> None:
    master = event(
        "DTSTART:20240101T100000Z",
        "DTEND:20240101T110000Z",
        "RRULE:FREQ=WEEKLY;COUNT=4",
        "EXDATE:20240115T100000Z",
        "SUMMARY:weekly",
    )
    override = event(
        "RECURRENCE-ID:20240108T100000Z",
        "DTSTART:20240108T120000Z",
        "DTEND:20240108T130000Z",
        "SUMMARY:moved",
    )
    text = render(parse(calendar(master, override)), MEETING)
    strict(text)
    assert "RRULE:FREQ=WEEKLY;COUNT=4" in text and "EXDATE:20240115T100000Z" in text
    assert text.count("BEGIN:VEVENT") == 2 and "SUMMARY:moved" in text


def test_method_is_dropped_and_long_lines_are_folded(strict: Strict) -> None:
    text = calendar(event("DTSTART:20240105T100000Z")).replace("PRODID", "METHOD:REQUEST\nPRODID")
    activity = replace(parse(text), subject="é" * 100)
    rendered = render(activity, MEETING)
    strict(rendered)
    assert "METHOD" not in rendered
    assert all(len(line.encode()) <= 75 for line in rendered.split("\r\n"))
    assert parse(rendered).subject == "é" * 100
