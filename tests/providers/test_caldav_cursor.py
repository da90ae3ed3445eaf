"""The CalDAV provider's deltas: sync-collection tokens, and the etag-map cursor where the
server has no sync-collection (a stock Radicale behind a middleware that refuses it)."""

from __future__ import annotations

import datetime as dt
import pathlib
from collections.abc import Iterator

import pytest

from bridge.providers import CursorExpired, NotFound
from bridge.providers.caldav.cursor import Cursor
from bridge.providers.caldav.provider import CalDavCalendarProvider
from tests.providers.caldav_fixtures import WINDOW, delete_object, put_object, vcalendar
from tests.stock_radicale import RadicaleServer, running_radicale, without_sync_collection
from tests.sync_fixtures import LOOPBACK

UTC = dt.UTC


def event(uid: str, day: int, summary: str, extra: str = "") -> str:
    return vcalendar(
        f"""
BEGIN:VEVENT
UID:{uid}
DTSTAMP:20291201T070000Z
DTSTART:202001{day:02d}T090000Z
DTEND:202001{day:02d}T100000Z
SUMMARY:{summary}
{extra}
END:VEVENT
""".replace("202001", "203001").replace("\n\n", "\n")
    )


def weekly(*exdates: str) -> str:
    """Mondays 09:00 UTC from 2030-01-07, six times; `exdates` in UTC text."""
    lines = "".join(f"EXDATE:{exdate}\n" for exdate in exdates)
    return vcalendar(
        f"""
BEGIN:VEVENT
UID:weekly@other
DTSTAMP:20291201T070000Z
DTSTART:20300107T090000Z
DTEND:20300107T100000Z
RRULE:FREQ=WEEKLY;COUNT=6
{lines}SUMMARY:Weekly
END:VEVENT
"""
    )


@pytest.fixture
def fallback_radicale(tmp_path: pathlib.Path) -> Iterator[RadicaleServer]:
    """A stock Radicale that refuses sync-collection REPORTs (403 DAV:supported-report)."""
    with running_radicale(tmp_path, wrap=without_sync_collection) as server:
        yield server


