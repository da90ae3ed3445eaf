"""Recurrence rules of the in-memory calendar: a fixed step, a count or an end. Pure.

Real APIs take RFC 5545 RRULEs; the reference needs only what the contract
is about (occurrences inside a window, each addressed by its original start
in RFC 5545 RECURRENCE-ID text), so a rule here is "every `every`, from the
first start, `count` times or until `until`". Steps are exact time spans in
UTC (daily and weekly rules without a time zone), which keeps the expansion
short and obviously right: a reader checks the contract, not a rule engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from bridge.ical.times import as_utc, overlaps, recurrence_text
from bridge.providers import Moment

Window = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class Recurrence:
    """Every `every` from the series' first start; at most `count` times, none after `until`.

    `until` is inclusive, like RRULE's UNTIL. A series of all-day events
    needs a whole number of days as its step.
    """

    every: dt.timedelta
    count: int | None = None
    until: Moment | None = None

    def __post_init__(self) -> None:
        if self.every <= dt.timedelta(0):
            raise ValueError("a recurrence must step forward")
        if self.count is not None and self.count < 1:
            raise ValueError("a recurrence has at least one occurrence")

    @classmethod
    def daily(cls, count: int | None = None, *, interval: int = 1) -> Recurrence:
        return cls(dt.timedelta(days=interval), count)

    @classmethod
    def weekly(cls, count: int | None = None, *, interval: int = 1) -> Recurrence:
        return cls(dt.timedelta(weeks=interval), count)

    def starts_meeting(
        self, first: Moment, duration: dt.timedelta, window: Window
    ) -> Iterator[Moment]:
        """The original starts of the occurrences that overlap `window`, in order.

        Starts from the first occurrence that can meet the window, so a long
        series costs only what lies inside it.
        """
        origin = as_utc(first)
        earliest = window[0] - duration - self.every
        index = max(0, (earliest - origin) // self.every)
        while self._allows(index):
            start = _shifted(first, self.every * index)
            if as_utc(start) >= window[1] or not self._within_until(start):
                return
            if overlaps(start, _shifted(start, duration), window):
                yield start
            index += 1

    def has_start(self, first: Moment, start: Moment) -> bool:
        """Whether `start` is the original start of one of the series' occurrences."""
        if isinstance(first, dt.datetime) != isinstance(start, dt.datetime):
            return False
        offset = as_utc(start) - as_utc(first)
        if offset < dt.timedelta(0) or offset % self.every:
            return False
        return self._allows(offset // self.every) and self._within_until(start)

    def _allows(self, index: int) -> bool:
        return self.count is None or index < self.count

    def _within_until(self, start: Moment) -> bool:
        return self.until is None or as_utc(start) <= as_utc(self.until)


def _shifted(moment: Moment, delta: dt.timedelta) -> Moment:
    if isinstance(moment, dt.datetime):
        return moment + delta
    return moment + dt.timedelta(days=delta.days)


def occurrence_end(start: Moment, duration: dt.timedelta) -> Moment:
    """The end of an occurrence starting at `start` that lasts `duration`."""
    return _shifted(start, duration)


def duration_of(start: Moment, end: Moment) -> dt.timedelta:
    return as_utc(end) - as_utc(start)


def recurrence_id(start: Moment) -> str:
    """RECURRENCE-ID text of an occurrence's original start (UTC; a date for all-day series)."""
    return recurrence_text(start)


def recurrence_moment(text: str) -> Moment:
    """The moment `recurrence_id` wrote as `text`; ValueError for anything else."""
    if len(text) == 8:
        return dt.datetime.strptime(text, "%Y%m%d").date()
    return dt.datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
