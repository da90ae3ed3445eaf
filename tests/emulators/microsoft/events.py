"""Creating, changing and deleting events, with Graph's validation and side effects.

The API and the test hooks (another client such as Outlook editing the
mailbox) share this logic, so both bump change keys and feed delta and
change notifications alike; only API writes by the organizer fill the
outbox, because only those are the bridge's doing.
"""

from __future__ import annotations

import copy
import secrets
from datetime import datetime
from typing import Any

from tests.emulators.clock import Clock
from tests.emulators.microsoft import errors, recurrence, times
from tests.emulators.microsoft.outbox import MEETING_FIELDS, Mail, addresses
from tests.emulators.microsoft.render import text_to_html
from tests.emulators.microsoft.store import (
    ICAL_PREFIX,
    Calendar,
    Instance,
    Item,
    Override,
    Store,
    User,
    new_change_key,
    new_id,
)

WRITABLE = frozenset(
    {
        "subject",
        "body",
        "start",
        "end",
        "isAllDay",
        "sensitivity",
        "showAs",
        "location",
        "locations",
        "attendees",
        "organizer",
        "recurrence",
        "categories",
        "importance",
        "isReminderOn",
        "reminderMinutesBeforeStart",
        "isOnlineMeeting",
        "onlineMeetingProvider",
        "responseRequested",
        "transactionId",
        "hideAttendees",
        "allowNewTimeProposals",
        "isCancelled",
        "singleValueExtendedProperties",
        "multiValueExtendedProperties",
    }
)
READ_ONLY = frozenset(
    {
        "id",
        "createdDateTime",
        "lastModifiedDateTime",
        "changeKey",
        "iCalUId",
        "uid",
        "bodyPreview",
        "type",
        "seriesMasterId",
        "originalStart",
        "originalStartTimeZone",
        "originalEndTimeZone",
        "webLink",
        "isOrganizer",
        "responseStatus",
        "hasAttachments",
        "onlineMeetingUrl",
        "onlineMeeting",
        "isDraft",
    }
)
ENUMS = {
    "sensitivity": ("normal", "personal", "private", "confidential"),
    "showAs": ("free", "tentative", "busy", "oof", "workingElsewhere", "unknown"),
    "importance": ("low", "normal", "high"),
}


