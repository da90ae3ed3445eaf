"""events.insert/get/patch/update/delete with Google's validation and precondition rules.

These are the rules the bridge's idempotent writes depend on: client-chosen
ids (base32hex, 5-1024 characters, 409 duplicate on reuse), `If-Match`
(412 conditionNotMet), deletes that leave a cancelled event behind (410
deleted on a second delete), and instances of recurring events that become
stored exceptions when they are patched or deleted.
"""

from __future__ import annotations

import base64
import copy
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from tests.emulators import google_errors as errors
from tests.emulators.clock import Clock
from tests.emulators.google_recurrence import (
    occurrences,
    parse_event_time,
    render_instance,
    split_instance_id,
    validate_recurrence,
)
from tests.emulators.google_store import Calendar, CalendarStore, WriteRecord
from tests.emulators.google_times import rfc3339

EVENT_ID = re.compile(r"[a-v0-9]{5,1024}")
SEND_UPDATES = ("all", "externalOnly", "none")
STATUSES = ("confirmed", "tentative", "cancelled")
SERVER_FIELDS = ("kind", "etag", "created", "updated", "htmlLink", "creator", "organizer")
INSTANCE_FIELDS = ("recurringEventId", "originalStartTime")


@dataclass
class EventService:
    """Event writes; `log` receives a record per write (None for the calendar owner's own edits)."""

    store: CalendarStore
    clock: Clock
    log: list[WriteRecord] | None

    def get(self, calendar: Calendar, event_id: str) -> dict[str, Any]:
        """The event; like Google, a deleted event is still returned, with status cancelled."""
        return copy.deepcopy(self._require(calendar, event_id))

    def insert(
        self, calendar: Calendar, body: dict[str, Any], send_updates: str | None
    ) -> dict[str, Any]:
        event_id = body.get("id")
        if event_id is None:
            event_id = base64.b32hexencode(secrets.token_bytes(15)).decode("ascii").lower()
        elif not isinstance(event_id, str) or not EVENT_ID.fullmatch(event_id):
            raise errors.invalid("Invalid resource id value.", "id")
        if event_id in calendar.events:
            raise errors.duplicate()
        eid = base64.urlsafe_b64encode(f"{event_id} {calendar.id}".encode()).decode().rstrip("=")
        resource = {
            "kind": "calendar#event",
            "id": event_id,
            "status": "confirmed",
            "htmlLink": f"https://www.google.com/calendar/event?eid={eid}",
            "created": rfc3339(self.clock.now()),
            "creator": {"email": calendar.owner, "self": True},
            "organizer": {"email": calendar.id, "self": True},
            "iCalUID": f"{event_id}@google.com",
            "sequence": 0,
            "reminders": {"useDefault": True},
            "eventType": "default",
            **_client_fields(body, INSTANCE_FIELDS),
        }
        return self._write("insert", calendar, resource, send_updates)

    def patch(
        self,
        calendar: Calendar,
        event_id: str,
        body: dict[str, Any],
        if_match: str | None,
        send_updates: str | None,
    ) -> dict[str, Any]:
        """Patch semantics: given fields replace, nested objects merge, null removes."""
        current = self._writable(calendar, event_id, if_match)
        merged = _merge(current, _client_fields(body, ("id", "iCalUID", *INSTANCE_FIELDS)))
        return self._write("patch", calendar, merged, send_updates)

    def update(
        self,
        calendar: Calendar,
        event_id: str,
        body: dict[str, Any],
        if_match: str | None,
        send_updates: str | None,
    ) -> dict[str, Any]:
        """Update semantics: the body replaces every client field of the event."""
        current = self._writable(calendar, event_id, if_match)
        kept = ("id", "iCalUID", "sequence", *SERVER_FIELDS, *INSTANCE_FIELDS)
        replaced = {key: current[key] for key in kept if key in current}
        replaced["status"] = "confirmed"
        replaced.update(_client_fields(body, kept))
        return self._write("update", calendar, replaced, send_updates)

    def delete(
        self, calendar: Calendar, event_id: str, if_match: str | None, send_updates: str | None
    ) -> None:
        """Cancel the event (and a recurring event's stored exceptions); 410 if already gone."""
        current = self._require(calendar, event_id)
        if current.get("status") == "cancelled":
            raise errors.deleted()
        _check_if_match(current, if_match)
        _check_send_updates(send_updates)
        cancelled = [current] + [
            stored.resource
            for stored in calendar.events.values()
            if stored.resource.get("recurringEventId") == event_id
            and stored.resource.get("status") != "cancelled"
        ]
        for resource in cancelled:
            tombstone = {**copy.deepcopy(resource), "status": "cancelled"}
            self._write(
                "delete", calendar, tombstone, send_updates if resource is current else None
            )

    def _require(self, calendar: Calendar, event_id: str) -> dict[str, Any]:
        stored = calendar.events.get(event_id)
        resource = stored.resource if stored else self._instance(calendar, event_id)
        if resource is None:
            raise errors.not_found()
        return resource

    def _writable(self, calendar: Calendar, event_id: str, if_match: str | None) -> dict[str, Any]:
        current = self._require(calendar, event_id)
        _check_if_match(current, if_match)
        return copy.deepcopy(current)

    def _instance(self, calendar: Calendar, event_id: str) -> dict[str, Any] | None:
        """An instance of a stored recurring event that has no stored exception yet."""
        parts = split_instance_id(event_id)
        master = calendar.events.get(parts[0]) if parts else None
        if parts is None or master is None or "recurrence" not in master.resource:
            return None
        if master.resource.get("status") == "cancelled":
            return None
        original = parts[1]
        for occurrence in occurrences(master.resource, original + timedelta(seconds=1)):
            if occurrence.at == original:
                return render_instance(master.resource, occurrence)
        return None

    def _write(
        self, method: str, calendar: Calendar, resource: dict[str, Any], send_updates: str | None
    ) -> dict[str, Any]:
        _check_send_updates(send_updates)
        _validate(resource)
        for name in ("start", "end", "originalStartTime"):
            if name in resource:  # Google answers with RFC 3339 offsets, whatever was sent
                resource[name] = parse_event_time(resource[name]).render()
        if self.log is not None:
            self.log.append(WriteRecord(method, calendar.id, resource["id"], send_updates))
        return copy.deepcopy(self.store.save(calendar, resource))


