"""The CalDAV provider's calendars and full listings, against a stock Radicale.

The objects are written the way other clients write them (time zones,
DURATION, all-day dates, series with an exception and an EXDATE), and
the listing must show them as the contract says: UTC times, exclusive
all-day ends, one event per occurrence inside the window.
"""

from __future__ import annotations

import datetime as dt

import httpx

from bridge.domain import Attendee
from bridge.providers import ExternalEvent
from bridge.providers.caldav.provider import CalDavCalendarProvider
from tests.providers.caldav_fixtures import BERLIN, WINDOW, put_object, vcalendar
from tests.stock_radicale import USERS, RadicaleServer

UTC = dt.UTC

SINGLE = """
BEGIN:VEVENT
UID:single@other
DTSTAMP:20291201T070000Z
LAST-MODIFIED:20291201T080000Z
DTSTART:20300110T090000Z
DTEND:20300110T100000Z
SUMMARY:Quarterly review
DESCRIPTION:First line\\nSecond line
LOCATION:Board room
CLASS:CONFIDENTIAL
TRANSP:TRANSPARENT
ATTENDEE;CN=Ann Example;PARTSTAT=DECLINED:mailto:ann@example.org
ATTENDEE:MAILTO:carl@example.org
X-CALBRIDGE-ACTIVITY-ID:12
END:VEVENT
"""

ALL_DAY = """
BEGIN:VEVENT
UID:allday@other
DTSTAMP:20291201T070000Z
DTSTART;VALUE=DATE:20300120
DTEND;VALUE=DATE:20300122
SUMMARY:Trade fair
END:VEVENT
"""

ONE_DAY = """
BEGIN:VEVENT
UID:oneday@other
DTSTAMP:20291201T070000Z
DTSTART;VALUE=DATE:20300125
SUMMARY:Holiday
END:VEVENT
"""

ZONED = """
BEGIN:VEVENT
UID:zoned@other
DTSTAMP:20291201T070000Z
DTSTART;TZID=Europe/Berlin:20300205T090000
DURATION:PT1H30M
SUMMARY:Berlin breakfast
END:VEVENT
"""

LATER = """
BEGIN:VEVENT
UID:later@other
DTSTAMP:20291201T070000Z
DTSTART:20300405T090000Z
DTEND:20300405T100000Z
SUMMARY:After the window
END:VEVENT
"""

WEEKLY_MASTER = """
BEGIN:VEVENT
UID:weekly@other
DTSTAMP:20291201T070000Z
DTSTART;TZID=Europe/Berlin:20300107T100000
DTEND;TZID=Europe/Berlin:20300107T110000
RRULE:FREQ=WEEKLY;COUNT=6
EXDATE;TZID=Europe/Berlin:20300121T100000
SUMMARY:Weekly sync
END:VEVENT
"""

WEEKLY_EXCEPTION = """
BEGIN:VEVENT
UID:weekly@other
DTSTAMP:20291201T070000Z
RECURRENCE-ID;TZID=Europe/Berlin:20300114T100000
DTSTART;TZID=Europe/Berlin:20300114T150000
DTEND;TZID=Europe/Berlin:20300114T160000
SUMMARY:Weekly sync (moved)
END:VEVENT
"""

DAILY_ALL_DAY = """
BEGIN:VEVENT
UID:daily@other
DTSTAMP:20291201T070000Z
DTSTART;VALUE=DATE:20291230
RRULE:FREQ=DAILY;COUNT=4
SUMMARY:Inventory
END:VEVENT
"""

TODO = """
BEGIN:VTODO
UID:todo@other
DTSTAMP:20291201T070000Z
DUE:20300110T090000Z
SUMMARY:Not an event
END:VTODO
"""


def by_summary(events: tuple[ExternalEvent, ...]) -> dict[str, list[ExternalEvent]]:
    found: dict[str, list[ExternalEvent]] = {}
    for event in sorted(events, key=lambda event: (event.summary, str(event.start))):
        found.setdefault(event.summary, []).append(event)
    return found


def test_lists_the_calendars_of_the_account_that_take_events(
    radicale: RadicaleServer, caldav: CalDavCalendarProvider
) -> None:
    work = radicale.make_calendar("alice", "work")
    home = radicale.make_calendar("alice", "home")
    radicale.make_calendar("bob", "secret-plans")
    tasks_only = (
        '<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>'
        '<C:supported-calendar-component-set><C:comp name="VTODO"/>'
        "</C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>"
    )
    httpx.request(
        "MKCALENDAR",
        radicale.calendar_url("alice", "tasks"),
        content=tasks_only.encode(),
        auth=("alice", USERS["alice"]),
        trust_env=False,
    ).raise_for_status()

    calendars = caldav.list_calendars()

    assert sorted(calendar.id for calendar in calendars) == sorted([work, home])
    # Stock Radicale names no default calendar (RFC 6638): none of two is primary.
    assert [calendar.primary for calendar in calendars] == [False, False]
    assert {calendar.name for calendar in calendars} == {"work", "home"}
    assert all(calendar.writable for calendar in calendars)


