"""Occurrences of an imported series stay readable through the owner's own CalDAV collection.

Every occurrence the worker imports becomes an activity in the owner's
events calendar; each must have an href that is one path segment, so that
every CalDAV request a client makes on that calendar (PROPFIND, GET,
calendar-query REPORT, sync-collection) answers well.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import unquote, urlsplit

import caldav
import sqlalchemy as sa

from tests.sync_fixtures import CRM_LOGIN, CRM_PASSWORD
from tests.sync_worker.scene import Scene
from tests.sync_worker.sync_samples import soon


def _events_calendar(base_url: str) -> caldav.Calendar:
    client = caldav.DAVClient(url=f"{base_url}/dav/", username=CRM_LOGIN, password=CRM_PASSWORD)
    return client.calendar(url=f"{base_url}/dav/{CRM_LOGIN}/activities/")


def _range_query(start: dt.datetime, end: dt.datetime) -> str:
    """The calendar-query calendar apps poll a range with (answered by CalBridge itself)."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
        "<d:prop><d:getetag/><c:calendar-data/></d:prop>"
        '<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">'
        f'<c:time-range start="{start:%Y%m%dT%H%M%SZ}" end="{end:%Y%m%dT%H%M%SZ}"/>'
        "</c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"
    )


def _last_segment(url: object) -> str:
    return unquote(urlsplit(str(url)).path.rstrip("/").rpartition("/")[2])


def test_every_imported_occurrence_answers_each_caldav_request(
    scene: Scene, live_server: str, engine: sa.Engine
) -> None:
    scene.start()
    first = soon(1, 10)
    scene.side.add("Weekly review", first, weekly=3)
    assert scene.sync().counts.imported == 3
    hrefs = sorted(activity.href or "" for activity in scene.activities())
    assert all(href and "/" not in href for href in hrefs)
    calendar = _events_calendar(live_server)

    listed = calendar.objects()
    assert sorted(_last_segment(item.url) for item in listed) == hrefs

    for item in listed:
        item.load()
        assert "Weekly review" in item.data

    start, end = first - dt.timedelta(days=1), first + dt.timedelta(days=30)
    found = calendar.search(start=start, end=end, event=True)
    assert sorted(_last_segment(item.url) for item in found) == hrefs
    assert all("Weekly review" in item.data for item in found)

    polled = calendar.client.report(str(calendar.url), _range_query(start, end), depth=1)
    assert polled.status == 207
    assert sorted(_last_segment(href) for href in polled.expand_simple_props()) == hrefs

    synced = calendar.objects_by_sync_token(load_objects=True)
    assert sorted(_last_segment(item.url) for item in synced) == hrefs
    assert all("Weekly review" in item.data for item in synced)
