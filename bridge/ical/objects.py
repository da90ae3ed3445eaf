"""One calendar object resource (what one CalDAV item holds), taken apart.

An item holds one UID: a master component, perhaps overrides of single
occurrences (RECURRENCE-ID), and the VTIMEZONEs they use. Parsing, rendering
and masking all need that structure and the same checks on it, so both live
here once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bridge.ical.errors import ICalError
from bridge.ical.lines import Component, parse_tree, referenced_tzids

PRODID = "-//CalBridge//CalBridge//EN"
HEADER = (f"PRODID:{PRODID}", "VERSION:2.0")
KINDS = ("VEVENT", "VTODO")
PRIVATE_CLASSES = frozenset({"PRIVATE", "CONFIDENTIAL"})
"""CLASS values that keep a component's details to its owner."""


@dataclass
class CalendarObject:
    """The VCALENDAR, its master component (no RECURRENCE-ID) and the overrides."""

    calendar: Component
    master: Component
    overrides: list[Component]
    uid: str
    timezones: dict[str, Component] = field(init=False)
    """VTIMEZONE components by TZID (the first of each), read several times per object."""

    def __post_init__(self) -> None:
        self.timezones = {}
        for child in self.calendar.children:
            tzid = child.first("TZID") if child.name == "VTIMEZONE" else None
            if tzid is not None:
                self.timezones.setdefault(tzid.value, child)

    @property
    def kind(self) -> str:
        return self.master.name

    def timezones_for(self, components: list[Component]) -> list[Component]:
        """This object's VTIMEZONEs that `components` refer to, in order of first use."""
        zones = self.timezones
        return [zones[tzid] for tzid in referenced_tzids(components) if tzid in zones]


def component_uid(component: Component) -> str | None:
    """The component's own UID (not an alarm's), or None when it has none."""
    found = component.first("UID")
    if found is None:
        return None
    return found.value.strip() or None


def read_object(text: str) -> CalendarObject:
    """Check that `text` is one VCALENDAR with one UID of one kind and take it apart.

    Raises ICalError naming what is wrong. When only overrides are present (an
    invitation to a single occurrence), the first one stands in as master.
    """
    tops = parse_tree(text)
    if len(tops) != 1 or tops[0].name != "VCALENDAR":
        raise ICalError("expected exactly one VCALENDAR object")
    calendar = tops[0]
    items = [child for child in calendar.children if child.name in KINDS]
    if not items:
        raise ICalError("the calendar object holds no VEVENT or VTODO")
    kinds = {item.name for item in items}
    if len(kinds) > 1:
        raise ICalError("the calendar object mixes VEVENT and VTODO components")
    uids = {component_uid(item) for item in items}
    if None in uids:
        raise ICalError(f"a {items[0].name} has no UID")
    if len(uids) > 1:
        raise ICalError(f"one calendar object must hold one UID, found {len(uids)}")
    masters = [item for item in items if not item.lines("RECURRENCE-ID")]
    if len(masters) > 1:
        raise ICalError("several components without RECURRENCE-ID share one UID")
    master = masters[0] if masters else items[0]
    overrides = [item for item in items if item is not master]
    return CalendarObject(calendar, master, overrides, str(uids.pop()))


def read_source(text: str | None, kind: str, uid: str) -> CalendarObject:
    """The object `text` holds, or an empty `kind` component when there is no text yet.

    Rendering and masking start from this, so "no client text" needs no special case.
    """
    if text:
        return read_object(text)
    return CalendarObject(Component("VCALENDAR"), Component(kind), [], uid)
