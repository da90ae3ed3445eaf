"""Client text -> Activity: time zones, all-day, to-dos, flags, links, errors."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from bridge.domain import Activity, Attendee
from bridge.ical.errors import ICalError
from bridge.ical.parse import activity_from_ical
from tests.ical.ical_samples import BERLIN, calendar, event


def parse(text: str, existing: Activity | None = None) -> Activity:
    return activity_from_ical(text, owner_id=7, default_type_key="meeting", existing=existing)


def test_rich_client_object_maps_every_field(client_text: str) -> None:
    activity = parse(client_text)
    assert activity.uid == "evt-1@example.com"
    assert activity.subject == "Quarterly review, Q2"
    assert (activity.due_date, activity.due_time) == (dt.date(2024, 7, 2), dt.time(8, 0))
    assert activity.duration == dt.timedelta(minutes=90)
    assert activity.location == "Room 4"
    assert activity.public_description == "Agenda:\n1. numbers"
    assert activity.type_key == "call"
    assert activity.deal_id == 42
    assert (activity.busy, activity.private, activity.done) == (True, False, False)
    assert activity.attendees == [
        Attendee("jane@example.com", "Doe, Jane", "ACCEPTED"),
        Attendee("bob@example.com", "", "NEEDS-ACTION"),
    ]
    assert activity.owner_id == 7
    assert activity.ical is not None and activity.ical.startswith("BEGIN:VCALENDAR\r\n")
    assert "X-FOO;X-PARAM=keep:some value\r\n" in activity.ical


def test_custom_vtimezone_is_used_for_conversion() -> None:
    zone = """BEGIN:VTIMEZONE
