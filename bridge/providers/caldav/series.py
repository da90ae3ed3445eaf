"""Calendar objects as events: a single event, or a recurring series' occurrences. Pure, no I/O.

A calendar object (one href) holds one event, or one recurring series: a
master VEVENT with RRULE/RDATE/EXDATE plus overridden occurrences
(VEVENTs with RECURRENCE-ID) sharing its UID. A series is listed as its
occurrences inside the window, expanded with `recurring_ical_events`
(which honours EXDATE and the overrides, moved ones included), never as
its master; each occurrence has the id `href#RECURRENCE-ID` and the
series' etag (see `ids`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator

import icalendar
import recurring_ical_events

from bridge.ical.recurrence import refused_rule
from bridge.ical.times import as_utc, overlaps, recurrence_text
from bridge.providers import ExternalEvent, Moment, NotFound, ProviderError
from bridge.providers.caldav.events import (
    cancelled,
    external_event,
    main_event,
    parse_object,
    vevents,
)
from bridge.providers.caldav.ids import StoredObject, event_id, to_moment

log = logging.getLogger(__name__)

SERIES_PROPERTIES = ("RRULE", "RDATE")

Window = tuple[dt.datetime, dt.datetime]


def is_series(calendar: icalendar.Calendar) -> bool:
    return any(
        "RECURRENCE-ID" in event or any(name in event for name in SERIES_PROPERTIES)
        for event in vevents(calendar)
    )


def holds_series(stored: StoredObject) -> bool:
    """Whether the object is a recurring series (whose occurrences a listing expands)."""
    calendar = parse_object(stored.text)
    return calendar is not None and bool(vevents(calendar)) and is_series(calendar)


def object_events(stored: StoredObject, window: Window, *, any_time: bool) -> list[ExternalEvent]:
    """The events of one object: the single event, or the occurrences of a series in `window`.

    A single event outside `window` is left out unless `any_time` (a change
    the caller must see wherever the event moved to).
    """
    calendar = parse_object(stored.text)
    if calendar is None or not vevents(calendar):
        return []
    if not is_series(calendar):
        single = external_event(vevents(calendar)[0], stored.href, stored.etag, None)
        return [single] if any_time or _overlaps(single, window) else []
    return [
        external_event(occurrence, stored.href, stored.etag, recurrence_text(_rid(occurrence)))
        for occurrence in _occurrences(calendar, window)
    ]


def stored_event(stored: StoredObject, recurrence_id: str | None) -> ExternalEvent:
    """The event (or occurrence override) `recurrence_id` of a stored object."""
    calendar = parse_object(stored.text)
    if calendar is None:
        raise ProviderError(f"{stored.href} is not readable iCalendar")
    target = (
        main_event(calendar) if recurrence_id is None else find_override(calendar, recurrence_id)
    )
    if target is None:
        raise NotFound(f"{stored.href} holds no event {recurrence_id or ''}".rstrip())
    return external_event(target, stored.href, stored.etag, recurrence_id)


def find_override(calendar: icalendar.Calendar, recurrence_id: str) -> icalendar.Component | None:
    for event in vevents(calendar):
        original = event.get("RECURRENCE-ID")
        if original is not None and recurrence_text(to_moment(original.dt)) == recurrence_id:
            return event
    return None


def excluded_occurrences(stored: StoredObject, window: Window) -> list[ExternalEvent]:
    """A `cancelled` event for each EXDATE of the series inside `window`.

    A delta cannot tell which occurrences a changed series lost, but the
    ones its EXDATEs name are certainly gone.
    """
    calendar = parse_object(stored.text)
    master = None if calendar is None else main_event(calendar)
    if master is None:
        return []
    low, high = window
    return [
        cancelled(event_id(stored.href, recurrence_text(moment)), recurrence_text(moment))
        for moment in exdates(master)
        if low <= as_utc(moment) < high
    ]


def exdates(master: icalendar.Component) -> Iterator[Moment]:
    values = master.get("EXDATE", [])
    for value in values if isinstance(values, list) else [values]:
        for item in value.dts:
            yield item.dt


def _occurrences(calendar: icalendar.Calendar, window: Window) -> list[icalendar.Component]:
    refused = refused_rule(calendar.to_ical().decode("utf-8", "replace"))
    if refused:  # expanding it could take forever: a rule that never advances, say
        log.warning("skipping a recurring event whose rule is refused: %s", refused)
        return []
    try:
        return list(recurring_ical_events.of(calendar, skip_bad_series=True).between(*window))
    except ValueError as unreadable:  # the library's InvalidCalendar and friends
        log.warning("skipping a recurring event that cannot be expanded: %s", unreadable)
        return []


def _rid(occurrence: icalendar.Component) -> dt.date:
    """The original start of an expanded occurrence (the library sets RECURRENCE-ID on all)."""
    recurrence_id = occurrence.get("RECURRENCE-ID")
    return recurrence_id.dt if recurrence_id is not None else occurrence["DTSTART"].dt


def _overlaps(event: ExternalEvent, window: Window) -> bool:
    return overlaps(event.start, event.end, window)
