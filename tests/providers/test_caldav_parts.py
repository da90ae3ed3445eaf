"""The CalDAV provider's pure parts: multistatus replies Radicale never sends, cursors, ids."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

from bridge.ical.times import recurrence_text
from bridge.providers import CursorExpired
from bridge.providers.caldav.cursor import Cursor
from bridge.providers.caldav.ids import (
    object_name,
    recurrence_moment,
    split_event_id,
)
from bridge.providers.caldav.xml import multistatus

TRUNCATED = b"""<?xml version="1.0" encoding="utf-8"?>
<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:response>
    <D:href>https://p42-caldav.example.com/123/calendars/home/a%20b.ics</D:href>
    <D:propstat>
      <D:prop><D:getetag>W/"1-abc"</D:getetag></D:prop>
      <D:status>HTTP/1.1 200 OK</D:status>
    </D:propstat>
    <D:propstat>
      <D:prop><C:calendar-data/></D:prop>
      <D:status>HTTP/1.1 404 Not Found</D:status>
    </D:propstat>
  </D:response>
  <D:response>
    <D:href>/123/calendars/home/gone.ics</D:href>
    <D:status>HTTP/1.1 404 Not Found</D:status>
  </D:response>
  <D:response>
    <D:href>/123/calendars/home/</D:href>
    <D:status>HTTP/1.1 507 Insufficient Storage</D:status>
  </D:response>
  <D:sync-token>token-2</D:sync-token>
</D:multistatus>"""


def test_a_truncated_sync_reply_is_read_with_hrefs_as_sent() -> None:
    answer = multistatus(etree.fromstring(TRUNCATED))

    assert answer.truncated
    assert answer.sync_token == "token-2"
    assert [(entry.href, entry.status, entry.etag) for entry in answer.entries] == [
        ("/123/calendars/home/a%20b.ics", 200, 'W/"1-abc"'),
        ("/123/calendars/home/gone.ics", 404, None),
    ]
    assert answer.entries[0].calendar_data is None


def test_an_empty_reply_holds_nothing() -> None:
    answer = multistatus(None)

    assert (answer.entries, answer.sync_token, answer.truncated) == ((), None, False)


@pytest.mark.parametrize(
    "cursor",
    [
        Cursor("https://dav.example.com/cal/", sync_token="http://example.com/sync/7"),
        Cursor("https://dav.example.com/cal/", etags={"/cal/a.ics": '"1"', "/cal/b.ics": '"2"'}),
        Cursor("https://dav.example.com/cal/", etags={}),
    ],
)
def test_a_cursor_survives_its_text(cursor: Cursor) -> None:
    text = cursor.encode()

    assert Cursor.decode(text, cursor.calendar_id) == cursor
    assert text.isascii() and " " not in text
    with pytest.raises(CursorExpired):
        Cursor.decode(text, "https://dav.example.com/other/")


def test_resource_names_are_safe_stable_and_distinct() -> None:
    names = {key: object_name(key) for key in ("activity-7", "activity 7", "ä/../7", "", "x" * 500)}

    assert object_name("activity-7") == names["activity-7"]
    assert len(set(names.values())) == len(names)
    for name in names.values():
        assert name.endswith(".ics")
        assert set(name) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        assert len(name) < 100


def test_occurrence_ids_come_apart() -> None:
    assert split_event_id("/cal/a.ics#20300114T090000Z") == ("/cal/a.ics", "20300114T090000Z")
    assert split_event_id("/cal/a.ics") == ("/cal/a.ics", None)
    assert recurrence_text(
        dt.datetime(2030, 1, 14, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    ) == ("20300114T090000Z")
    assert recurrence_text(dt.date(2030, 1, 14)) == "20300114"
    assert recurrence_moment("20300114") == dt.date(2030, 1, 14)
    assert recurrence_moment("20300114T090000Z") == dt.datetime(2030, 1, 14, 9, 0, tzinfo=dt.UTC)
    with pytest.raises(ValueError):
        recurrence_moment("tomorrow")
