"""An .ics file with many events -> one VCALENDAR object per UID, for imports.

Exports can hold 100,000 events, so this works on raw lines (`bridge.ical.lines`)
and never decodes a value: components are grouped by their own UID (a master
and its overrides travel together) and each group gets the VTIMEZONEs it
refers to.
"""

from __future__ import annotations

import hashlib

from bridge.ical.errors import ICalError
from bridge.ical.lines import Component, line_name, parse_tree, referenced_tzids, serialize
from bridge.ical.objects import HEADER, component_uid


def split_calendar(text: str) -> list[str]:
    """One VCALENDAR text per UID, in order of first appearance; raises ICalError on garbage.

    A component without UID gets one derived from its content, so importing
    the same file twice yields the same UIDs (and an exact duplicate of such
    a component is dropped).
    """
    calendars = parse_tree(text)
    if not calendars:
        raise ICalError("no VCALENDAR found")
    if any(calendar.name != "VCALENDAR" for calendar in calendars):
        raise ICalError("the file holds something other than VCALENDAR objects")
    timezones: dict[str, Component] = {}
    groups: dict[str, list[Component]] = {}
    generated: set[str] = set()
    for calendar in calendars:
        for child in calendar.children:
            tzid = child.first("TZID") if child.name == "VTIMEZONE" else None
            if tzid is not None:
                timezones.setdefault(tzid.value, child)
                continue
            uid = component_uid(child)
            if uid is None:
                uid = _generated_uid(child)
                if uid in generated:
                    continue
                generated.add(uid)
                child.properties.insert(0, f"UID:{uid}")
            groups.setdefault(uid, []).append(child)
    header = _header(calendars[0])
    return [
        serialize(
            Component(
                "VCALENDAR",
                header,
                [timezones[tzid] for tzid in referenced_tzids(group) if tzid in timezones] + group,
            )
        )
        for group in groups.values()
    ]


def _header(calendar: Component) -> list[str]:
    """The file's PRODID (ours when it has none), VERSION 2.0 and its CALSCALE if any."""
    given = {line_name(line): line for line in calendar.properties}
    prodid, version = HEADER
    return [
        given.get("PRODID", prodid),
        version,
        *([given["CALSCALE"]] if "CALSCALE" in given else []),
    ]


def _generated_uid(component: Component) -> str:
    return f"{hashlib.sha256(serialize(component).encode()).hexdigest()[:32]}@calbridge-import"