@pytest.fixture(params=["sync-collection", "etag map"])
def server(request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> Iterator[RadicaleServer]:
    """Each delta test runs against both listing strategies."""
    wrap = None if request.param == "sync-collection" else without_sync_collection
    with running_radicale(tmp_path, wrap=wrap) as running:
        yield running


@pytest.fixture
def account(server: RadicaleServer) -> Iterator[tuple[CalDavCalendarProvider, str]]:
    provider = CalDavCalendarProvider(
        server.url, server.user, server.password, allowed_networks=LOOPBACK
    )
    yield provider, server.make_calendar("alice", "work")
    provider.close()


def test_the_cursor_is_a_sync_token_where_the_server_has_sync_collection(
    calendar_url: str, caldav: CalDavCalendarProvider
) -> None:
    page = caldav.list_changes(calendar_url, None, WINDOW)

    cursor = Cursor.decode(page.cursor, calendar_url)
    assert cursor.sync_token is not None
    assert cursor.etags is None


def test_the_cursor_is_an_etag_map_where_the_server_refuses_sync_collection(
    fallback_radicale: RadicaleServer,
) -> None:
    calendar_url = fallback_radicale.make_calendar("alice", "work")
    etag = put_object(calendar_url, "a.ics", event("a@other", 10, "A"))
    provider = CalDavCalendarProvider(
        fallback_radicale.url, "alice", "secret", allowed_networks=LOOPBACK
    )

    page = provider.list_changes(calendar_url, None, WINDOW)

    cursor = Cursor.decode(page.cursor, calendar_url)
    assert cursor.sync_token is None
    assert cursor.etags == {"/alice/work/a.ics": etag}
    assert [event.summary for event in page.events] == ["A"]
    provider.close()


def test_nothing_changed_lists_nothing(account: tuple[CalDavCalendarProvider, str]) -> None:
    caldav, calendar_url = account
    put_object(calendar_url, "a.ics", event("a@other", 10, "A"))
    first = caldav.list_changes(calendar_url, None, WINDOW)

    page = caldav.list_changes(calendar_url, first.cursor, WINDOW)

    assert page.events == ()
    assert not page.full_listing
    again = caldav.list_changes(calendar_url, page.cursor, WINDOW)
    assert again.events == ()


def test_a_delta_holds_what_was_created_changed_and_deleted(
    account: tuple[CalDavCalendarProvider, str],
) -> None:
    caldav, calendar_url = account
    put_object(calendar_url, "kept.ics", event("kept@other", 10, "Kept"))
    put_object(calendar_url, "changed.ics", event("changed@other", 11, "Before"))
    put_object(calendar_url, "deleted.ics", event("deleted@other", 12, "Deleted"))
    first = caldav.list_changes(calendar_url, None, WINDOW)

    put_object(calendar_url, "new.ics", event("new@other", 13, "New"))
    changed_etag = put_object(calendar_url, "changed.ics", event("changed@other", 11, "After"))
    delete_object(calendar_url + "deleted.ics")
    put_object(calendar_url, "moved.ics", event("moved@other", 14, "Moved away"))
    page = caldav.list_changes(calendar_url, first.cursor, WINDOW)

    assert not page.full_listing
    found = {event.id: event for event in page.events}
    assert sorted(found) == [
        "/alice/work/changed.ics",
        "/alice/work/deleted.ics",
        "/alice/work/moved.ics",
        "/alice/work/new.ics",
    ]
    assert found["/alice/work/changed.ics"].summary == "After"
    assert found["/alice/work/changed.ics"].etag == changed_etag
    assert found["/alice/work/new.ics"].status == "confirmed"
    gone = found["/alice/work/deleted.ics"]
    assert (gone.status, gone.recurrence_id) == ("cancelled", None)

    moved = event("moved@other", 14, "Moved away").replace("20300114", "20300614")
    put_object(calendar_url, "moved.ics", moved)
    later = caldav.list_changes(calendar_url, page.cursor, WINDOW)
    (moved_event,) = later.events
    assert moved_event.start == dt.datetime(2030, 6, 14, 9, 0, tzinfo=UTC)  # outside, still told


def test_a_changed_series_comes_with_all_its_occurrences_and_its_exdates(
    account: tuple[CalDavCalendarProvider, str],
) -> None:
    caldav, calendar_url = account
    put_object(calendar_url, "weekly.ics", weekly())
    first = caldav.list_changes(calendar_url, None, WINDOW)
    assert len(first.events) == 6

    put_object(calendar_url, "weekly.ics", weekly("20300121T090000Z"))
    page = caldav.list_changes(calendar_url, first.cursor, WINDOW)

    statuses = {event.recurrence_id: event.status for event in page.events}
    assert statuses == {
        "20300107T090000Z": "confirmed",
        "20300114T090000Z": "confirmed",
        "20300121T090000Z": "cancelled",
        "20300128T090000Z": "confirmed",
        "20300204T090000Z": "confirmed",
        "20300211T090000Z": "confirmed",
    }
    assert {event.id for event in page.events if event.recurrence_id == "20300121T090000Z"} == {
        "/alice/work/weekly.ics#20300121T090000Z"
    }


def test_a_deleted_series_comes_back_as_one_cancelled_href(
    account: tuple[CalDavCalendarProvider, str],
) -> None:
    caldav, calendar_url = account
    put_object(calendar_url, "weekly.ics", weekly())
    first = caldav.list_changes(calendar_url, None, WINDOW)

    delete_object(calendar_url + "weekly.ics")
    page = caldav.list_changes(calendar_url, first.cursor, WINDOW)

    assert [(event.id, event.recurrence_id, event.status) for event in page.events] == [
        ("/alice/work/weekly.ics", None, "cancelled")
    ]


def test_a_token_the_server_does_not_know_is_an_expired_cursor(
    calendar_url: str, caldav: CalDavCalendarProvider
) -> None:
    made_up = Cursor(calendar_url, sync_token="http://radicale.org/ns/sync/" + "0" * 64)

    with pytest.raises(CursorExpired):
        caldav.list_changes(calendar_url, made_up.encode(), WINDOW)


@pytest.mark.parametrize("cursor", ["", "garbage", "caldav1.not-base64!", "caldav1.eJwDAAAAAAE"])
def test_an_unreadable_cursor_is_an_expired_cursor(
    calendar_url: str, caldav: CalDavCalendarProvider, cursor: str
) -> None:
    with pytest.raises(CursorExpired):
        caldav.list_changes(calendar_url, cursor, WINDOW)


def test_another_calendars_cursor_is_an_expired_cursor(
    radicale: RadicaleServer, calendar_url: str, caldav: CalDavCalendarProvider
) -> None:
    home = radicale.make_calendar("alice", "home")
    cursor = caldav.list_changes(home, None, WINDOW).cursor

    with pytest.raises(CursorExpired):
        caldav.list_changes(calendar_url, cursor, WINDOW)


def test_a_calendar_that_is_gone_is_not_found(
    account: tuple[CalDavCalendarProvider, str],
) -> None:
    caldav, calendar_url = account
    known = Cursor.decode(caldav.list_changes(calendar_url, None, WINDOW).cursor, calendar_url)
    missing = calendar_url.replace("/work/", "/missing/")
    cursor = Cursor(missing, sync_token=known.sync_token, etags=known.etags).encode()

    with pytest.raises(NotFound):
        caldav.list_changes(missing, None, WINDOW)
    with pytest.raises(NotFound):
        caldav.list_changes(missing, cursor, WINDOW)