TZID:Custom Zone
BEGIN:STANDARD
DTSTART:16010101T000000
TZOFFSETFROM:+0530
TZOFFSETTO:+0530
END:STANDARD
END:VTIMEZONE
"""
    text = calendar(zone, event("DTSTART;TZID=Custom Zone:20240301T100000"))
    activity = parse(text)
    assert (activity.due_date, activity.due_time) == (dt.date(2024, 3, 1), dt.time(4, 30))
    assert activity.duration is None


def test_winter_time_and_floating_time() -> None:
    winter = parse(calendar(BERLIN, event("DTSTART;TZID=Europe/Berlin:20240110T100000")))
    assert winter.due_time == dt.time(9, 0)
    floating = parse(calendar(event("DTSTART:20240110T100000")))
    assert floating.due_time == dt.time(10, 0)


def test_all_day_event_keeps_its_day_count() -> None:
    one = parse(calendar(event("DTSTART;VALUE=DATE:20240105", "DTEND;VALUE=DATE:20240106")))
    assert (one.due_date, one.due_time, one.duration) == (
        dt.date(2024, 1, 5),
        None,
        dt.timedelta(days=1),
    )
    three = parse(calendar(event("DTSTART;VALUE=DATE:20240105", "DURATION:P3D")))
    assert three.duration == dt.timedelta(days=3)
    bare = parse(calendar(event("DTSTART;VALUE=DATE:20240105")))
    assert bare.is_all_day and bare.duration is None


@pytest.mark.parametrize(
    ("lines", "due", "duration"),
    [
        ((), None, None),
        (("DUE:20240105T170000Z",), dt.datetime(2024, 1, 5, 17, tzinfo=dt.UTC), None),
        (("DTSTART:20240105T170000Z",), dt.datetime(2024, 1, 5, 17, tzinfo=dt.UTC), None),
        (
            ("DTSTART:20240105T150000Z", "DUE:20240105T170000Z"),
            dt.datetime(2024, 1, 5, 17, tzinfo=dt.UTC),
            dt.timedelta(hours=2),
        ),
        (
            ("DTSTART:20240105T150000Z", "DURATION:PT2H"),
            dt.datetime(2024, 1, 5, 17, tzinfo=dt.UTC),
            dt.timedelta(hours=2),
        ),
    ],
)
def test_todo_due_moment(
    lines: tuple[str, ...], due: dt.datetime | None, duration: dt.timedelta | None
) -> None:
    activity = parse(calendar(event(*lines, kind="VTODO")))
    assert activity.start == due
    assert activity.duration == duration


def test_all_day_todo() -> None:
    activity = parse(calendar(event("DUE;VALUE=DATE:20240105", kind="VTODO")))
    assert (activity.due_date, activity.due_time) == (dt.date(2024, 1, 5), None)


@pytest.mark.parametrize(
    "lines",
    [("STATUS:COMPLETED", "COMPLETED:20240102T080000Z"), ("COMPLETED:20240102T080000Z",)],
)
def test_completed_todo(lines: tuple[str, ...]) -> None:
    activity = parse(calendar(event(*lines, kind="VTODO")))
    assert activity.done
    assert activity.done_at == dt.datetime(2024, 1, 2, 8, tzinfo=dt.UTC)


def test_status_completed_without_timestamp_keeps_existing_done_at() -> None:
    earlier = dt.datetime(2023, 12, 1, tzinfo=dt.UTC)
    existing = Activity("x", "task", 7, "evt-1@example.com", done=True, done_at=earlier)
    activity = parse(calendar(event("STATUS:COMPLETED", kind="VTODO")), existing=existing)
    assert activity.done and activity.done_at == earlier
    assert not parse(calendar(event("STATUS:NEEDS-ACTION", kind="VTODO"))).done


@pytest.mark.parametrize(
    ("value", "private"), [("PRIVATE", True), ("CONFIDENTIAL", True), ("PUBLIC", False)]
)
def test_class(value: str, private: bool) -> None:
    activity = parse(calendar(event("DTSTART:20240105T100000Z", f"CLASS:{value}")))
    assert activity.private is private


def test_transparency() -> None:
    assert not parse(calendar(event("DTSTART:20240105T100000Z", "TRANSP:TRANSPARENT"))).busy
    assert parse(calendar(event("DTSTART:20240105T100000Z"))).busy


def test_links_ignore_garbage_and_fall_back_to_existing() -> None:
    existing = Activity("x", "lunch", 3, "evt-1@example.com", deal_id=1, person_id=2, org_id=9)
    text = calendar(
        event(
            "DTSTART:20240105T100000Z",
            "X-CALBRIDGE-DEAL:12",
            "X-CALBRIDGE-PERSON:abc",
            "X-CALBRIDGE-ORG:-4",
        )
    )
    activity = parse(text, existing=existing)
    assert (activity.deal_id, activity.person_id, activity.org_id) == (12, 2, 9)
    assert activity.type_key == "lunch"
    assert parse(text).type_key == "meeting"
    assert (parse(text).person_id, parse(text).org_id) == (None, None)


def test_fields_clients_cannot_express_come_from_existing() -> None:
    created = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    existing = Activity(
        "old",
        "call",
        3,
        "evt-1@example.com",
        note="internal only",
        participant_ids=[4, 5],
        href="evt-1.ics",
        id=99,
        revision=12,
        created_at=created,
    )
    activity = parse(calendar(event("DTSTART:20240105T100000Z", "SUMMARY:new")), existing=existing)
    assert activity.subject == "new"
    assert (activity.note, activity.participant_ids, activity.href) == (
        "internal only",
        [4, 5],
        "evt-1.ics",
    )
    assert (activity.id, activity.revision, activity.created_at, activity.owner_id) == (
        99,
        12,
        created,
        3,
    )


def test_master_drives_fields_whatever_the_order() -> None:
    override = event("RECURRENCE-ID:20240108T100000Z", "DTSTART:20240108T120000Z", "SUMMARY:moved")
    master = event("DTSTART:20240101T100000Z", "RRULE:FREQ=WEEKLY;COUNT=4", "SUMMARY:weekly")
    activity = parse(calendar(override, master))
    assert activity.subject == "weekly"
    assert activity.due_date == dt.date(2024, 1, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "VCALENDAR"),
        ("not a calendar at all", "outside"),
        (calendar(), "no VEVENT or VTODO"),
        (calendar(event(kind="VJOURNAL")), "no VEVENT or VTODO"),
        (calendar(event("SUMMARY:no start")), "DTSTART"),
        (
            calendar(event("DTSTART:20240105T100000Z"), event("DTSTART:20240105T100000Z", uid="b")),
            "one UID",
        ),
        (
            calendar(event("DTSTART:20240105T100000Z"), event("DTSTART:20240105T100000Z")),
            "RECURRENCE-ID",
        ),
        (calendar(event("DTSTART:tomorrow")), "DTSTART is not a valid"),
        (calendar(event("DTSTART:20240105T100000Z", "DTEND:20240104T100000Z")), "ends before"),
        (calendar(event("DTSTART:20240105T100000Z", "DURATION:soon")), "DURATION"),
        (calendar(event("DTSTART:20240105T100000Z")).replace("END:VEVENT\n", ""), "END:VCALENDAR"),
        (
            calendar(event("DTSTART:20240105T100000Z")).replace(
                "BEGIN:VEVENT\nUID:evt-1@example.com\n", "BEGIN:VEVENT\n"
            ),
            "no UID",
        ),
        (calendar(event("DTSTART:20240105T100000Z"), event(kind="VTODO")), "mixes"),
        (calendar(event("DTSTART:20240105T100000Z")) * 2, "exactly one VCALENDAR"),
        (calendar(event("garbage line without colon")), "not an iCalendar content line"),
    ],
)
def test_malformed_input_raises_ical_error(text: str, message: str) -> None:
    with pytest.raises(ICalError, match=message):
        parse(text)


@pytest.mark.parametrize(
    ("value", "duration"),
    [
        ("P1W2DT3H4M5S", dt.timedelta(days=9, hours=3, minutes=4, seconds=5)),
        ("+PT1H", dt.timedelta(hours=1)),
        ("PT90M", dt.timedelta(minutes=90)),
        ("P", dt.timedelta(0)),
        ("-P0D", dt.timedelta(0)),
    ],
)
def test_duration_values(value: str, duration: dt.timedelta) -> None:
    activity = parse(calendar(event("DTSTART:20240105T100000Z", f"DURATION:{value}")))
    assert activity.duration == duration


@pytest.mark.parametrize("value", ["-PT1H", "pt1h", "P1H", "PT1H ", "P99999999999D"])
def test_bad_durations(value: str) -> None:
    with pytest.raises(ICalError, match="DURATION"):
        parse(calendar(event("DTSTART:20240105T100000Z", f"DURATION:{value}")))


def test_zone_names_without_vtimezone_and_zone_over_z() -> None:
    new_york = parse(calendar(event("DTSTART;TZID=America/New_York:20240301T100000")))
    assert new_york.due_time == dt.time(15, 0)
    windows = parse(calendar(event("DTSTART;TZID=W. Europe Standard Time:20240301T100000")))
    assert windows.due_time == dt.time(9, 0)
    unknown = parse(calendar(event("DTSTART;TZID=Nowhere/Else:20240301T100000")))
    assert unknown.due_time == dt.time(10, 0)
    zoned_z = parse(calendar(BERLIN, event("DTSTART;TZID=Europe/Berlin:20240301T100000Z")))
    assert zoned_z.due_time == dt.time(9, 0)
    zoned_date = parse(calendar(BERLIN, event("DTSTART;TZID=Europe/Berlin:20240301")))
    assert (zoned_date.due_date, zoned_date.due_time) == (dt.date(2024, 2, 29), dt.time(23, 0))


def test_completed_ignores_tzid_and_texts_are_unescaped() -> None:
    text = calendar(
        event(
            "COMPLETED;TZID=Europe/Berlin:20240302T100000",
            "SUMMARY;LANGUAGE=de:a\\\\nb\\,c\\:d\\Ne",
            "X-CALBRIDGE-TYPE: a\\,b ",
            kind="VTODO",
        )
    )
    activity = parse(text)
    assert activity.done_at == dt.datetime(2024, 3, 2, 10, tzinfo=dt.UTC)
    assert activity.subject == "a\\nb,c:d\ne"
    assert activity.type_key == "a\\,b"


def test_unreadable_vtimezone_is_rejected() -> None:
    broken = BERLIN.replace("TZOFFSETTO:+0200", "TZOFFSETTO:bogus")
    with pytest.raises(ICalError, match="unreadable VEVENT"):
        parse(calendar(broken, event("DTSTART;TZID=Europe/Berlin:20240301T100000")))


def test_a_vtimezone_is_converted_once(monkeypatch: pytest.MonkeyPatch) -> None:
    read = icalendar.Timezone.from_ical
    calls: list[str] = []
    monkeypatch.setattr(
        icalendar.Timezone, "from_ical", lambda text: calls.append(text) or read(text)
    )
    zone = BERLIN.replace("Europe/Berlin", "Once/Zone")
    for day in range(1, 4):
        activity = parse(calendar(zone, event(f"DTSTART;TZID=Once/Zone:2024030{day}T100000")))
        assert activity.due_time == dt.time(9, 0)
    assert len(calls) == 1