def _client_fields(body: dict[str, Any], ignored: tuple[str, ...]) -> dict[str, Any]:
    """The body without fields the server owns, which clients may echo back harmlessly."""
    return {k: copy.deepcopy(v) for k, v in body.items() if k not in (*SERVER_FIELDS, *ignored)}


def _merge(target: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    for key, value in changes.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value
    return target


def _check_if_match(current: dict[str, Any], if_match: str | None) -> None:
    if if_match is not None and if_match not in ("*", current.get("etag")):
        raise errors.condition_not_met()


def _check_send_updates(send_updates: str | None) -> None:
    if send_updates is not None and send_updates not in SEND_UPDATES:
        raise errors.invalid("Invalid Value", "sendUpdates")


def _validate(resource: dict[str, Any]) -> None:
    """The field checks events.insert/update/patch apply to the resulting event."""
    if resource.get("status") not in STATUSES:
        raise errors.invalid("Invalid Value", "status")
    for name in ("start", "end"):
        if not isinstance(resource.get(name), dict):
            raise errors.required(f"Missing {name} time.", name)
    try:
        start = parse_event_time(resource["start"])
        end = parse_event_time(resource["end"])
    except (ValueError, KeyError, TypeError) as exc:
        raise errors.invalid(f"Invalid time value: {exc}", "start") from exc
    if start.all_day != end.all_day:
        raise errors.invalid("Start and end must both be date or both be dateTime.", "end")
    if end.at < start.at or (start.all_day and end.at == start.at):
        raise errors.time_range_empty("end")
    if "recurrence" not in resource:
        return
    if not start.all_day and not resource["start"].get("timeZone"):
        raise errors.required("Missing time zone definition for start time.", "start.timeZone")
    try:
        validate_recurrence(resource)
    except (ValueError, TypeError) as exc:
        raise errors.invalid("Invalid recurrence rule.", "recurrence") from exc
