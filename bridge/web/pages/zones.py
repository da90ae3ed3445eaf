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
