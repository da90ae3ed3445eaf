"""What other users see of an activity: a busy block for a private one, no alarms for any.

A private activity's subject, description, location, attendees and links must
never reach another user, so `render_masked` does not filter the real object:
it builds a new one from the activity's times and recurrence rules alone,
under a UID derived one-way from the real one.
"""

from __future__ import annotations

import hashlib
import re

from bridge.domain import Activity, ComponentKind
from bridge.ical.lines import (
    Component,
    Property,
    line_name,
    parse_property,
    parse_tree,
    pruned,
    serialize,
)
from bridge.ical.objects import HEADER, read_source
from bridge.ical.times import dtstamp, source_zone, time_lines

_RECURRENCE = ("RRULE", "RDATE", "EXDATE")
_SOURCE_MARKERS = ("RRULE", "RDATE", "RECURRENCE-ID", "TZID")
_OVERRIDE_TIMES = ("RECURRENCE-ID", "DTSTART", "DTEND", "DURATION")
_TIME_PARAMS = ("TZID", "VALUE", "RANGE")
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
_TIMEZONE_LINES = frozenset({"TZID", "DTSTART", "TZOFFSETFROM", "TZOFFSETTO", "RRULE", "RDATE"})
_TIMEZONE_PARTS = frozenset({"STANDARD", "DAYLIGHT"})


def masked_uid(uid: str) -> str:
    """A stable stand-in for `uid` that reveals nothing of it (its SHA-256, in hex)."""
    return hashlib.sha256(uid.encode()).hexdigest()


def render_masked(activity: Activity) -> str:
    """The busy block: a VEVENT (a VTODO when undated) with times, recurrence and nothing else.

    Overrides of single occurrences keep only their times, so the busy time
    of a recurring series stays right. A dated to-do's recurrence is not
    carried into the event it is masked as.
    """
    kind = ComponentKind.EVENT if activity.due_date is not None else ComponentKind.TODO
    text = activity.ical if _needs_source(activity.ical) else None
    source = read_source(text, kind, activity.uid)
    if source.kind != kind:
        source = read_source(None, kind, activity.uid)
    uid = masked_uid(activity.uid)
    stamp = dtstamp(activity)
    master_times = time_lines(activity, kind, source_zone(source))
    components = [
        _busy(kind, uid, stamp, master_times + _bare_lines(source.master, _RECURRENCE)),
        *(
            _busy(kind, uid, stamp, _bare_lines(override, _OVERRIDE_TIMES))
            for override in source.overrides
        ),
    ]
    timezones = [
        pruned(timezone, _timezone_line, lambda child: child.name in _TIMEZONE_PARTS)
        for timezone in source.timezones_for(components)
    ]
    return serialize(Component("VCALENDAR", list(HEADER), [*timezones, *components]))


def _needs_source(text: str | None) -> bool:
    """Only recurrence and zoned times come from the text; a plain activity's fields suffice."""
    return bool(text) and any(marker in text for marker in _SOURCE_MARKERS)


def without_alarms(text: str) -> str:
    """`text` without its VALARMs: another user's calendar must not ring for your reminders.

    Most texts have no alarm; those are returned as they are, unparsed.
    """
    if "BEGIN:VALARM" not in text.upper():
        return text
    return "".join(
        serialize(pruned(top, _keep, lambda child: child.name != "VALARM"))
        for top in parse_tree(text)
    )


def _busy(kind: ComponentKind, uid: str, stamp: str, times: list[str]) -> Component:
    lines = [f"UID:{uid}", f"DTSTAMP:{stamp}", *times, "SUMMARY:Busy", "CLASS:PRIVATE"]
    if kind is ComponentKind.EVENT:
        lines.append("TRANSP:OPAQUE")
    return Component(kind, lines)


def _bare_lines(component: Component, names: tuple[str, ...]) -> list[str]:
    """The lines called `names`, rebuilt from their time parameters and time values only.

    Nothing free-form survives: X- parameters and X- rule parts are dropped,
    and a line whose value is not made of date, time or rule characters goes.
    """
    bare = []
    for line in component.properties:
        if line_name(line) not in names:
            continue
        prop = parse_property(line)
        params = tuple(pair for pair in prop.params if pair[0] in _TIME_PARAMS)
        value = _rule(prop.value) if prop.name == "RRULE" else prop.value.strip()
        if prop.name == "RRULE" or _TIME_VALUE.fullmatch(value):
            bare.append(Property(prop.name, params, value).line())
    return bare


def _rule(value: str) -> str:
    parts = (part.partition("=") for part in value.upper().split(";"))
    return ";".join(
        f"{key}={rule}"
        for key, _, rule in parts
        if key in _RULE_PARTS and _RULE_VALUE.fullmatch(rule)
    )


def _timezone_line(line: str) -> bool:
    return line_name(line) in _TIMEZONE_LINES


def _keep(_: object) -> bool:
    return True