def test_a_full_listing_holds_every_event_of_the_window_in_utc(
    calendar_url: str, caldav: CalDavCalendarProvider
) -> None:
    etag = put_object(calendar_url, "single.ics", vcalendar(SINGLE))
    put_object(calendar_url, "allday.ics", vcalendar(ALL_DAY))
    put_object(calendar_url, "oneday.ics", vcalendar(ONE_DAY))
    put_object(calendar_url, "zoned.ics", vcalendar(BERLIN, ZONED))
    put_object(calendar_url, "later.ics", vcalendar(LATER))
    put_object(calendar_url, "todo.ics", vcalendar(TODO))

    page = caldav.list_changes(calendar_url, None, WINDOW)

    assert page.full_listing
    assert page.cursor
    events = {event.summary: event for event in page.events}
    assert sorted(events) == ["Berlin breakfast", "Holiday", "Quarterly review", "Trade fair"]
    single = events["Quarterly review"]
    assert single == ExternalEvent(
        id="/alice/work/single.ics",
        etag=etag,
        uid="single@other",
        recurrence_id=None,
        status="confirmed",
        summary="Quarterly review",
        description="First line\nSecond line",
        location="Board room",
        start=dt.datetime(2030, 1, 10, 9, 0, tzinfo=UTC),
        end=dt.datetime(2030, 1, 10, 10, 0, tzinfo=UTC),
        all_day=False,
        private=True,
        busy=False,
        attendees=(
            Attendee("ann@example.org", "Ann Example", "DECLINED"),
            Attendee("carl@example.org", "", "NEEDS-ACTION"),
        ),
        activity_stamp=12,
        updated=dt.datetime(2029, 12, 1, 8, 0, tzinfo=UTC),
    )
    trade_fair = events["Trade fair"]
    assert (trade_fair.start, trade_fair.end, trade_fair.all_day) == (
        dt.date(2030, 1, 20),
        dt.date(2030, 1, 22),
        True,
    )
    assert trade_fair.updated == dt.datetime(2029, 12, 1, 7, 0, tzinfo=UTC)  # DTSTAMP
    assert (trade_fair.private, trade_fair.busy, trade_fair.activity_stamp) == (False, True, None)
    holiday = events["Holiday"]
    assert (holiday.start, holiday.end) == (dt.date(2030, 1, 25), dt.date(2030, 1, 26))
    breakfast = events["Berlin breakfast"]
    assert (breakfast.start, breakfast.end) == (
        dt.datetime(2030, 2, 5, 8, 0, tzinfo=UTC),
        dt.datetime(2030, 2, 5, 9, 30, tzinfo=UTC),
    )
    assert breakfast.start.tzinfo is UTC


def test_a_series_comes_as_its_occurrences_in_the_window(
    calendar_url: str, caldav: CalDavCalendarProvider
) -> None:
    text = vcalendar(BERLIN, WEEKLY_MASTER, WEEKLY_EXCEPTION)
    etag = put_object(calendar_url, "weekly.ics", text)
    put_object(calendar_url, "daily.ics", vcalendar(DAILY_ALL_DAY))

    page = caldav.list_changes(calendar_url, None, WINDOW)

    found = by_summary(page.events)
    weekly = found["Weekly sync"]
    assert [(event.id, event.recurrence_id, event.start) for event in weekly] == [
        (f"/alice/work/weekly.ics#{rid}", rid, dt.datetime(2030, month, day, 9, 0, tzinfo=UTC))
        for rid, month, day in (
            ("20300107T090000Z", 1, 7),
            ("20300128T090000Z", 1, 28),
            ("20300204T090000Z", 2, 4),
            ("20300211T090000Z", 2, 11),
        )
    ]
    assert all(event.etag == etag and event.uid == "weekly@other" for event in weekly)
    assert all(event.end - event.start == dt.timedelta(hours=1) for event in weekly)
    (moved,) = found["Weekly sync (moved)"]
    assert (moved.id, moved.recurrence_id) == (
        "/alice/work/weekly.ics#20300114T090000Z",
        "20300114T090000Z",
    )
    assert moved.start == dt.datetime(2030, 1, 14, 14, 0, tzinfo=UTC)
    assert moved.etag == etag
    inventory = found["Inventory"]
    assert [(event.id, event.recurrence_id, event.start, event.end) for event in inventory] == [
        ("/alice/work/daily.ics#20300101", "20300101", dt.date(2030, 1, 1), dt.date(2030, 1, 2)),
        ("/alice/work/daily.ics#20300102", "20300102", dt.date(2030, 1, 2), dt.date(2030, 1, 3)),
    ]
    assert all(event.all_day for event in inventory)


def test_a_cancelled_occurrence_is_listed_as_cancelled(
    calendar_url: str, caldav: CalDavCalendarProvider
) -> None:
    cancelled = WEEKLY_EXCEPTION.replace("SUMMARY:Weekly sync (moved)", "STATUS:CANCELLED")
    put_object(calendar_url, "weekly.ics", vcalendar(BERLIN, WEEKLY_MASTER, cancelled))

    page = caldav.list_changes(calendar_url, None, WINDOW)

    statuses = {event.recurrence_id: event.status for event in page.events}
    assert statuses["20300114T090000Z"] == "cancelled"
    assert statuses["20300107T090000Z"] == "confirmed"


def test_an_empty_calendar_lists_nothing(calendar_url: str, caldav: CalDavCalendarProvider) -> None:
    page = caldav.list_changes(calendar_url, None, WINDOW)

    assert page.events == ()
    assert page.full_listing
