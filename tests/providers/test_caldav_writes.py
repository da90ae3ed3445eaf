"""The CalDAV provider's creates, updates and deletes of single events, against a stock Radicale.

Every write is conditional, and what CalBridge writes must read back as
the same content (`normalised`), or the planner would take its own
pushes for changes made in the calendar.
"""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from bridge.domain import Attendee
from bridge.providers import EventDraft, ExternalEvent, ItemRejected, NotFound, PreconditionFailed
from bridge.providers.caldav.provider import CalDavCalendarProvider
from bridge.sync.content import normalised
from tests.providers.caldav_fixtures import (
    WINDOW,
    draft,
    get_object,
    member_names,
    put_object,
    vcalendar,
)
from tests.stock_radicale import RadicaleServer

UTC = dt.UTC


def listed(caldav: CalDavCalendarProvider, calendar_url: str) -> dict[str, ExternalEvent]:
    page = caldav.list_changes(calendar_url, None, WINDOW)
    return {event.id: event for event in page.events}


def stored_vevent(url: str) -> icalendar.Component:
    response = get_object(url)
    response.raise_for_status()
    (vevent,) = icalendar.Calendar.from_ical(response.text).walk("VEVENT")
    return vevent


@pytest.mark.parametrize(
    "pushed",
    [
        draft(),
        draft(private=True, busy=False, attendees=(), description="", location=""),
        draft(
            all_day=True,
            start=dt.date(2030, 1, 20),
            end=dt.date(2030, 1, 23),
            summary="Trade fair; Hall 3, booth \\7",
            description="Line one\r\nLine two  \n",
        ),
        draft(end=dt.datetime(2030, 1, 15, 9, 0, tzinfo=UTC), summary="A deadline, an instant"),
        draft(
            start=dt.datetime(2030, 1, 15, 9, 0, 0, 500_000, tzinfo=UTC),
            attendees=(Attendee("a@example.org"), Attendee("B@Example.org", "Bee", "TENTATIVE")),
        ),
    ],
    ids=["timed", "private-free", "all-day", "instant", "microseconds"],
)
def test_a_pushed_draft_reads_back_as_the_same_content(
    calendar_url: str, caldav: CalDavCalendarProvider, pushed: EventDraft
) -> None:
    created = caldav.create(calendar_url, pushed, "activity-7")

    read_back = listed(caldav, calendar_url)[created.id]
    assert normalised(read_back) == normalised(pushed)
    assert normalised(created) == normalised(pushed)
    assert read_back.etag == created.etag
    assert read_back.activity_stamp == 7
    assert (read_back.private, read_back.busy) == (pushed.private, pushed.busy)


def test_create_writes_the_stamp_uid_and_no_invitations(
    calendar_url: str, caldav: CalDavCalendarProvider
) -> None:
    created = caldav.create(calendar_url, draft(private=True, busy=False), "activity-7")

    name = created.id.removeprefix("/alice/work/")
    vevent = stored_vevent(calendar_url + name)
    assert created.uid == "activity-7@calbridge"
    assert str(vevent["UID"]) == "activity-7@calbridge"
    assert str(vevent["X-CALBRIDGE-ACTIVITY-ID"]) == "7"
    assert str(vevent["CLASS"]) == "PRIVATE"
    assert str(vevent["TRANSP"]) == "TRANSPARENT"
    attendee = vevent["ATTENDEE"]
    assert attendee.params["SCHEDULE-AGENT"] == "CLIENT"
    assert "ORGANIZER" not in vevent
    calendar = icalendar.Calendar.from_ical(get_object(calendar_url + name).text)
    assert str(calendar["PRODID"]) == "-//CalBridge//EN"


def test_creating_twice_with_one_key_makes_one_event(
    calendar_url: str, caldav: CalDavCalendarProvider
) -> None:
    first = caldav.create(calendar_url, draft(), "activity-7/push:1")
    again = caldav.create(calendar_url, draft(summary="A retry"), "activity-7/push:1")
    other = caldav.create(calendar_url, draft(uid="activity-8@calbridge"), "activity-8/push:1")

    assert again.id == first.id
    assert again.etag == first.etag
    assert again.summary == "Call with ACME"
    assert other.id != first.id
    names = member_names(calendar_url)
    assert len(names) == 2
    assert all(name.endswith(".ics") and name.startswith("activity-") for name in names)
    assert all(set(name) <= set("abcdefghijklmnopqrstuvwxyz0123456789-_.") for name in names)


def test_a_draft_the_server_refuses_is_rejected(
    calendar_url: str, caldav: CalDavCalendarProvider
) -> None:
    caldav.create(calendar_url, draft(), "activity-7")

    with pytest.raises(ItemRejected):  # the same UID at another href: no-uid-conflict
        caldav.create(calendar_url, draft(), "another key")


