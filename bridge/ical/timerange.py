"""The span an object occupies, for pushing CalDAV time-range filters down to SQL.

The store keeps [start, end) per activity and asks SQL for rows overlapping a
query; Radicale then applies the exact filter to what comes back. So a range
here may be wider than the truth but never narrower than what Radicale's own
`find_time_range` computes, and we call that function for recurring objects.
"""

from __future__ import annotations

import math

import vobject
from radicale.item import find_tag, find_time_range
from radicale.item.filter import TIMESTAMP_MAX, TIMESTAMP_MIN

from bridge.domain import Activity
from bridge.ical.errors import ICalError
from bridge.ical.lines import parse_tree
from bridge.ical.times import as_utc, event_span, todo_span

_RECURRENCE = ("RRULE", "RDATE", "RECURRENCE-ID")


def time_range(text: str) -> tuple[int, int]:
    """Radicale's enclosing [start, end) in Unix seconds; raises ICalError when unreadable."""
    try:
        item = vobject.readOne(text)
        return find_time_range(item, find_tag(item))
    except (vobject.base.VObjectError, ValueError, AttributeError, TypeError) as error:
        raise ICalError(f"cannot compute the time range: {error}") from error


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
