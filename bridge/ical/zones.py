"""TZIDs -> tzinfo, with each VTIMEZONE a client sent turned into a zone only once.

Building a zone from a VTIMEZONE is by far the most expensive step of reading
or rendering an object, and an import sends the same VTIMEZONE text with
thousands of objects. The conversion is a pure function of that text, so it
is cached by it (bounded, as a server sees many users' zones).

Names resolve as `icalendar` (which used to decode whole objects here)
resolves them, so times read exactly as before: IANA and Windows names map to
the system's zones, whatever VTIMEZONE came with them; any other name maps to
the zone of the first VTIMEZONE `icalendar` read under that name in this
process, which is why reading a VTIMEZONE here still goes through it.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import icalendar
from icalendar.timezone import tzp

from bridge.ical.lines import Component, serialize

_CACHED_ZONES = 256


def vtimezone_zone(vtimezone: Component) -> dt.tzinfo:
    """The zone a VTIMEZONE stands for; raises ValueError when `icalendar` cannot read it."""
    return _zone_from_text(serialize(vtimezone))


def named_zone(tzid: str) -> dt.tzinfo | None:
    """The zone a TZID parameter names (IANA, Windows or a custom zone read before), or None.

    A name the system cannot even look up (absurdly long, odd bytes) names no zone.
    """
    try:
        return tzp.timezone(tzid)
    except (OSError, ValueError):
        return None


def localize(moment: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """`moment` (naive, local to `zone`) as an aware datetime in that zone."""
    return tzp.localize(moment, zone)


@lru_cache(maxsize=_CACHED_ZONES)
def _zone_from_text(text: str) -> dt.tzinfo:
    return icalendar.Timezone.from_ical(text).to_tz()
