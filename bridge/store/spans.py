"""Time-range queries that stay fast on large calendars.

An overlap test ``range_start < end AND range_end > start`` on one index walks
every row that starts before the window ends. Most items span at most a day
or two, so rows are split by ``long_span``: short ones are found by a bounded
scan of their start, the few long and recurring ones by a scan of their own.
"""

from __future__ import annotations

import sqlalchemy as sa

SHORT_SPAN_SECONDS = 2 * 86400


def is_long_span(start: int, end: int, recurring: bool) -> bool:
    return recurring or end - start > SHORT_SPAN_SECONDS


def overlapping(
    conn: sa.Connection, query: sa.Select, table: sa.Table, start: int, end: int
) -> list[sa.Row]:
    """Rows of ``query`` whose [range_start, range_end) overlaps [start, end)."""
    columns = table.c
    overlaps = (columns.range_start < end, columns.range_end > start)
    short = query.where(
        columns.long_span.is_(False),
        columns.range_start >= start - SHORT_SPAN_SECONDS,
        *overlaps,
    )
    long = query.where(columns.long_span.is_(True), *overlaps)
    return [*conn.execute(short), *conn.execute(long)]
