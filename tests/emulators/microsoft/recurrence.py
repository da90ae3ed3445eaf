"""Expanding a patternedRecurrence (pattern + range) into occurrence start dates.

calendarView and its delta never show a series master, only its occurrences
and exceptions, so the emulator has to know every date a series falls on:
daily, weekly, absolute/relative monthly and yearly patterns, with endDate,
numbered and noEnd ranges, all evaluated in the series' own time zone.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from tests.emulators.microsoft import errors

DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
INDEXES = {"first": 0, "second": 1, "third": 2, "fourth": 3, "last": -1}
PATTERNS = (
    "daily",
    "weekly",
    "absoluteMonthly",
    "relativeMonthly",
    "absoluteYearly",
    "relativeYearly",
)
RANGES = ("endDate", "noEnd", "numbered")
MAX_OCCURRENCES = 5000


def validate(recurrence: Any) -> None:
    """400 for the malformed recurrences Graph rejects before storing anything."""
    if not isinstance(recurrence, dict):
        raise errors.body_read("Cannot read the value of 'recurrence' as a patternedRecurrence.")
    pattern, rng = recurrence.get("pattern") or {}, recurrence.get("range") or {}
    if pattern.get("type") not in PATTERNS:
        raise errors.body_read(
            f"Cannot convert the literal '{pattern.get('type')}' to the expected type "
            "'microsoft.graph.recurrencePatternType'."
        )
    if rng.get("type") not in RANGES:
        raise errors.body_read(
            f"Cannot convert the literal '{rng.get('type')}' to the expected type "
            "'microsoft.graph.recurrenceRangeType'."
        )
    if not rng.get("startDate"):
        raise errors.invalid_request("The recurrence range must have a start date.")
    if pattern["type"] in ("weekly", "relativeMonthly", "relativeYearly") and not pattern.get(
        "daysOfWeek"
    ):
        raise errors.invalid_request("The recurrence pattern requires daysOfWeek.")
    if rng["type"] == "endDate" and not rng.get("endDate"):
        raise errors.invalid_request("The recurrence range of type endDate requires an end date.")
    if rng["type"] == "numbered" and int(rng.get("numberOfOccurrences") or 0) < 1:
        raise errors.invalid_request("numberOfOccurrences must be positive.")


def dates(recurrence: dict[str, Any], until: date) -> Iterator[date]:
    """Occurrence dates in order, from range.startDate through the range end or `until`."""
    pattern, rng = recurrence["pattern"], recurrence["range"]
    start = date.fromisoformat(rng["startDate"])
    end = date.fromisoformat(rng["endDate"]) if rng["type"] == "endDate" else None
    count = int(rng.get("numberOfOccurrences") or 0) if rng["type"] == "numbered" else None
    produced = 0
    for day in _candidates(pattern, start):
        if day < start:
            continue
        if (end is not None and day > end) or day > until or produced >= MAX_OCCURRENCES:
            return
        if count is not None and produced >= count:
            return
        produced += 1
        yield day


def _candidates(pattern: dict[str, Any], start: date) -> Iterator[date]:
    interval = max(int(pattern.get("interval") or 1), 1)
    kind = pattern["type"]
    weekdays = sorted(DAYS.index(d.lower()) for d in pattern.get("daysOfWeek") or [])
    if kind == "daily":
        day = start
        while True:
            yield day
            day += timedelta(days=interval)
    elif kind == "weekly":
        first = DAYS.index((pattern.get("firstDayOfWeek") or "sunday").lower())
        week = start - timedelta(days=(start.weekday() - first) % 7)
        ordered = sorted(weekdays, key=lambda d: (d - first) % 7)
        while True:
            for weekday in ordered:
                yield week + timedelta(days=(weekday - first) % 7)
            week += timedelta(weeks=interval)
    elif kind in ("absoluteMonthly", "relativeMonthly"):
        year, month = start.year, start.month
        while True:
            yield from _in_month(pattern, year, month, weekdays)
            month += interval
            year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    else:
        year, month = start.year, int(pattern.get("month") or start.month)
        while True:
            yield from _in_month(pattern, year, month, weekdays)
            year += interval


def _in_month(pattern: dict[str, Any], year: int, month: int, weekdays: list[int]) -> list[date]:
    length = calendar.monthrange(year, month)[1]
    if pattern["type"] in ("absoluteMonthly", "absoluteYearly"):
        day = int(pattern.get("dayOfMonth") or 1)
        return [date(year, month, day)] if day <= length else []
    matching = [
        date(year, month, d)
        for d in range(1, length + 1)
        if date(year, month, d).weekday() in weekdays
    ]
    index = INDEXES.get((pattern.get("index") or "first").lower(), 0)
    if index == -1:
        return matching[-1:]
    # "first monday" with several daysOfWeek: the index-th matching day of the month.
    return matching[index : index + 1]
