"""Many rendered objects -> one subscribable VCALENDAR (the secret .ics feed).

A feed can hold tens of thousands of activities and is served on every poll,
so objects are spliced as text, never parsed: each object's components are
copied as they are, and a VTIMEZONE is copied only the first time its TZID is
seen. The input must be this package's output (CRLF, upper-case BEGIN/END).

A feed carries no METHOD: it is a subscription, not an iTIP message (RFC 5546
says no METHOD means no scheduling transaction, and Outlook reads such a
calendar as published). Under ``METHOD:PUBLISH`` iTIP would require an
ORGANIZER in every component, DTSTART and PRIORITY in every VTODO and no
ATTENDEE in any VEVENT, which activities do not have; strict readers such
as libical report each of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from bridge.ical.lines import CRLF, escape_text, fold
from bridge.ical.objects import HEADER

_TZID_LINE = re.compile(r"\r\nTZID[;:]([^\r\n]*(?:\r\n[ \t][^\r\n]*)*)")
_TIMEZONE_BEGIN = "BEGIN:VTIMEZONE\r\n"
_TIMEZONE_END = "END:VTIMEZONE\r\n"
_FIRST_COMPONENT = "\r\nBEGIN:"
_CALENDAR_END = "END:VCALENDAR"


def feed_chunks(objects: Iterable[str], name: str) -> Iterator[str]:
    """The feed as a stream of text pieces, to send while the objects are still being read."""
    header = [*HEADER, "CALSCALE:GREGORIAN", f"X-WR-CALNAME:{escape_text(name)}"]
    yield "BEGIN:VCALENDAR" + CRLF + "".join(fold(line) + CRLF for line in header)
    seen: set[str] = set()
    for text in objects:
        yield from _components(text, seen)
    yield _CALENDAR_END + CRLF


def feed_calendar(objects: Iterable[str], name: str) -> str:
    """The whole feed as one string (see `feed_chunks`)."""
    return "".join(feed_chunks(objects, name))


def _components(text: str, seen: set[str]) -> Iterator[str]:
    """An object's components (what follows its calendar properties), VTIMEZONEs deduplicated."""
    begin = text.find(_FIRST_COMPONENT)
    end = text.rfind(_CALENDAR_END)
    if begin < 0 or end < begin:
        return
    position = begin + 2
    while (zone := text.find(_TIMEZONE_BEGIN, position, end)) >= 0:
        closing = text.find(_TIMEZONE_END, zone, end)
        zone_end = end if closing < 0 else closing + len(_TIMEZONE_END)
        yield text[position:zone]
        tzid = _TZID_LINE.search(text, zone, zone_end)
        key = tzid.group(1) if tzid else text[zone:zone_end]
        if key not in seen:
            seen.add(key)
            yield text[zone:zone_end]
        position = zone_end
    yield text[position:end]
