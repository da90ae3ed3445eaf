"""The provider contract as tests, stated once and run against every provider.

`ProviderContract` holds the tests; a provider's test module subclasses it
as `Test...` and supplies the `world` fixture: an `OutsideWorld` that holds
the provider under test, the calendar it works on, and hooks that play
everyone else (another client of the calendar, the server, the user).
Each test states a rule of `bridge.providers` as documented there; where
a provider is documented to differ (Google's full listings reach a little
past the window), the world says so (`listing_margin`) and the test
checks the documented rule, not what one server happens to do.

Every test works in `WINDOW` (January and February 2030) with timed UTC
events and drafts without attendees, which every provider can store.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import replace

import pytest

from bridge.providers import (
    CalendarProvider,
    CursorExpired,
    EventDraft,
    ExternalEvent,
    GrantRevoked,
    PreconditionFailed,
    RateLimited,
)
from bridge.sync.content import normalised

UTC = dt.UTC
WINDOW = (dt.datetime(2030, 1, 1, tzinfo=UTC), dt.datetime(2030, 3, 1, tzinfo=UTC))
HOUR = dt.timedelta(hours=1)


def at(month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2030, month, day, hour, tzinfo=UTC)


def draft(stamp: int, **changes: object) -> EventDraft:
    """A one-hour draft stamped `stamp`, at 09:00 UTC on January `stamp % 28 + 1`, 2030."""
    start = at(1, stamp % 28 + 1)
    fields: dict[str, object] = {
        "uid": f"activity-{stamp}@calbridge",
        "summary": f"Activity {stamp}",
        "description": "Call about the renewal\nbring the prices",
        "location": "Room 1",
        "start": start,
        "end": start + HOUR,
        "all_day": False,
        "private": False,
        "busy": True,
        "attendees": (),
        "activity_stamp": stamp,
    }
    return EventDraft(**(fields | changes))  # type: ignore[arg-type]


class OutsideWorld(abc.ABC):
    """A provider under test, its calendar, and everyone else that acts on that calendar.

    The hooks act as another client of the account would (a phone, the
    provider's web app) or as the server and the user do, never through
    the provider under test, and send no request that `requests_made`
    counts.
    """

    provider: CalendarProvider
    calendar_id: str
    listing_margin: dt.timedelta = dt.timedelta(0)
    """How far past the window's end a full listing may reach, as the provider documents."""
    changes_only: bool = True
    """Whether the provider answers a cursor with the changes alone. The contract also lets
    it answer with a full listing that says so; a provider that does sets this False."""

    @abc.abstractmethod
    def insert(self, summary: str, start: dt.datetime, end: dt.datetime) -> None:
        """Another client creates a single timed event."""

    @abc.abstractmethod
    def edit(self, event: ExternalEvent, summary: str) -> None:
        """Another client renames `event` (a single event, as listed)."""

    @abc.abstractmethod
    def remove(self, event: ExternalEvent) -> None:
        """Another client deletes `event` (a single event, as listed)."""

    @abc.abstractmethod
    def insert_weekly(
        self,
        summary: str,
        first: dt.datetime,
        count: int,
        renamed: Mapping[dt.datetime, str],
        cancelled: Collection[dt.datetime],
    ) -> None:
        """Another client creates a one-hour weekly series of `count` occurrences from
        `first`, with exceptions: the occurrences originally starting at the keys of
        `renamed` get those summaries, those starting at `cancelled` are deleted."""

    @abc.abstractmethod
    def expire_cursors(self) -> None:
        """The server stops accepting every cursor it gave out so far."""

    @abc.abstractmethod
    def revoke_grant(self) -> None:
        """The user withdraws the account's access (revokes the grant, changes the password)."""

    @abc.abstractmethod
    def rate_limit(self, retry_after: int) -> None:
        """The server answers the next request with a rate limit and this Retry-After (seconds)."""


def listing(world: OutsideWorld) -> dict[str, ExternalEvent]:
    """The events a full listing of `WINDOW` holds, by id.

    A deleted event may come as a cancelled one (Google lists deletions) or
    not at all; either way it is not there, so cancelled events are left out.
    A provider that lists no stamps (`lists_stamps` False) gives them through
    `read_stamps`, as the sync engine asks; what it lists must agree.
    """
    page = world.provider.list_changes(world.calendar_id, None, WINDOW)
    assert page.full_listing
    found = {event.id: event for event in page.events if event.status == "confirmed"}
    if world.provider.lists_stamps:
        return found
    stamps = world.provider.read_stamps(world.calendar_id, list(found))
    assert set(stamps) == set(found)
    assert all(event.activity_stamp in (None, stamps[key]) for key, event in found.items())
    return {key: replace(event, activity_stamp=stamps[key]) for key, event in found.items()}


def nothing_changed(world: OutsideWorld, cursor: str) -> None:
    """Listing from `cursor` right away finds no change (or, where allowed, is a full listing)."""
    page = world.provider.list_changes(world.calendar_id, cursor, WINDOW)
    assert page.full_listing or page.events == ()
    assert not (world.changes_only and page.full_listing)


def by_summary(events: Collection[ExternalEvent]) -> dict[str, ExternalEvent]:
    found = {event.summary: event for event in events if event.status == "confirmed"}
    assert len(found) == len([e for e in events if e.status == "confirmed"]), "summaries repeat"
    return found


class ProviderContract:
    """What every `CalendarProvider` promises. Subclasses supply the `world` fixture."""

    @pytest.fixture
    def world(self) -> OutsideWorld:
        raise NotImplementedError("each provider's test module supplies its OutsideWorld")

    # Calendars

    def test_calendars_come_primary_first(self, world: OutsideWorld) -> None:
        calendars = world.provider.list_calendars()

        assert calendars[0].id == world.calendar_id
        assert calendars[0].primary and calendars[0].writable
        assert [c.primary for c in calendars[1:]] == [False] * (len(calendars) - 1)

    # Writes

    def test_a_created_event_reads_back_as_written_with_its_stamp(
        self, world: OutsideWorld
    ) -> None:
        sent = draft(3)

        created = world.provider.create(world.calendar_id, sent, "activity-3-create")

        assert (created.status, created.recurrence_id, created.activity_stamp) == (
            "confirmed",
            None,
            3,
        )
        assert created.id and created.etag
        assert normalised(created) == normalised(sent)
        listed = listing(world)[created.id]
        assert listed.etag == created.etag
        assert normalised(listed) == normalised(sent)

    def test_an_all_day_event_reads_back_as_dates(self, world: OutsideWorld) -> None:
        day = dt.date(2030, 1, 20)
        sent = draft(4, start=day, end=day + dt.timedelta(days=2), all_day=True)

        created = world.provider.create(world.calendar_id, sent, "activity-4-create")

        listed = listing(world)[created.id]
        assert (listed.start, listed.end, listed.all_day) == (day, dt.date(2030, 1, 22), True)

    def test_creating_again_with_the_same_key_returns_the_first_event(
        self, world: OutsideWorld
    ) -> None:
        first = world.provider.create(world.calendar_id, draft(5), "activity-5-create")

        again = world.provider.create(world.calendar_id, draft(5), "activity-5-create")

        assert (again.id, again.etag) == (first.id, first.etag)
        assert [e.id for e in listing(world).values() if e.activity_stamp == 5] == [first.id]

    def test_an_update_with_the_current_etag_writes_and_a_stale_etag_writes_nothing(
        self, world: OutsideWorld
    ) -> None:
        provider, calendar_id = world.provider, world.calendar_id
        created = provider.create(calendar_id, draft(6), "activity-6-create")

        renamed = provider.update(
            calendar_id, created.id, draft(6, summary="Renamed"), created.etag
        )

        assert renamed.id == created.id
        assert renamed.etag != created.etag
        assert renamed.summary == "Renamed"
        with pytest.raises(PreconditionFailed):
            provider.update(calendar_id, created.id, draft(6, summary="Stale"), created.etag)
        listed = listing(world)[created.id]
        assert (listed.summary, listed.etag) == ("Renamed", renamed.etag)

    def test_a_delete_with_a_stale_etag_deletes_nothing_and_a_gone_event_is_no_error(
        self, world: OutsideWorld
    ) -> None:
        provider, calendar_id = world.provider, world.calendar_id
        created = provider.create(calendar_id, draft(7), "activity-7-create")
        renamed = provider.update(
            calendar_id, created.id, draft(7, summary="Renamed"), created.etag
        )

        with pytest.raises(PreconditionFailed):
            provider.delete(calendar_id, created.id, created.etag)
        assert listing(world)[created.id].summary == "Renamed"

        provider.delete(calendar_id, created.id, renamed.etag)
        assert created.id not in listing(world)
        provider.delete(calendar_id, created.id, renamed.etag)
        provider.delete(calendar_id, created.id, None)

    # Listings

    def test_a_full_listing_holds_the_events_overlapping_the_window(
        self, world: OutsideWorld
    ) -> None:
        """Start inclusive, end exclusive; a provider may reach `listing_margin` past the end."""
        low, high = WINDOW
        cases = {
            "inside": (at(1, 15), at(1, 15) + HOUR),
            "across the start": (low - HOUR, low + HOUR),
            "at the start": (low, low + HOUR),
            "ending at the start": (low - HOUR, low),
            "ending before": (low - 2 * HOUR, low - HOUR),
            "ending at the end": (high - HOUR, high),
            "starting at the end": (high, high + HOUR),
            "long after": (at(6, 1), at(6, 1) + HOUR),
        }
        for stamp, (name, (start, end)) in enumerate(cases.items(), start=20):
            world.provider.create(
                world.calendar_id, draft(stamp, summary=name, start=start, end=end), f"key-{stamp}"
            )

        found = set(by_summary(listing(world).values()))

        assert {"inside", "across the start", "at the start", "ending at the end"} <= found
        assert not found & {"ending at the start", "ending before", "long after"}
        if world.listing_margin == dt.timedelta(0):
            assert "starting at the end" not in found

    def test_a_cursor_returns_what_other_clients_created_edited_and_deleted(
        self, world: OutsideWorld
    ) -> None:
        provider, calendar_id = world.provider, world.calendar_id
        for day, name in enumerate(("Kept", "Edited", "Deleted"), start=10):
            world.insert(name, at(1, day), at(1, day) + HOUR)
        first = provider.list_changes(calendar_id, None, WINDOW)
        before = by_summary(first.events)
        assert set(before) == {"Kept", "Edited", "Deleted"}
        assert all(event.activity_stamp is None for event in first.events)
        nothing_changed(world, first.cursor)

        world.insert("New", at(1, 20), at(1, 20) + HOUR)
        world.edit(before["Edited"], "Edited elsewhere")
        world.remove(before["Deleted"])
        page = provider.list_changes(calendar_id, first.cursor, WINDOW)

        assert not (world.changes_only and page.full_listing)
        found = by_summary(page.events)
        assert found["Edited elsewhere"].id == before["Edited"].id
        cancelled = [event.id for event in page.events if event.status == "cancelled"]
        if page.full_listing:
            assert set(found) == {"Kept", "New", "Edited elsewhere"}
            assert cancelled in ([], [before["Deleted"].id])
        else:
            assert set(found) == {"New", "Edited elsewhere"}
            assert cancelled == [before["Deleted"].id]
        nothing_changed(world, page.cursor)

    def test_an_expired_cursor_is_cursor_expired_and_a_full_listing_starts_over(
        self, world: OutsideWorld
    ) -> None:
        provider, calendar_id = world.provider, world.calendar_id
        world.insert("Before", at(1, 10), at(1, 10) + HOUR)
        cursor = provider.list_changes(calendar_id, None, WINDOW).cursor
        world.insert("After", at(1, 11), at(1, 11) + HOUR)

        world.expire_cursors()

        with pytest.raises(CursorExpired):
            provider.list_changes(calendar_id, cursor, WINDOW)
        again = provider.list_changes(calendar_id, None, WINDOW)
        assert again.full_listing
        assert set(by_summary(again.events)) == {"Before", "After"}
        nothing_changed(world, again.cursor)

    # Recurring events

    def test_a_series_comes_as_its_occurrences_inside_the_window_with_exceptions(
        self, world: OutsideWorld
    ) -> None:
        """Weekly from 2029-12-24: two occurrences before the window, one renamed, one cancelled."""
        first = dt.datetime(2029, 12, 24, 9, tzinfo=UTC)
        world.insert_weekly("Weekly", first, 6, {at(1, 14): "Moved"}, {at(1, 21)})

        events = list(listing(world).values())

        occurrences = {event.recurrence_id: event for event in events}
        assert sorted(occurrences) == ["20300107T090000Z", "20300114T090000Z", "20300128T090000Z"]
        assert occurrences["20300114T090000Z"].summary == "Moved"
        assert occurrences["20300107T090000Z"].summary == "Weekly"
        assert occurrences["20300128T090000Z"].start == at(1, 28)
        assert len({event.id for event in events}) == 3
        assert len({event.series_id for event in events}) == 1
        assert None not in {event.series_id for event in events}
        assert len({event.uid for event in events}) == 1

    def test_one_occurrence_is_updated_or_deleted_alone(self, world: OutsideWorld) -> None:
        provider, calendar_id = world.provider, world.calendar_id
        world.insert_weekly("Weekly", at(1, 7), 4, {}, ())
        before = {event.recurrence_id: event for event in listing(world).values()}
        second = before["20300114T090000Z"]
        changed = draft(9, summary="Just this one", start=at(1, 14, 13), end=at(1, 14, 14))

        updated = provider.update(calendar_id, second.id, changed, second.etag)

        assert (updated.id, updated.recurrence_id) == (second.id, "20300114T090000Z")
        with pytest.raises(PreconditionFailed):
            provider.update(calendar_id, second.id, draft(9, summary="Stale"), second.etag)
        after = {event.recurrence_id: event for event in listing(world).values()}
        assert sorted(after) == sorted(before)
        assert normalised(after["20300114T090000Z"]) == normalised(changed)
        assert after["20300114T090000Z"].activity_stamp == 9
        assert {after[rid].summary for rid in after if rid != "20300114T090000Z"} == {"Weekly"}

        third = after["20300121T090000Z"]
        provider.delete(calendar_id, third.id, third.etag)

        remaining = {event.recurrence_id: event for event in listing(world).values()}
        assert sorted(remaining) == ["20300107T090000Z", "20300114T090000Z", "20300128T090000Z"]
        assert remaining["20300114T090000Z"].summary == "Just this one"

    # The activity stamp

    def test_an_event_is_found_by_its_activity_stamp(self, world: OutsideWorld) -> None:
        provider, calendar_id = world.provider, world.calendar_id
        created = {
            stamp: provider.create(calendar_id, draft(stamp), f"a{stamp}") for stamp in (11, 12)
        }
        world.insert("Not ours", at(1, 11, 15), at(1, 11, 16))
        provider.update(calendar_id, created[12].id, draft(12, summary="Renamed"), created[12].etag)

        stamps = {event.activity_stamp: event.id for event in listing(world).values()}

        assert stamps == {11: created[11].id, 12: created[12].id, None: stamps[None]}
        assert stamps[None] not in (created[11].id, created[12].id)

    # Errors every call may raise

    def test_a_rate_limit_reaches_the_caller_with_its_retry_after(
        self, world: OutsideWorld
    ) -> None:
        """An hour's Retry-After is longer than any provider waits by itself."""
        world.rate_limit(retry_after=3600)

        with pytest.raises(RateLimited) as limited:
            world.provider.list_changes(world.calendar_id, None, WINDOW)

        assert limited.value.retry_after == 3600
        assert world.provider.list_changes(world.calendar_id, None, WINDOW).full_listing

    def test_a_revoked_grant_is_grant_revoked_on_every_call(self, world: OutsideWorld) -> None:
        provider, calendar_id = world.provider, world.calendar_id
        created = provider.create(calendar_id, draft(13), "activity-13-create")

        world.revoke_grant()

        with pytest.raises(GrantRevoked):
            provider.list_calendars()
        with pytest.raises(GrantRevoked):
            provider.list_changes(calendar_id, None, WINDOW)
        with pytest.raises(GrantRevoked):
            provider.create(calendar_id, draft(14), "activity-14-create")
        with pytest.raises(GrantRevoked):
            provider.update(calendar_id, created.id, draft(13, summary="No"), created.etag)
        with pytest.raises(GrantRevoked):
            provider.delete(calendar_id, created.id, created.etag)

    def test_every_call_counts_its_requests(self, world: OutsideWorld) -> None:
        provider, calendar_id = world.provider, world.calendar_id
        counts = [provider.requests_made]

        def counted() -> None:
            counts.append(provider.requests_made)
            assert counts[-1] > counts[-2], "a call sent no request that was counted"

        provider.list_calendars()
        counted()
        provider.list_changes(calendar_id, None, WINDOW)
        counted()
        created = provider.create(calendar_id, draft(15), "activity-15-create")
        counted()
        updated = provider.update(calendar_id, created.id, draft(15, summary="B"), created.etag)
        counted()
        provider.delete(calendar_id, created.id, updated.etag)
        counted()