class EventService:
    def __init__(self, store: Store, clock: Clock, outbox: list[Mail]) -> None:
        self.store = store
        self.clock = clock
        self.outbox = outbox
        self.transactions: dict[tuple[str, str], tuple[str, str]] = {}

    def create(
        self, calendar: Calendar, body: dict[str, Any], *, via_api: bool
    ) -> tuple[Instance, bool]:
        """A new event (single or series master); True when it was really created.

        A repeated `transactionId` of the same mailbox returns the event the
        first request created instead of a duplicate.
        """
        fields, extended = _normalise(body, creating=True)
        owner = calendar.owner
        if via_api and not calendar.can_edit:
            raise errors.access_denied()
        transaction = fields.get("transactionId")
        if transaction:
            known = self.transactions.get((owner.id, transaction))
            if known and known[1] in self.store.calendars[known[0]].items:
                item = self.store.calendars[known[0]].items[known[1]]
                kind = "seriesMaster" if item.is_master else "singleInstance"
                return Instance(item.id, kind, item), False
        if via_api or "organizer" not in fields:
            fields["organizer"] = {"emailAddress": owner.email_address()}
        now = self.clock.now()
        item = Item(
            id=new_id(),
            calendar_id=calendar.id,
            fields=fields,
            ical_uid=ICAL_PREFIX
            + "00000000"
            + "0" * 16
            + "10000000"
            + secrets.token_hex(16).upper(),
            created=now,
            modified=now,
            change_key=new_change_key(),
            extended=extended,
        )
        calendar.items[item.id] = item
        if transaction:
            self.transactions[(owner.id, transaction)] = (calendar.id, item.id)
        if via_api and _organized_by(fields, owner) and addresses(fields):
            self._mail("invitation", addresses(fields), fields, item.id, owner, "event created")
        self.store.changed(calendar, item.id, "created")
        kind = "seriesMaster" if item.is_master else "singleInstance"
        return Instance(item.id, kind, item), True

    def patch(
        self,
        calendar: Calendar,
        instance_id: str,
        body: dict[str, Any],
        *,
        via_api: bool,
        if_match: str | None = None,
    ) -> Instance:
        instance = self._writable(calendar, instance_id, via_api, if_match)
        changes, extended = _normalise(body, creating=False)
        before = copy.deepcopy(instance.fields)
        now = self.clock.now()
        item = instance.item
        if instance.type in ("occurrence", "exception"):
            if "recurrence" in changes:
                raise errors.invalid_request("An occurrence of a series cannot have a recurrence.")
            assert instance.original_start is not None
            override = item.overrides.get(instance.original_start)
            if override is None:
                override = Override({}, new_change_key(), now)
                override.fields.update({k: instance.fields[k] for k in ("start", "end")})
                item.overrides[instance.original_start] = override
            override.fields.update(changes)
            override.extended.update(extended)
            override.change_key, override.modified = new_change_key(), now
        else:
            if ("recurrence" in changes or "start" in changes) and item.is_master:
                item.overrides.clear()
                item.cancelled.clear()
            item.fields.update({k: v for k, v in changes.items()})
            if item.fields.get("recurrence") is None:
                item.fields.pop("recurrence", None)
            item.extended.update(extended)
            item.touch(now)
        _check_span(item.fields if instance.override is None else instance.fields)
        updated = self.store.instance(calendar, instance_id)
        assert updated is not None
        owner = calendar.owner
        if via_api and _organized_by(before, owner):
            self._meeting_mails(before, updated.fields, updated.id, owner)
        self.store.changed(calendar, instance_id, "updated")
        return updated

    def delete(
        self,
        calendar: Calendar,
        instance_id: str,
        *,
        via_api: bool,
        if_match: str | None = None,
    ) -> None:
        instance = self._writable(calendar, instance_id, via_api, if_match)
        fields, owner = instance.fields, calendar.owner
        if instance.type in ("occurrence", "exception"):
            assert instance.original_start is not None
            instance.item.overrides.pop(instance.original_start, None)
            # The master's change key stays: its other occurrences did not change.
            instance.item.cancelled.add(instance.original_start)
        else:
            del calendar.items[instance.id]
        if via_api and _organized_by(fields, owner) and addresses(fields):
            self._mail(
                "cancellation", addresses(fields), fields, instance.id, owner, "event deleted"
            )
        self.store.changed(calendar, instance_id, "deleted")

    def _writable(
        self, calendar: Calendar, instance_id: str, via_api: bool, if_match: str | None
    ) -> Instance:
        instance = self.store.instance(calendar, instance_id)
        if instance is None:
            raise errors.not_found()
        if via_api and not calendar.can_edit:
            raise errors.access_denied()
        wanted = (if_match or "").strip()
        if wanted and wanted != "*" and wanted != f'W/"{instance.change_key}"':
            raise errors.irreparable_conflict()
        return instance

    def _meeting_mails(
        self, before: dict[str, Any], after: dict[str, Any], event_id: str, owner: User
    ) -> None:
        old, new = set(addresses(before)), addresses(after)
        added = tuple(a for a in new if a not in old)
        removed = tuple(a for a in addresses(before) if a not in set(new))
        kept = tuple(a for a in new if a in old)
        if added:
            self._mail("invitation", added, after, event_id, owner, "attendees added")
        if removed:
            self._mail("cancellation", removed, before, event_id, owner, "attendees removed")
        changed = sorted(f for f in MEETING_FIELDS if before.get(f) != after.get(f))
        if kept and changed:
            self._mail("update", kept, after, event_id, owner, "changed: " + ", ".join(changed))

    def _mail(
        self,
        kind: str,
        to: tuple[str, ...],
        fields: dict[str, Any],
        event_id: str,
        owner: User,
        reason: str,
    ) -> None:
        subject = fields.get("subject", "")
        prefix = {"invitation": "", "update": "Updated: ", "cancellation": "Canceled: "}[kind]
        self.outbox.append(Mail(kind, to, prefix + subject, event_id, owner.mail, reason))


