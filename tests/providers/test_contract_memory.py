"""The provider contract, run against the in-memory reference provider."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping

import pytest

from bridge.providers import ExternalCalendar, ExternalEvent
from bridge.providers.memory import PRIMARY, MemoryCalendarProvider, Recurrence
from tests.providers.contract import HOUR, OutsideWorld, ProviderContract


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
