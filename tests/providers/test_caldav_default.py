"""The calendar a CalDAV account syncs by default: the one the server names (RFC 6638), or none."""

from __future__ import annotations

import pathlib

import pytest

from bridge.providers.caldav.provider import CalDavCalendarProvider
from tests.providers.caldav_scheduling import naming_default
from tests.stock_radicale import running_radicale
from tests.sync_fixtures import LOOPBACK


@pytest.mark.parametrize("on_inbox", [False, True], ids=["on-the-principal", "on-the-inbox"])
def test_the_calendar_the_server_names_as_default_is_primary(
    tmp_path: pathlib.Path, on_inbox: bool
) -> None:
    with running_radicale(tmp_path, wrap=naming_default("alice", "home", on_inbox=on_inbox)) as dav:
        work, home = dav.make_calendar("alice", "work"), dav.make_calendar("alice", "home")
        provider = CalDavCalendarProvider(
            dav.url + "/", dav.user, dav.password, allowed_networks=LOOPBACK
        )
        try:
            calendars = provider.list_calendars()
        finally:
            provider.close()

    assert [(calendar.id, calendar.primary) for calendar in calendars] == [
        (home, True),
        (work, False),
    ]


def test_the_only_calendar_is_primary_without_a_default(tmp_path: pathlib.Path) -> None:
    with running_radicale(tmp_path) as dav:
        work = dav.make_calendar("alice", "work")
        provider = CalDavCalendarProvider(
            dav.url + "/", dav.user, dav.password, allowed_networks=LOOPBACK
        )
        try:
            calendars = provider.list_calendars()
        finally:
            provider.close()

    assert [(calendar.id, calendar.primary) for calendar in calendars] == [(work, True)]