def _organized_by(fields: dict[str, Any], owner: User) -> bool:
    organizer = ((fields.get("organizer") or {}).get("emailAddress") or {}).get("address", "")
    return not organizer or organizer.lower() == owner.mail.lower()


def _normalise(
    body: dict[str, Any], *, creating: bool
) -> tuple[dict[str, Any], dict[str, dict[str, str]]]:
    """Validated stored fields and extended properties from a request body."""
    fields: dict[str, Any] = {}
    extended: dict[str, dict[str, str]] = {}
    for key, value in body.items():
        if key.startswith("@") or "@odata." in key or key in READ_ONLY:
            continue
        if key not in WRITABLE:
            raise errors.body_read(
                f"The property '{key}' does not exist on type 'microsoft.graph.event'. Make sure "
                "to only use property names that are defined by the type or mark the type as "
                "open type."
            )
        if key in ENUMS and value not in ENUMS[key]:
            raise errors.body_read(
                f"Cannot convert the literal '{value}' to the expected type "
                f"'microsoft.graph.{key if key != 'showAs' else 'freeBusyStatus'}'."
            )
        fields[key] = copy.deepcopy(value)
    for prop in fields.pop("singleValueExtendedProperties", None) or []:
        if not isinstance(prop, dict) or not isinstance(prop.get("id"), str):
            raise errors.body_read("Cannot read a singleValueLegacyExtendedProperty without id.")
        extended[prop["id"].lower()] = {"id": prop["id"], "value": str(prop.get("value", ""))}
    fields.pop("multiValueExtendedProperties", None)
    if creating and ("start" not in fields or "end" not in fields):
        raise errors.invalid_request("Your request can't be completed. Start and End are required.")
    for key in ("start", "end"):
        if key in fields:
            times.instant(fields[key])
            fields["original" + key.title() + "TimeZone"] = fields[key].get("timeZone") or "UTC"
            fields[key] = {
                "dateTime": times.graph_local(times.parse_local(fields[key]["dateTime"])),
                "timeZone": fields[key].get("timeZone") or "UTC",
            }
    if "body" in fields:
        body_value = fields["body"] or {}
        content = str(body_value.get("content") or "")
        if str(body_value.get("contentType", "text")).lower() == "text":
            content = text_to_html(content) if content else ""
        fields["body"] = {"contentType": "html", "content": content}
    if fields.get("location") is not None:
        location = fields["location"]
        fields["location"] = {
            "displayName": location.get("displayName", ""),
            "locationType": location.get("locationType", "default"),
            "uniqueId": location.get("uniqueId", location.get("displayName", "")),
            "uniqueIdType": location.get("uniqueIdType", "private"),
        }
    if "attendees" in fields:
        fields["attendees"] = [
            {
                "type": a.get("type", "required"),
                "status": a.get("status") or {"response": "none", "time": "0001-01-01T00:00:00Z"},
                "emailAddress": a.get("emailAddress") or {},
            }
            for a in fields["attendees"] or []
        ]
    if fields.get("recurrence") is not None:
        recurrence.validate(fields["recurrence"])
    if creating:
        _check_span(fields)
    return fields, extended


def _check_span(fields: dict[str, Any]) -> None:
    start: datetime = times.instant(fields["start"])
    if times.instant(fields["end"]) < start:
        raise errors.invalid_request(
            "Your request can't be completed. The end time must be after the start time."
        )
