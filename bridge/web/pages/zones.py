"""The signed-in user's time zone, in which every page shows and reads times."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bridge.domain import User


def zone_of(user: User) -> dt.tzinfo:
    """The user's time zone; UTC when the stored name is unknown here."""
    try:
        return ZoneInfo(user.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def local_when(due_date: dt.date, due_time: dt.time | None, zone: dt.tzinfo) -> tuple[dt.date, str]:
    """The day an activity falls on in `zone` and its time there ("09:30", or "all day").

    An all-day activity keeps its date: it is that day wherever one is.
    """
    if due_time is None:
        return due_date, "all day"
    utc = dt.datetime.combine(due_date, due_time, dt.UTC)
    try:
        local = utc.astimezone(zone)
    except OverflowError:  # the last hours of year 9999, which a CalDAV client may store
        local = utc
    return local.date(), local.strftime("%H:%M")
