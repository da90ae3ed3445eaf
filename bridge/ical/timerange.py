"""The span an object occupies, for pushing CalDAV time-range filters down to SQL.

The store keeps [start, end) per activity and asks SQL for rows overlapping a
query; Radicale then applies the exact filter to what comes back. So a range
here may be wider than the truth but never narrower than what Radicale's own
`find_time_range` computes. Recurring objects are walked as Radicale walks
them, over a `bridge.ical.walks.bounded` parse; a walk that meets the bound
is taken to go on forever, so the bound only ever widens the range.
"""

from __future__ import annotations

import datetime as dt
import math

import vobject
from radicale.item import find_tag
from radicale.item.filter import (
    DATETIME_MAX,
    DATETIME_MIN,
    TIMESTAMP_MAX,
    TIMESTAMP_MIN,
    visit_time_ranges,
)

from bridge.domain import Activity
from bridge.ical.errors import ICalError
from bridge.ical.lines import parse_tree
from bridge.ical.times import as_utc, event_span, todo_span
from bridge.ical.walks import MAX_WALK, read_bounded

_RECURRENCE = ("RRULE", "RDATE", "RECURRENCE-ID")


def time_range(text: str) -> tuple[int, int]:
    """Radicale's enclosing [start, end) in Unix seconds; raises ICalError when unreadable."""
    try:
        item = read_bounded(text)
        tag = find_tag(item)
        if not tag:
            return TIMESTAMP_MIN, TIMESTAMP_MAX
        start, end = _enclosing(item, tag)
    except (vobject.base.VObjectError, ValueError, AttributeError, TypeError) as error:
        raise ICalError(f"cannot compute the time range: {error}") from error
    return math.floor(start.timestamp()), math.ceil(end.timestamp())


def _enclosing(item: vobject.base.Component, tag: str) -> tuple[dt.datetime, dt.datetime]:
    """The earliest start and latest end of the walk; an open or cut walk ends never."""
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    visited = 0

    def visit(start: dt.datetime, end: dt.datetime, _is_recurrence: bool) -> bool:
        nonlocal first, last, visited
        visited += 1
        first = start if first is None else min(first, start)
        last = end if last is None else max(last, end)
        return False

    def forever(start: dt.datetime) -> bool:
        nonlocal first, last
        first = start if first is None else min(first, start)
        last = DATETIME_MAX
        return True

    visit_time_ranges(item, tag, visit, forever)
    if last is None or visited >= MAX_WALK:
        last = DATETIME_MAX
    return first or DATETIME_MIN, last


def is_recurring(text: str) -> bool:
    """Whether the object has recurrence rules, extra dates or overridden occurrences."""
    return any(
        component.lines(name)
        for calendar in parse_tree(text)
        for component in calendar.children
        if component.name != "VTIMEZONE"
        for name in _RECURRENCE
    )


def activity_time_range(activity: Activity) -> tuple[int, int]:
    """A range covering the activity whether it renders as a VEVENT or a VTODO, without parsing.

    Only for activities without recurrence. It spans both renderings plus a
    second either side, which covers Radicale's one-second rules for
    instants; undated to-dos span everything, with Radicale's own bounds.
    """
    if activity.due_date is None:
        return TIMESTAMP_MIN, TIMESTAMP_MAX
    moments = [
        as_utc(value)
        for value in (*event_span(activity), *todo_span(activity))
        if value is not None
    ]
    return math.floor(min(moments).timestamp()) - 1, math.ceil(max(moments).timestamp()) + 1
