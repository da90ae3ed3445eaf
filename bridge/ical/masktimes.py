"""The time lines of a masked component: in UTC, with no name a client chose.

A TZID is free text (``TZID=Dentist in Lyon``) and a VTIMEZONE may carry
anything, so neither may reach another user. Masked times are written in
UTC, all-day dates staying dates, and only date, time and rule characters
survive. One thing cannot be said in UTC: a series whose RRULE runs in a
zone with daylight saving (a weekly 9:00 in Berlin is at 08:00Z in winter,
07:00Z in summer). Such a series keeps its zone, under an opaque name
derived from the zone's rules and reduced to its offsets and transitions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable

from bridge.ical.lines import (
    Component,
    Property,
    line_name,
    parse_property,
    referenced_tzids,
    serialize,
)
from bridge.ical.objects import CalendarObject
from bridge.ical.times import Zone, moment_value, source_zone, utc_stamp
from bridge.ical.zones import named_zone, vtimezone_zone

_TIME_VALUE = re.compile(r"[0-9TZPWDHMS/,+-]*")
_RULE_PARTS = frozenset(
    {
        "FREQ",
        "UNTIL",
        "COUNT",
        "INTERVAL",
        "BYSECOND",
        "BYMINUTE",
        "BYHOUR",
        "BYDAY",
        "BYMONTHDAY",
        "BYYEARDAY",
        "BYWEEKNO",
        "BYMONTH",
        "BYSETPOS",
        "WKST",
    }
)
_RULE_VALUE = re.compile(r"[0-9A-Z,+-]*")
_ZONE_PARTS = frozenset({"STANDARD", "DAYLIGHT"})
_ZONE_LINES = ("DTSTART", "TZOFFSETFROM", "TZOFFSETTO", "RRULE", "RDATE")
_VALUE_TYPES = frozenset({"DATE", "PERIOD"})
"""VALUE parameters kept (DATE-TIME is the default and goes without saying)."""


class MaskedTimes:
    """Rewrites the time lines of one object's components for its masked copy."""

    def __init__(self, source: CalendarObject, *, keep_series_zone: bool = True) -> None:
        self._source = source
        self._zones: dict[str, dt.tzinfo | None] = {}
        self._kept_tzid: str | None = None
        self.zone: Zone | None = None
        """The zone the master's DTSTART is written in: None (UTC) unless the series needs it."""
        self._timezone: Component | None = None
        zone = source_zone(source)
        if keep_series_zone and zone is not None and source.master.lines("RRULE"):
            tzid, self._timezone = _anonymous_timezone(source.timezones[zone.tzid])
            self._kept_tzid = zone.tzid
            self.zone = Zone(tzid, zone.tzinfo)

    def timezones_for(self, components: Iterable[Component]) -> list[Component]:
        """The anonymous VTIMEZONE when `components` use it, else nothing."""
        if self._timezone is None or self.zone is None:
            return []
        return [self._timezone] if self.zone.tzid in referenced_tzids(components) else []

    def lines(self, component: Component, names: tuple[str, ...]) -> list[str]:
        """The component's lines called `names`, rebuilt from their times alone.

        X- parameters and X- rule parts are dropped, and a line whose value
        is not a date, time, period, duration or rule goes.
        """
        bare = []
        for line in component.properties:
            if line_name(line) not in names:
                continue
            prop = parse_property(line)
            if prop.name == "RRULE":
                bare.append(f"RRULE:{bare_rule(prop.value)}")
                continue
            value = prop.value.strip()
            if not _TIME_VALUE.fullmatch(value):
                continue
            rebuilt = self._time_line(prop, value)
            if rebuilt is not None:
                bare.append(rebuilt)
        return bare

    def _time_line(self, prop: Property, value: str) -> str | None:
        """`prop` with `value` in UTC (or in the kept zone), and only VALUE and RANGE kept."""
        if prop.name == "DURATION":
            return f"DURATION:{value}"
        kind = (prop.param("VALUE") or "").upper()
        params = f";VALUE={kind}" if kind in _VALUE_TYPES else ""
        if (prop.param("RANGE") or "").upper() == "THISANDFUTURE":
            params += ";RANGE=THISANDFUTURE"
        tzid = prop.param("TZID")
        if tzid is not None and tzid == self._kept_tzid and self.zone is not None:
            return f"{prop.name};TZID={self.zone.tzid}{params}:{value}"
        zone = self._zone(tzid) if tzid is not None else None
        pieces = [_utc_period(piece, zone) for piece in value.split(",")]
        if None in pieces:
            return None
        return f"{prop.name}{params}:{','.join(piece for piece in pieces if piece is not None)}"

    def _zone(self, tzid: str) -> dt.tzinfo | None:
        """The zone a TZID names: the object's own VTIMEZONE, else a known name, else None."""
        if tzid not in self._zones:
            vtimezone = self._source.timezones.get(tzid)
            try:
                zone = vtimezone_zone(vtimezone) if vtimezone is not None else named_zone(tzid)
            except ValueError:
                zone = named_zone(tzid)
            self._zones[tzid] = zone
        return self._zones[tzid]


def bare_rule(value: str) -> str:
    """An RRULE value with only RFC 5545 parts whose values are rule characters."""
    parts = (part.partition("=") for part in value.upper().split(";"))
    return ";".join(
        f"{key}={rule}"
        for key, _, rule in parts
        if key in _RULE_PARTS and _RULE_VALUE.fullmatch(rule)
    )


def _utc_period(piece: str, zone: dt.tzinfo | None) -> str | None:
    """One value of a time list (a PERIOD is start/end or start/duration) in UTC."""
    start, slash, end = piece.partition("/")
    first = _utc_value(start, zone)
    if not slash or first is None:
        return first
    if end[:1] in ("P", "+", "-"):
        return f"{first}/{end}"
    last = _utc_value(end, zone)
    return None if last is None else f"{first}/{last}"


def _utc_value(text: str, zone: dt.tzinfo | None) -> str | None:
    """A DATE stays a date; a DATE-TIME becomes UTC, None when it is not one.

    Times in an unknown zone and floating times are read as UTC, as
    `bridge.ical.times` reads them, so they meet the master's DTSTART.
    """
    if len(text) == 8:
        return text if moment_value(text, None) is not None else None
    moment = moment_value(text, zone)
    return utc_stamp(moment) if isinstance(moment, dt.datetime) else None


def _anonymous_timezone(vtimezone: Component) -> tuple[str, Component]:
    """`vtimezone` reduced to its offsets and transitions, and the name made of them."""
    parts = [
        Component(child.name, [line for line in map(_zone_line, child.properties) if line])
        for child in vtimezone.children
        if child.name in _ZONE_PARTS
    ]
    digest = hashlib.sha256("".join(map(serialize, parts)).encode()).hexdigest()
    tzid = f"masked-{digest[:16]}"
    return tzid, Component("VTIMEZONE", [f"TZID:{tzid}"], parts)


def _zone_line(line: str) -> str | None:
    """A STANDARD or DAYLIGHT line without parameters, or None when it is not a time line."""
    prop = parse_property(line)
    if prop.name not in _ZONE_LINES:
        return None
    if prop.name == "RRULE":
        return f"RRULE:{bare_rule(prop.value)}"
    value = prop.value.strip()
    return f"{prop.name}:{value}" if value and _TIME_VALUE.fullmatch(value) else None
