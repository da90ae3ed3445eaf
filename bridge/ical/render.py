"""Activity -> the VCALENDAR text calendars receive.

Rendering starts from the text a client last wrote (`Activity.ical`) and
rewrites only what the CRM models, so alarms, X- properties, attendee
parameters, recurrence rules and overrides survive a CRM edit. The output is
a pure function of the activity (timestamps come from `updated_at`, never the
clock, and the property order is fixed), so an unchanged activity renders to
the same bytes and its ETag stays put.
"""

from __future__ import annotations

import re

from bridge.domain import Activity, ActivityType, ComponentKind
from bridge.ical.attendees import attendee_lines
from bridge.ical.lines import (
    Component,
    Property,
    escape_text,
    line_name,
    parse_property,
    quote_param,
    serialize,
    unescape_text,
)
from bridge.ical.objects import HEADER, CalendarObject, read_source
from bridge.ical.times import dtstamp, source_zone, time_lines, utc_stamp
from bridge.ical.xprops import DEFINED, DONE, LINKS, TRANSP, TYPE, TYPE_CATEGORY

_MODELLED = frozenset(
    {
        "UID",
        "DTSTAMP",
        "DTSTART",
        "DTEND",
        "DUE",
        "DURATION",
        "SUMMARY",
        "LOCATION",
        "DESCRIPTION",
        "CLASS",
        "TRANSP",
        "STATUS",
        "COMPLETED",
        "PERCENT-COMPLETE",
        "ATTENDEE",
        "LAST-MODIFIED",
    }
)
"""Master properties rewritten from the activity; every other line is carried over.

So are CalBridge's own X- properties (`xprops.DEFINED`) and its CATEGORIES
line for the activity type; the client's categories are the client's.
"""
_TIME_PARAMS = frozenset({"TZID", "VALUE"})
"""The parameters of a time line that rendering writes; the client's others are kept."""
_CATEGORY_SEPARATOR = re.compile(r"(?<!\\),")
_CALENDAR_MODELLED = frozenset({"PRODID", "VERSION", "METHOD"})
"""METHOD is dropped too: RFC 4791 forbids it in a stored calendar object."""


def component_kind(activity: Activity, activity_type: ActivityType) -> ComponentKind:
    """VTODO for undated activities and to-do types, VEVENT otherwise."""
    if activity.due_date is None or activity_type.kind is ComponentKind.TODO:
        return ComponentKind.TODO
    return ComponentKind.EVENT


def render(activity: Activity, activity_type: ActivityType) -> str:
    """The activity as one VCALENDAR object; raises ICalError if `activity.ical` is unreadable.

    When the component kind changes (an event whose type became a to-do type),
    the master keeps its unmodelled lines and subcomponents but overrides of
    single occurrences are dropped, their times meaning something else there.
    """
    kind = component_kind(activity, activity_type)
    source = read_source(activity.ical, kind, activity.uid)
    same_kind = source.kind == kind
    master = Component(
        kind,
        [
            *_modelled_lines(activity, activity_type, kind, source, same_kind),
            *filter(_carried, source.master.properties),
        ],
        list(source.master.children),
    )
    overrides = [_with_uid(override, activity.uid) for override in source.overrides]
    components = [master, *overrides] if same_kind else [master]
    calendar_lines = [
        line for line in source.calendar.properties if line_name(line) not in _CALENDAR_MODELLED
    ]
    return serialize(
        Component(
            "VCALENDAR",
            [*HEADER, *calendar_lines],
            [*source.timezones_for(components), *components],
        )
    )


def _carried(line: str) -> bool:
    name = line_name(line)
    if name == "CATEGORIES":
        return parse_property(line).param(TYPE_CATEGORY) is None
    return name not in _MODELLED and name not in DEFINED


def _modelled_lines(
    activity: Activity,
    activity_type: ActivityType,
    kind: ComponentKind,
    source: CalendarObject,
    same_kind: bool,
) -> list[str]:
    """The master's modelled properties, in a fixed order."""
    zone = source_zone(source)
    stamp = dtstamp(activity)
    lines = [f"UID:{activity.uid}", f"DTSTAMP:{stamp}"]
    lines += _with_client_params(time_lines(activity, kind, zone), source.master)
    for name, text in (
        ("SUMMARY", activity.subject),
        ("LOCATION", activity.location),
        ("DESCRIPTION", activity.public_description),
    ):
        if text:
            lines.append(f"{name}:{escape_text(text)}")
    lines.append(f"CLASS:{'PRIVATE' if activity.private else 'PUBLIC'}")
    if kind is ComponentKind.EVENT:
        lines.append(f"TRANSP:{'OPAQUE' if activity.busy else 'TRANSPARENT'}")
    lines += _status_lines(activity, kind, source.master if same_kind else None)
    lines += attendee_lines(activity.attendees, source.master)
    lines += _type_category(activity, activity_type, source.master)
    if (activity.updated_at or activity.created_at) is not None:
        lines.append(f"LAST-MODIFIED:{stamp}")  # the same last change DTSTAMP shows
    lines.append(f"{TYPE}:{escape_text(activity.type_key)}")
    for field, name in LINKS:
        value = getattr(activity, field)
        if value is not None:
            lines.append(f"{name}:{value}")
    if kind is ComponentKind.EVENT and activity.done:
        lines.append(f"{DONE}:TRUE")
    if kind is ComponentKind.TODO and not activity.busy:
        lines.append(f"{TRANSP}:TRANSPARENT")
    return lines


def _with_client_params(lines: list[str], source: Component) -> list[str]:
    """Time lines with the parameters the client gave the same property (X- ones, say)."""
    kept = []
    for line in lines:
        found = source.first(line_name(line))
        extra = (
            ()
            if found is None
            else tuple(pair for pair in found.params if pair[0] not in _TIME_PARAMS)
        )
        if extra:
            prop = parse_property(line)
            line = Property(prop.name, prop.params + extra, prop.value).line()
        kept.append(line)
    return kept


def _type_category(activity: Activity, activity_type: ActivityType, source: Component) -> list[str]:
    """CalBridge's CATEGORIES line for the type, unless the client's categories name it."""
    name = activity_type.name
    if not name:
        return []
    wanted = name.casefold()
    for line in filter(_carried, source.lines("CATEGORIES")):
        values = _CATEGORY_SEPARATOR.split(parse_property(line).value)
        if any(unescape_text(value).strip().casefold() == wanted for value in values):
            return []
    return [f"CATEGORIES;{TYPE_CATEGORY}={quote_param(activity.type_key)}:{escape_text(name)}"]


def _status_lines(activity: Activity, kind: ComponentKind, source: Component | None) -> list[str]:
    """STATUS (and for to-dos COMPLETED, PERCENT-COMPLETE): done wins, else the client's.

    `source` is the client's master when it has the same kind, else None.
    """
    if kind is ComponentKind.TODO and activity.done:
        completed = [f"COMPLETED:{utc_stamp(activity.done_at)}"] if activity.done_at else []
        return ["STATUS:COMPLETED", *completed, "PERCENT-COMPLETE:100"]
    if source is None:
        return []
    kept = [line for line in source.lines("STATUS") if not _value_is(line, "COMPLETED")]
    if kind is ComponentKind.TODO:
        kept += [line for line in source.lines("PERCENT-COMPLETE") if not _value_is(line, "100")]
    return kept


def _value_is(line: str, value: str) -> bool:
    return parse_property(line).value.strip().upper() == value


def _with_uid(component: Component, uid: str) -> Component:
    lines = [f"UID:{uid}" if line_name(line) == "UID" else line for line in component.properties]
    return Component(component.name, lines, component.children)
