"""The provider contract, run against the in-memory reference provider."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping

import pytest

from bridge.providers import (
    CursorExpired,
    ExternalCalendar,
    ExternalEvent,
    GrantRevoked,
    ItemRejected,
    NotFound,
    RateLimited,
    TemporaryFailure,
)
from bridge.providers.memory import PRIMARY, MemoryCalendarProvider, Recurrence
from tests.providers.contract import HOUR, WINDOW, OutsideWorld, ProviderContract, draft


class MemoryWorld(OutsideWorld):
    """The reference provider plays the outside world itself (`insert_event` and the rest).

    The account's primary calendar is given second, so the listing has to put it first.
    """

    def __init__(self) -> None:
        team = ExternalCalendar("team", "Team", primary=False, writable=True)
        self.memory = MemoryCalendarProvider([team, PRIMARY])
        self.provider = self.memory
        self.calendar_id = PRIMARY.id

    def insert(self, summary: str, start: dt.datetime, end: dt.datetime) -> None:
        self.memory.insert_event(summary, start, end)

    def edit(self, event: ExternalEvent, summary: str) -> None:
        self.memory.edit_event(event.id, summary=summary)

    def remove(self, event: ExternalEvent) -> None:
        self.memory.delete_event(event.id)

    def insert_weekly(
        self,
        summary: str,
        first: dt.datetime,
        count: int,
        renamed: Mapping[dt.datetime, str],
        cancelled: Collection[dt.datetime],
    ) -> None:
        series_id = self.memory.insert_series(
            summary, first, first + HOUR, Recurrence.weekly(count)
        )
        for start, name in renamed.items():
            self.memory.edit_event(f"{series_id}_{start:%Y%m%dT%H%M%SZ}", summary=name)
        for start in cancelled:
            self.memory.delete_event(f"{series_id}_{start:%Y%m%dT%H%M%SZ}")

    def expire_cursors(self) -> None:
        self.memory.expire_cursors()

    def revoke_grant(self) -> None:
        self.memory.revoke_grant()

    def rate_limit(self, retry_after: int) -> None:
        self.memory.throttle(calls=1, retry_after=retry_after)


class TestMemoryProvider(ProviderContract):
    @pytest.fixture
    def world(self) -> OutsideWorld:
        return MemoryWorld()


# Beyond the contract's common ground: what the reference does that the sync tests lean on.


def test_a_series_changed_as_a_whole_comes_whole_and_says_so() -> None:
    memory = MemoryCalendarProvider()
    first = dt.datetime(2030, 1, 7, 9, tzinfo=dt.UTC)
    series_id = memory.insert_series("Weekly", first, first + HOUR, Recurrence.weekly(3))
    memory.delete_event(f"{series_id}_20300114T090000Z")
    cursor = memory.list_changes("primary", None, WINDOW).cursor

    memory.edit_event(series_id, summary="Renamed")
    page = memory.list_changes("primary", cursor, WINDOW)

    assert page.complete_series == {series_id}
    assert sorted((e.recurrence_id, e.status, e.summary) for e in page.events) == [
        ("20300107T090000Z", "confirmed", "Renamed"),
        ("20300114T090000Z", "cancelled", "Weekly"),
        ("20300121T090000Z", "confirmed", "Renamed"),
    ]

    memory.delete_event(series_id)
    gone = memory.list_changes("primary", page.cursor, WINDOW).events
    assert [(e.id, e.recurrence_id, e.status) for e in gone] == [(series_id, None, "cancelled")]


def test_occurrences_a_sliding_window_reaches_are_reported_to_the_cursor() -> None:
    memory = MemoryCalendarProvider()
    first = dt.datetime(2030, 1, 7, 9, tzinfo=dt.UTC)
    memory.insert_series("Weekly", first, first + HOUR, Recurrence.weekly())
    cursor = memory.list_changes("primary", None, WINDOW).cursor

    slid = (WINDOW[0] + dt.timedelta(days=7), WINDOW[1] + dt.timedelta(days=7))
    page = memory.list_changes("primary", cursor, slid)

    assert not page.full_listing
    assert [e.recurrence_id for e in page.events] == ["20300304T090000Z"]


def test_cursors_belong_to_their_calendar_and_expire_on_demand() -> None:
    team = ExternalCalendar("team", "Team", primary=False, writable=True)
    memory = MemoryCalendarProvider([PRIMARY, team])
    cursor = memory.list_changes("primary", None, WINDOW).cursor
    team_cursor = memory.list_changes("team", None, WINDOW).cursor

    with pytest.raises(CursorExpired):
        memory.list_changes("team", cursor, WINDOW)
    with pytest.raises(CursorExpired):
        memory.list_changes("primary", "garbage", WINDOW)
    memory.expire_cursors("team")
    assert memory.list_changes("primary", cursor, WINDOW).events == ()
    with pytest.raises(CursorExpired):
        memory.list_changes("team", team_cursor, WINDOW)
    with pytest.raises(NotFound):
        memory.list_changes("nowhere", None, WINDOW)


def test_refused_drafts_and_read_only_calendars_are_item_rejected() -> None:
    shared = ExternalCalendar("shared", "Shared", primary=False, writable=False)
    memory = MemoryCalendarProvider([PRIMARY, shared])
    backwards = draft(1, end=draft(1).start - HOUR)

    with pytest.raises(ItemRejected):
        memory.create("primary", backwards, "key-1")
    with pytest.raises(ItemRejected):
        memory.create("shared", draft(2), "key-2")
    with pytest.raises(ItemRejected):
        memory.create("primary", draft(3, start=dt.date(2030, 1, 3)), "key-3")
    assert memory.list_changes("primary", None, WINDOW).events == ()


def test_faults_are_spent_in_order_and_a_revoked_grant_lasts_until_restored() -> None:
    memory = MemoryCalendarProvider()
    memory.throttle(calls=2, retry_after=30)
    memory.fail_temporarily()

    for _ in range(2):
        with pytest.raises(RateLimited):
            memory.list_calendars()
    with pytest.raises(TemporaryFailure):
        memory.list_calendars()
    assert memory.list_calendars() == [PRIMARY]
    memory.revoke_grant()
    with pytest.raises(GrantRevoked):
        memory.list_calendars()
    memory.restore_grant()
    assert memory.list_calendars() == [PRIMARY]
    assert memory.requests_made == 6


def test_descriptions_can_be_stored_with_crlf_and_times_come_from_the_clock() -> None:
    moment = dt.datetime(2025, 6, 2, 12, tzinfo=dt.UTC)
    memory = MemoryCalendarProvider(clock=lambda: moment, description_line_end="\r\n")

    created = memory.create("primary", draft(4, description="one\ntwo"), "key-4")

    assert (created.description, created.updated) == ("one\r\ntwo", moment)
