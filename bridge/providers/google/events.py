"""Google event resources <-> the contract's `EventDraft` and `ExternalEvent`.

Pure functions, no I/O. The field rules (Google's Event resource):
`visibility` private/confidential is a private event, `transparency`
transparent is free time, all-day events use `date` (end exclusive) and
timed ones `dateTime`, instances of recurring events carry
`originalStartTime`, and CalBridge's activity id travels in the private
extended property `calbridgeActivity`, invisible to other attendees.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from typing import Any

from bridge.domain import Attendee
from bridge.ical.times import as_utc, recurrence_text, utc
from bridge.providers import EventDraft, ExternalEvent, Moment
from bridge.providers.text import plain_text

STAMP_PROPERTY = "calbridgeActivity"
PRIVATE_VISIBILITIES = frozenset({"private", "confidential"})
# iCalendar PARTSTAT <-> Google's attendee responseStatus
RESPONSES = {
    "NEEDS-ACTION": "needsAction",
    "ACCEPTED": "accepted",
    "DECLINED": "declined",
    "TENTATIVE": "tentative",
}
PARTSTATS = {google: ical for ical, google in RESPONSES.items()}

Resource = dict[str, Any]


def event_id_for(idempotency_key: str) -> str:
    """The client-chosen event id for a create: the same key always gives the same id.

    Google accepts ids of 5 to 1024 characters from base32hex (a-v, 0-9); a
    SHA-256 of the key in lower-case base32hex is 52 of them, for any key.
    """
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).digest()
    return base64.b32hexencode(digest).decode("ascii").rstrip("=").lower()


def event_body(draft: EventDraft) -> Resource:
    """The Event resource a draft becomes (events.insert body, without the id).

    No `iCalUID`: Google asks for either a client id or an iCalUID at
    creation, and the id is what makes creates idempotent; the activity is
    recognised through its stamp instead.
    """
    return {
        "summary": draft.summary,
        "description": draft.description,
        "location": draft.location,
        "start": _time(draft.start, draft.all_day),
        "end": _time(draft.end, draft.all_day),
        "visibility": "private" if draft.private else "default",
        "transparency": "opaque" if draft.busy else "transparent",
        "attendees": [_attendee_resource(attendee) for attendee in draft.attendees],
        "extendedProperties": {"private": {STAMP_PROPERTY: str(draft.activity_stamp)}},
    }


def patch_body(draft: EventDraft) -> Resource:
    """The events.patch body: the draft's fields, and `null` for the other time form.

    Patch merges nested objects, so a timed event becoming all-day (or back)
    must drop its old `dateTime` (or `date`) explicitly.
    """
    body = event_body(draft)
    dropped = "dateTime" if draft.all_day else "date"
    return body | {name: {**body[name], dropped: None} for name in ("start", "end")}


def external_event(resource: Resource, seen_at: dt.datetime) -> ExternalEvent:
    """The contract's view of a listed or returned event.

    A cancelled event in a listing is a tombstone holding little more than
    its id; its `updated` is then `seen_at` (when the listing was read), the
    latest the deletion can have happened, and its times its original start
    when it was an occurrence.
    """
    cancelled = resource.get("status") == "cancelled"
    original = resource.get("originalStartTime")
    if cancelled and "start" not in resource:
        moment: Moment = _moment(original) if original else seen_at
        start, end, all_day = moment, moment, not isinstance(moment, dt.datetime)
    else:
        start, end = _moment(resource["start"]), _moment(resource["end"])
        all_day = "date" in resource["start"]
    updated = resource.get("updated")
    return ExternalEvent(
        id=resource["id"],
        etag=resource.get("etag", ""),
        uid=resource.get("iCalUID", ""),
        recurrence_id=recurrence_text(_moment(original)) if original else None,
        series_id=resource.get("recurringEventId"),
        status="cancelled" if cancelled else "confirmed",
        summary=resource.get("summary", ""),
        description=plain_text(resource.get("description", "")),
        location=resource.get("location", ""),
        start=start,
        end=end,
        all_day=all_day,
        private=resource.get("visibility") in PRIVATE_VISIBILITIES,
        busy=resource.get("transparency") != "transparent",
        attendees=_attendees(resource),
        activity_stamp=_stamp(resource),
        updated=utc(dt.datetime.fromisoformat(updated)) if updated else seen_at,
    )


def rfc3339(moment: dt.datetime) -> str:
    """A UTC timestamp as Google's query parameters and `dateTime` fields take it."""
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _time(moment: Moment, all_day: bool) -> dict[str, str]:
    if all_day:
        day = moment.date() if isinstance(moment, dt.datetime) else moment
        return {"date": day.isoformat()}
    return {"dateTime": rfc3339(as_utc(moment))}


def _moment(value: Resource) -> Moment:
    if "date" in value:
        return dt.date.fromisoformat(value["date"])
    return utc(dt.datetime.fromisoformat(value["dateTime"]))


def _stamp(resource: Resource) -> int | None:
    value = resource.get("extendedProperties", {}).get("private", {}).get(STAMP_PROPERTY, "")
    return int(value) if value.isdigit() else None


def _attendees(resource: Resource) -> tuple[Attendee, ...]:
    return tuple(_attendee(item) for item in resource.get("attendees", ()) if "email" in item)


def _attendee(item: Resource) -> Attendee:
    status = PARTSTATS.get(item.get("responseStatus", ""), "NEEDS-ACTION")
    return Attendee(email=item["email"], name=item.get("displayName", ""), status=status)


def _attendee_resource(attendee: Attendee) -> Resource:
    status = RESPONSES.get(attendee.status, "needsAction")
    resource = {"email": attendee.email, "responseStatus": status}
    return resource | ({"displayName": attendee.name} if attendee.name else {})
