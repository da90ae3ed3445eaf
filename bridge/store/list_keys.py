"""One sortable integer per activity: the order of the activity lists, kept in an index.

Lists show dated activities by start, an all-day one before the same day's
timed ones, and undated to-dos last. That order mixes NULL handling and two
columns, which neither SQLite nor PostgreSQL can read from an index in the
same way; a single integer column can, so a page of a 100,000-activity list
is an index range scan on both. The key of a date is `ordinal * 86401`,
plus one plus the seconds of the day for a timed activity; every undated
activity gets `UNDATED`, above any date's key.
"""

from __future__ import annotations

import datetime as dt

SLOTS_PER_DAY = 86_401
"""Slot 0 is the all-day activity; slots 1 to 86400 are the seconds of the day, shifted by one."""

UNDATED = (dt.date.max.toordinal() + 1) * SLOTS_PER_DAY


def list_key(due_date: dt.date | None, due_time: dt.time | None) -> int:
    """The key of an activity due on `due_date` at `due_time` (UTC; None: all day)."""
    if due_date is None:
        return UNDATED
    base = due_date.toordinal() * SLOTS_PER_DAY
    if due_time is None:
        return base
    return base + 1 + due_time.hour * 3600 + due_time.minute * 60 + due_time.second


def key_at(moment: dt.datetime) -> int:
    """The lowest key of an activity starting at `moment` or later.

    An all-day activity starts at midnight UTC of its date, so it counts as
    starting at `moment` only when `moment` is that midnight.
    """
    utc = moment.astimezone(dt.UTC)
    seconds = utc.hour * 3600 + utc.minute * 60 + utc.second + (utc.microsecond > 0)
    base = utc.date().toordinal() * SLOTS_PER_DAY
    return base if seconds == 0 else base + 1 + seconds


def due_of(key: int) -> tuple[dt.date | None, dt.time | None]:
    """The due date and time (UTC; None: all day) that `list_key` made `key` from."""
    if key >= UNDATED:
        return None, None
    ordinal, slot = divmod(key, SLOTS_PER_DAY)
    day = dt.date.fromordinal(ordinal)
    if slot == 0:
        return day, None
    hours, rest = divmod(slot - 1, 3600)
    return day, dt.time(hours, *divmod(rest, 60))
