"""An index of a recurring event's occurrences, so time-range queries need not expand it again.

Radicale checks a recurring item against a time range by expanding its
rule from the first occurrence on, for every query; a calendar holding a
thousand series then spends most of a one-week REPORT expanding them. The
index keeps each occurrence's span once (computed with Radicale's own
`visit_time_ranges`, so it matches exactly what Radicale would) and
answers a query by bisection. Rules without an end are expanded up to
`HORIZON` past now and at most `MAX_OCCURRENCES` times; a query reaching
past what was expanded gets None, and the caller asks Radicale instead.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass

import vobject
from radicale.item import filter as radicale_filter

HORIZON = dt.timedelta(days=5 * 366)
MAX_OCCURRENCES = 10_000


@dataclass(frozen=True)
class Occurrences:
    """The spans of a series' occurrences, by start (epoch seconds).

    `until` is where the index stops knowing (None: it holds every
    occurrence); `longest` is the longest span, which bounds how far before
    a range an overlapping occurrence can start.
    """

    starts: list[float]
    ends: list[float]
    longest: float
    until: float | None

    def overlaps(self, start: float, end: float) -> bool | None:
        """Whether an occurrence meets [start, end) as Radicale's time-range test says.

        None when the range reaches past `until`: the index cannot tell.
        """
        if self.until is not None and end > self.until:
            return None
        first = bisect.bisect_left(self.starts, start - self.longest)
        last = bisect.bisect_left(self.starts, end)
        return any(start < self.ends[i] for i in range(first, last))


def index(vobject_item: vobject.base.Component, now: dt.datetime | None = None) -> Occurrences:
    """The occurrences of the VEVENTs of a parsed item, as far as `HORIZON` for open rules."""
    horizon = ((now or dt.datetime.now(dt.UTC)) + HORIZON).timestamp()
    spans: list[tuple[float, float]] = []
    cut: float | None = None

    def collect(start: dt.datetime, end: dt.datetime, _is_recurrence: bool) -> bool:
        nonlocal cut
        first = start.timestamp()
        if first > horizon or len(spans) >= MAX_OCCURRENCES:
            cut = first if cut is None else min(cut, first)
            return True
        spans.append((first, end.timestamp()))
        return False

    radicale_filter.visit_time_ranges(vobject_item, "VEVENT", collect, lambda _start: False)
    if cut is not None and len(vobject_item.contents.get("vevent", [])) > 1:
        # The cut also skipped the overrides not visited yet: trust nothing.
        cut = float("-inf")
    spans.sort()
    return Occurrences(
        starts=[start for start, _ in spans],
        ends=[end for _, end in spans],
        longest=max((end - start for start, end in spans), default=0.0),
        until=cut,
    )
