"""Updating and deleting single occurrences of a recurring CalDAV event, against a stock Radicale.

An occurrence is written into its series: an override VEVENT for an
update, an EXDATE on the master for a delete, each PUT with the series'
etag (which is every occurrence's etag).
"""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from bridge.providers import ExternalEvent, NotFound, PreconditionFailed
from bridge.providers.caldav.provider import CalDavCalendarProvider
from bridge.sync.content import normalised
from tests.providers.caldav_fixtures import BERLIN, WINDOW, draft, get_object, put_object, vcalendar

UTC = dt.UTC
SERIES = "/alice/work/weekly.ics"

WEEKLY = (
    BERLIN
    + """BEGIN:VEVENT
UID:weekly@other
DTSTAMP:20291201T070000Z
DTSTART;TZID=Europe/Berlin:20300107T100000
DTEND;TZID=Europe/Berlin:20300107T110000
RRULE:FREQ=WEEKLY;COUNT=4
SUMMARY:Weekly sync
BEGIN:VALARM
ACTION:DISPLAY
DESCRIPTION:Soon
TRIGGER:-PT10M
END:VALARM
END:VEVENT
"""
)

ALL_DAY_SERIES = """
BEGIN:VEVENT
UID:daily@other
DTSTAMP:20291201T070000Z
DTSTART;VALUE=DATE:20300110
RRULE:FREQ=DAILY;COUNT=3
SUMMARY:Inventory
END:VEVENT
"""


def occurrences(caldav: CalDavCalendarProvider, calendar_url: str) -> dict[str, ExternalEvent]:
    page = caldav.list_changes(calendar_url, None, WINDOW)
    return {event.recurrence_id or "": event for event in page.events}


def stored(calendar_url: str, name: str) -> icalendar.Calendar:
    response = get_object(calendar_url + name)
    response.raise_for_status()
    return icalendar.Calendar.from_ical(response.text)


@pytest.fixture
def series(calendar_url: str) -> str:
    return put_object(calendar_url, "weekly.ics", vcalendar(WEEKLY))


def test_updating_an_occurrence_overrides_only_that_one(
    calendar_url: str, caldav: CalDavCalendarProvider, series: str
) -> None:
    before = occurrences(caldav, calendar_url)
    second = before["20300114T090000Z"]
    assert second.id == f"{SERIES}#20300114T090000Z"
    changed = draft(
        summary="Weekly sync, longer",
        start=dt.datetime(2030, 1, 14, 13, 0, tzinfo=UTC),
        end=dt.datetime(2030, 1, 14, 15, 0, tzinfo=UTC),
        attendees=(),
    )

    updated = caldav.update(calendar_url, second.id, changed, second.etag)

    assert (updated.id, updated.recurrence_id) == (second.id, "20300114T090000Z")
    assert normalised(updated) == normalised(changed)
    after = occurrences(caldav, calendar_url)
    assert sorted(after) == sorted(before)
    assert normalised(after["20300114T090000Z"]) == normalised(changed)
    assert after["20300114T090000Z"].activity_stamp == 7
    assert after["20300107T090000Z"].summary == "Weekly sync"
    assert {event.etag for event in after.values()} == {updated.etag}  # the series' etag
    calendar = stored(calendar_url, "weekly.ics")
    overrides = [event for event in calendar.walk("VEVENT") if "RECURRENCE-ID" in event]
    (override,) = overrides
    assert override["RECURRENCE-ID"].to_ical() == b"20300114T100000"
    assert override["RECURRENCE-ID"].params["TZID"] == "Europe/Berlin"
    assert "RRULE" not in override


def test_updating_an_override_again_rewrites_it(
    calendar_url: str, caldav: CalDavCalendarProvider, series: str
) -> None:
    second = occurrences(caldav, calendar_url)["20300114T090000Z"]
    first = caldav.update(calendar_url, second.id, draft(summary="Once"), second.etag)

    again = caldav.update(calendar_url, second.id, draft(summary="Twice"), first.etag)

    assert again.summary == "Twice"
    calendar = stored(calendar_url, "weekly.ics")
    assert len([event for event in calendar.walk("VEVENT") if "RECURRENCE-ID" in event]) == 1