def test_update_with_the_current_etag_rewrites_the_event(
    calendar_url: str, caldav: CalDavCalendarProvider
) -> None:
    created = caldav.create(calendar_url, draft(), "activity-7")
    changed = draft(
        summary="Call with ACME (moved)",
        start=dt.datetime(2030, 1, 16, 9, 0, tzinfo=UTC),
        end=dt.datetime(2030, 1, 16, 11, 0, tzinfo=UTC),
    )

    updated = caldav.update(calendar_url, created.id, changed, created.etag)

    assert updated.id == created.id
    assert updated.etag != created.etag
    assert normalised(updated) == normalised(changed)
    read_back = listed(caldav, calendar_url)[created.id]
    assert normalised(read_back) == normalised(changed)
    assert read_back.etag == updated.etag


def test_update_keeps_what_calbridge_does_not_sync(
    calendar_url: str, caldav: CalDavCalendarProvider
) -> None:
    etag = put_object(
        calendar_url,
        "theirs.ics",
        vcalendar(
            """
BEGIN:VEVENT
UID:theirs@phone
DTSTAMP:20291201T070000Z
DTSTART:20300110T090000Z
DTEND:20300110T100000Z
SUMMARY:Dentist
CATEGORIES:Health
X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC
ATTENDEE;ROLE=OPT-PARTICIPANT;CN=Old Name:mailto:bob@example.org
BEGIN:VALARM
ACTION:DISPLAY
DESCRIPTION:Reminder
TRIGGER:-PT15M
END:VALARM
END:VEVENT
"""
        ),
    )

    caldav.update(calendar_url, "/alice/work/theirs.ics", draft(summary="Dentist!"), etag)

    vevent = stored_vevent(calendar_url + "theirs.ics")
    assert str(vevent["SUMMARY"]) == "Dentist!"
    assert str(vevent["UID"]) == "theirs@phone"
    assert "CATEGORIES" in vevent
    assert str(vevent["X-APPLE-TRAVEL-ADVISORY-BEHAVIOR"]) == "AUTOMATIC"
    assert [component.name for component in vevent.subcomponents] == ["VALARM"]
    attendee = vevent["ATTENDEE"]
    assert attendee.params["ROLE"] == "OPT-PARTICIPANT"
    assert attendee.params["CN"] == "Bob Builder"


def test_update_with_a_stale_etag_writes_nothing(
    calendar_url: str, caldav: CalDavCalendarProvider
) -> None:
    created = caldav.create(calendar_url, draft(), "activity-7")
    current = caldav.update(calendar_url, created.id, draft(summary="Second"), created.etag)

    with pytest.raises(PreconditionFailed):
        caldav.update(calendar_url, created.id, draft(summary="Lost update"), created.etag)

    read_back = listed(caldav, calendar_url)[created.id]
    assert read_back.summary == "Second"
    assert read_back.etag == current.etag


def test_update_of_a_deleted_event_is_not_found(
    calendar_url: str, caldav: CalDavCalendarProvider
) -> None:
    created = caldav.create(calendar_url, draft(), "activity-7")
    caldav.delete(calendar_url, created.id, created.etag)

    with pytest.raises(NotFound):
        caldav.update(calendar_url, created.id, draft(), created.etag)


def test_events_of_another_calendar_are_not_touched(
    radicale: RadicaleServer, calendar_url: str, caldav: CalDavCalendarProvider
) -> None:
    home = radicale.make_calendar("alice", "home")
    created = caldav.create(home, draft(), "activity-7")

    with pytest.raises(NotFound):
        caldav.update(calendar_url, created.id, draft(summary="Hijack"), created.etag)
    with pytest.raises(NotFound):
        caldav.delete(calendar_url, created.id, created.etag)
    assert listed(caldav, home)[created.id].summary == "Call with ACME"


def test_delete_with_the_current_etag_removes_the_event(
    calendar_url: str, caldav: CalDavCalendarProvider
) -> None:
    created = caldav.create(calendar_url, draft(), "activity-7")

    caldav.delete(calendar_url, created.id, created.etag)

    assert member_names(calendar_url) == []


def test_delete_with_a_stale_etag_keeps_the_event(
    calendar_url: str, caldav: CalDavCalendarProvider
) -> None:
    created = caldav.create(calendar_url, draft(), "activity-7")
    caldav.update(calendar_url, created.id, draft(summary="Changed meanwhile"), created.etag)

    with pytest.raises(PreconditionFailed):
        caldav.delete(calendar_url, created.id, created.etag)

    assert listed(caldav, calendar_url)[created.id].summary == "Changed meanwhile"


def test_delete_without_etag_and_of_what_is_gone(
    calendar_url: str, caldav: CalDavCalendarProvider
) -> None:
    created = caldav.create(calendar_url, draft(), "activity-7")

    caldav.delete(calendar_url, created.id, None)
    caldav.delete(calendar_url, created.id, None)
    caldav.delete(calendar_url, created.id, created.etag)

    assert member_names(calendar_url) == []
