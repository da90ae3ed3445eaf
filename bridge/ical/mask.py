"""What other users see of an activity: busy blocks for what is private, no alarms for any.

A private activity's subject, description, location, attendees and links must
never reach another user, so `render_masked` does not filter the real object:
it builds a new one from the activity's times and recurrence rules alone,
under a UID derived one-way, with a server key, from the real one. Privacy
belongs to each component: one occurrence of a public series marked private
reaches colleagues as busy time only (`colleague_view`).
"""

from __future__ import annotations

import hashlib
import hmac
import re

from bridge.domain import Activity, ComponentKind
from bridge.ical.lines import Component, parse_tree, pruned, serialize
from bridge.ical.masktimes import MaskedTimes
from bridge.ical.objects import HEADER, PRIVATE_CLASSES, read_object, read_source
from bridge.ical.times import dtstamp, time_lines

_RECURRENCE = ("RRULE", "RDATE", "EXDATE")
_SOURCE_MARKERS = ("RRULE", "RDATE", "RECURRENCE-ID", "TZID")
_OVERRIDE_TIMES = ("RECURRENCE-ID", "DTSTART", "DTEND", "DURATION")
_COMPONENT_TIMES = (*_OVERRIDE_TIMES, "DUE", *_RECURRENCE)
_PRIVATE_LINE = re.compile(
    r"^CLASS[;:][^\r\n]*(?:PRIVATE|CONFIDENTIAL)", re.IGNORECASE | re.MULTILINE
)
"""Where a text may hold a private component; parsing then decides."""
_FOLDED = re.compile(r"\r?\n[ \t]")
_UTC_STAMP = re.compile(r"[0-9]{8}T[0-9]{6}Z")
_NO_STAMP = "19700101T000000Z"


def masked_uid(uid: str, key: bytes) -> str:
    """A stable stand-in for `uid` that reveals nothing of it: its HMAC-SHA256 under `key`.

    A plain hash would not do: UIDs are often guessable (``demo-7@calbridge``),
    and hashing guesses would confirm them. `key` is the server's masking
    key (`bridge.secrets.masking_key`).
    """
    return hmac.new(key, uid.encode(), hashlib.sha256).hexdigest()


def render_masked(activity: Activity, key: bytes, kind: ComponentKind | None = None) -> str:
    """The busy block: a VEVENT (a VTODO when undated) with times, recurrence and nothing else.

    Overrides of single occurrences keep only their times, so the busy time
    of a recurring series stays right. A dated to-do's recurrence is not
    carried into the event it is masked as. A CalDAV collection passes the
    `kind` its listing names the item by, so that a query's filter finds in
    the text the component it was told of.
    """
    if kind is None:
        kind = ComponentKind.EVENT if activity.due_date is not None else ComponentKind.TODO
    text = activity.ical if _needs_source(activity.ical) else None
    source = read_source(text, kind, activity.uid)
    if source.kind != kind:
        source = read_source(None, kind, activity.uid)
    uid = masked_uid(activity.uid, key)
    stamp = dtstamp(activity)
    times = MaskedTimes(source)
    master_times = time_lines(activity, kind, times.zone)
    components = [
        _busy(kind, uid, stamp, master_times + times.lines(source.master, _RECURRENCE)),
        *(
            _busy(kind, uid, stamp, times.lines(override, _OVERRIDE_TIMES))
            for override in source.overrides
        ),
    ]
    timezones = times.timezones_for(components)
    return serialize(Component("VCALENDAR", list(HEADER), [*timezones, *components]))


def colleague_view(text: str) -> str:
    """A public activity's text as colleagues get it: no alarms, private components masked.

    Each VEVENT or VTODO marked PRIVATE or CONFIDENTIAL becomes busy time
    under the series' UID (which is public), its times in UTC; a VTIMEZONE
    that only such a component used goes with it. Texts with no private
    component are only stripped of their alarms.
    """
    if not _PRIVATE_LINE.search(_FOLDED.sub("", text)):
        return without_alarms(text)
    source = read_object(text)
    times = MaskedTimes(source, keep_series_zone=False)
    components = [
        _masked_component(child, source.uid, times)
        if _is_private(child)
        else pruned(child, _keep, lambda grandchild: grandchild.name != "VALARM")
        for child in source.calendar.children
        if child.name != "VTIMEZONE"
    ]
    timezones = source.timezones_for(components)
    return serialize(Component("VCALENDAR", source.calendar.properties, [*timezones, *components]))


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


def _is_private(component: Component) -> bool:
    if component.name not in (ComponentKind.EVENT, ComponentKind.TODO):
        return False
    found = component.first("CLASS")
    return found is not None and found.value.strip().upper() in PRIVATE_CLASSES


def _masked_component(component: Component, uid: str, times: MaskedTimes) -> Component:
    found = component.first("DTSTAMP")
    stamp = found.value.strip() if found is not None else ""
    return _busy(
        ComponentKind(component.name),
        uid,
        stamp if _UTC_STAMP.fullmatch(stamp) else _NO_STAMP,
        times.lines(component, _COMPONENT_TIMES),
    )


def _keep(_: object) -> bool:
    return True