def test_an_occurrence_update_with_a_stale_series_etag_writes_nothing(
    calendar_url: str, caldav: CalDavCalendarProvider, series: str
) -> None:
    listed = occurrences(caldav, calendar_url)
    caldav.update(calendar_url, listed["20300121T090000Z"].id, draft(), series)

    with pytest.raises(PreconditionFailed):
        caldav.update(calendar_url, listed["20300114T090000Z"].id, draft(), series)

    assert occurrences(caldav, calendar_url)["20300114T090000Z"].summary == "Weekly sync"


def test_an_occurrence_the_series_does_not_have_is_not_found(
    calendar_url: str, caldav: CalDavCalendarProvider, series: str
) -> None:
    for missing in (f"{SERIES}#20300115T090000Z", f"{SERIES}#20300114", f"{SERIES}#junk"):
        with pytest.raises(NotFound):
            caldav.update(calendar_url, missing, draft(), series)


def test_deleting_an_occurrence_excludes_it_from_the_series(
    calendar_url: str, caldav: CalDavCalendarProvider, series: str
) -> None:
    third = occurrences(caldav, calendar_url)["20300121T090000Z"]

    caldav.delete(calendar_url, third.id, third.etag)

    after = occurrences(caldav, calendar_url)
    assert sorted(after) == ["20300107T090000Z", "20300114T090000Z", "20300128T090000Z"]
    (master,) = stored(calendar_url, "weekly.ics").walk("VEVENT")
    assert master["EXDATE"].to_ical() == b"20300121T100000"
    assert master["EXDATE"].params["TZID"] == "Europe/Berlin"
    caldav.delete(calendar_url, third.id, None)  # already gone: fine
    assert len(occurrences(caldav, calendar_url)) == 3


def test_deleting_an_overridden_occurrence_drops_the_override(
    calendar_url: str, caldav: CalDavCalendarProvider, series: str
) -> None:
    second = occurrences(caldav, calendar_url)["20300114T090000Z"]
    updated = caldav.update(calendar_url, second.id, draft(), second.etag)

    caldav.delete(calendar_url, second.id, updated.etag)

    assert "20300114T090000Z" not in occurrences(caldav, calendar_url)
    calendar = stored(calendar_url, "weekly.ics")
    assert [event.get("RECURRENCE-ID") for event in calendar.walk("VEVENT")] == [None]


def test_an_occurrence_delete_with_a_stale_series_etag_keeps_it(
    calendar_url: str, caldav: CalDavCalendarProvider, series: str
) -> None:
    listed = occurrences(caldav, calendar_url)
    caldav.delete(calendar_url, listed["20300107T090000Z"].id, series)

    with pytest.raises(PreconditionFailed):
        caldav.delete(calendar_url, listed["20300114T090000Z"].id, series)

    assert "20300114T090000Z" in occurrences(caldav, calendar_url)


def test_occurrences_of_an_all_day_series(
    calendar_url: str, caldav: CalDavCalendarProvider
) -> None:
    put_object(calendar_url, "daily.ics", vcalendar(ALL_DAY_SERIES))
    listed = occurrences(caldav, calendar_url)
    assert sorted(listed) == ["20300110", "20300111", "20300112"]
    changed = draft(all_day=True, start=dt.date(2030, 1, 11), end=dt.date(2030, 1, 13))

    updated = caldav.update(calendar_url, listed["20300111"].id, changed, listed["20300111"].etag)
    caldav.delete(calendar_url, listed["20300112"].id, updated.etag)

    after = occurrences(caldav, calendar_url)
    assert sorted(after) == ["20300110", "20300111"]
    assert (after["20300111"].start, after["20300111"].end) == (
        dt.date(2030, 1, 11),
        dt.date(2030, 1, 13),
    )
    master = next(event for event in stored(calendar_url, "daily.ics").walk("VEVENT"))
    assert master["EXDATE"].to_ical() == b"20300112"
