"""events.list: filters, recurring-event expansion, paging and sync tokens.

This is where the bridge's cursor rules are tested, so the contract is
Google's: `nextSyncToken` only on the last page, incremental results hold
every change since the token including cancelled events, parameters that
cannot go with `syncToken` are refused, and an unusable token is 410.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.emulators import google_errors as errors
from tests.emulators.google_http import Call
from tests.emulators.google_recurrence import (
    occurrences,
    parse_rfc3339,
    render_instance,
    span,
)
from tests.emulators.google_store import Calendar, CalendarStore, StoredEvent

NOT_WITH_SYNC_TOKEN = (
    "iCalUID",
    "orderBy",
    "privateExtendedProperty",
    "q",
    "sharedExtendedProperty",
    "timeMin",
    "timeMax",
    "updatedMin",
)
DEFAULT_PAGE = 250
MAX_PAGE = 2500
# Instances of an unbounded series are generated up to this far past "now" when
# no timeMax is given; Google documents no limit, so this is the emulator's.
EXPANSION_HORIZON = timedelta(days=730)
TOMBSTONE_FIELDS = ("kind", "etag", "id", "status", "recurringEventId", "originalStartTime")
ORDERING_UNAVAILABLE = "The requested ordering is not available for the particular query."


@dataclass(frozen=True)
class EventQuery:
    """The events.list parameters, validated the way Google validates them."""

    sync_token: str | None
    page_token: str | None
    max_results: int
    show_deleted: bool
    single_events: bool
    time_min: datetime | None
    time_max: datetime | None
    order_by: str | None
    private: tuple[tuple[str, str], ...]
    shared: tuple[tuple[str, str], ...]
    text: str | None
    ical_uid: str | None
    updated_min: datetime | None

    @classmethod
    def parse(cls, call: Call) -> EventQuery:
        sync_token = call.param("syncToken")
        if sync_token is not None:
            clash = [name for name in NOT_WITH_SYNC_TOKEN if call.param(name) is not None]
            if clash or call.param("showDeleted") == "false":
                raise errors.invalid(
                    "Sync token cannot be used with other request restrictions.",
                    (clash or ["showDeleted"])[0],
                )
        query = cls(
            sync_token=sync_token,
            page_token=call.param("pageToken"),
            max_results=call.page_size(DEFAULT_PAGE, MAX_PAGE),
            show_deleted=_flag(call, "showDeleted"),
            single_events=_flag(call, "singleEvents"),
            time_min=_timestamp(call, "timeMin"),
            time_max=_timestamp(call, "timeMax"),
            order_by=call.param("orderBy"),
            private=_properties(call, "privateExtendedProperty"),
            shared=_properties(call, "sharedExtendedProperty"),
            text=call.param("q"),
            ical_uid=call.param("iCalUID"),
            updated_min=_timestamp(call, "updatedMin"),
        )
        if query.order_by not in (None, "startTime", "updated"):
            raise errors.invalid("Invalid Value", "orderBy")
        if query.order_by == "startTime" and not query.single_events:
            raise errors.invalid(ORDERING_UNAVAILABLE, "orderBy")
        if query.time_min and query.time_max and query.time_min >= query.time_max:
            raise errors.time_range_empty("timeMax")
        return query


def list_events(
    store: CalendarStore, calendar: Calendar, query: EventQuery, now: datetime
) -> dict[str, Any]:
    """One page of events.list; the first page snapshots the whole result set."""

    def first_page() -> list[dict[str, Any]]:
        since = (
            None if query.sync_token is None else store.sync_position(calendar.id, query.sync_token)
        )
        items = list(_select(calendar, query, since, now))
        if query.order_by is not None:
            items.sort(key=lambda item: _order_key(item, query.order_by or ""))
        return items

    items, cursor = store.paginate(
        calendar.id, query.page_token, query.max_results, first_page, sync=True
    )
    return {
        "kind": "calendar#events",
        "etag": f'"p{store.seq:016d}"',
        "summary": calendar.summary,
        "description": "",
        "timeZone": calendar.time_zone,
        "accessRole": "owner",
        "defaultReminders": [],
        "items": items,
        **cursor,
    }


def _select(
    calendar: Calendar, query: EventQuery, since: int | None, now: datetime
) -> Iterator[dict[str, Any]]:
    """The listed items in stable order: changed ones since `since`, or all that match."""
    incremental = since is not None
    exceptions = {
        stored.resource["id"] for stored in calendar.events.values() if _is_exception(stored)
    }
    for stored in calendar.events.values():
        if incremental and stored.seq <= since:
            continue
        for item in _expand(stored.resource, calendar, query, exceptions, now):
            if _visible(item, calendar, query, incremental) and _matches(item, query, incremental):
                yield _tombstone(item) if item.get("status") == "cancelled" else item


def _expand(
    resource: dict[str, Any],
    calendar: Calendar,
    query: EventQuery,
    exceptions: set[str],
    now: datetime,
) -> Iterator[dict[str, Any]]:
    """With singleEvents, a live recurring event becomes its instances without exceptions."""
    if not (query.single_events and "recurrence" in resource and _live(resource)):
        yield copy.deepcopy(resource)
        return
    until = query.time_max or now + EXPANSION_HORIZON
    for occurrence in occurrences(resource, until):
        instance = render_instance(resource, occurrence)
        if instance["id"] not in exceptions:
            yield instance


def _visible(
    item: dict[str, Any], calendar: Calendar, query: EventQuery, incremental: bool
) -> bool:
    """Google's showDeleted rules for cancelled items; incremental results include them all."""
    if _live(item) or incremental:
        return True
    if query.show_deleted:
        return not (query.single_events and "recurrence" in item)
    master = calendar.events.get(item.get("recurringEventId", ""))
    return not query.single_events and master is not None and _live(master.resource)


def _matches(item: dict[str, Any], query: EventQuery, incremental: bool) -> bool:
    if incremental:
        return True
    if (query.time_min or query.time_max) and not _overlaps(item, query):
        return False
    properties = item.get("extendedProperties", {})
    if any(properties.get("private", {}).get(k) != v for k, v in query.private):
        return False
    if any(properties.get("shared", {}).get(k) != v for k, v in query.shared):
        return False
    if query.ical_uid is not None and item.get("iCalUID") != query.ical_uid:
        return False
    if query.updated_min is not None and not _live(item):
        return True  # "entries deleted since this time will always be included"
    if query.updated_min is not None and parse_rfc3339(item["updated"]) < query.updated_min:
        return False
    return query.text is None or query.text.lower() in _searchable(item)


def _overlaps(item: dict[str, Any], query: EventQuery) -> bool:
    """timeMin bounds an event's end, timeMax its start; a series overlaps if an instance does."""
    bounds = span(item)
    if bounds is None:
        return True
    length = bounds[1] - bounds[0]
    return any(
        (query.time_max is None or start < query.time_max)
        and (query.time_min is None or start + length > query.time_min)
        for start in _starts(item, bounds[0], query.time_max)
    )


def _starts(item: dict[str, Any], start: datetime, until: datetime | None) -> Iterator[datetime]:
    if "recurrence" not in item:
        yield start
        return
    for occurrence in occurrences(item, until or datetime.max.replace(tzinfo=UTC)):
        yield occurrence.at


def _tombstone(item: dict[str, Any]) -> dict[str, Any]:
    """A cancelled event as lists show it: Google only guarantees the id (and instance keys)."""
    return {key: item[key] for key in TOMBSTONE_FIELDS if key in item}


def _searchable(item: dict[str, Any]) -> str:
    return " ".join(
        str(item.get(key, "")) for key in ("summary", "description", "location")
    ).lower()


def _order_key(item: dict[str, Any], order_by: str) -> str:
    """Sortable text: `updated` is already RFC 3339 UTC; start instants are made so."""
    if order_by == "updated":
        return item.get("updated", "")
    bounds = span(item)
    return bounds[0].astimezone(UTC).isoformat() if bounds else ""


def _is_exception(stored: StoredEvent) -> bool:
    return "recurringEventId" in stored.resource


def _live(resource: dict[str, Any]) -> bool:
    return resource.get("status") != "cancelled"


def _flag(call: Call, name: str) -> bool:
    value = call.param(name)
    if value not in (None, "true", "false"):
        raise errors.invalid("Invalid Value", name)
    return value == "true"


def _timestamp(call: Call, name: str) -> datetime | None:
    value = call.param(name)
    if value is None:
        return None
    try:
        return parse_rfc3339(value)
    except ValueError as exc:
        raise errors.invalid("Bad Request", name) from exc


def _properties(call: Call, name: str) -> tuple[tuple[str, str], ...]:
    pairs = []
    for constraint in call.params(name):
        key, sep, value = constraint.partition("=")
        if not sep or not key:
            raise errors.invalid("Invalid Value", name)
        pairs.append((key, value))
    return tuple(pairs)
