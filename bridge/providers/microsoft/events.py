"""Graph event resources <-> the contract's `EventDraft` and `ExternalEvent`.

Pure functions, no I/O. The field rules (Graph's event resource):
`uid` is the one iCalendar UID a whole series shares (`iCalUId`, the
fallback, differs per occurrence); `sensitivity` private/confidential is a private event, `showAs`
free/workingElsewhere is free time, `isAllDay` events keep the date part of
their start and end (end exclusive), occurrences and exceptions of a series
carry `seriesMasterId` and `originalStart`, and CalBridge's activity id
travels in a single-value extended property under a GUID of ours
(`STAMP_PROPERTY`), which listings do not return unless expanded.

Attendees are never written: Graph has no switch to create or change a
meeting without mailing its attendees. A draft's attendees go into the body
instead, as a block at its end (`ATTENDEE_BLOCK`), which reading cuts off
again and turns back into attendees, so CalBridge's own events read back
as written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
import zoneinfo
from typing import Any

from bridge.domain import Attendee
from bridge.ical.times import as_utc, recurrence_text, utc
from bridge.providers import EventDraft, ExternalEvent, Moment
from bridge.providers.text import plain_text

STAMP_PROPERTY = "String {2f6c8a4e-5b1d-4c7e-9a3f-6d0b8e1c7a52} Name CalBridgeActivityId"
STAMP_EXPAND = f"singleValueExtendedProperties($filter=id eq '{STAMP_PROPERTY}')"
PRIVATE_SENSITIVITIES = frozenset({"private", "confidential"})
MEETING_MARK = ";meeting"
"""Appended to a meeting's etag (`event_etag`)."""
FREE_SHOW_AS = frozenset({"free", "workingElsewhere"})
PARTSTATS = {
    "accepted": "ACCEPTED",
    "organizer": "ACCEPTED",
    "declined": "DECLINED",
    "tentativelyAccepted": "TENTATIVE",
}
GLOBAL_OBJECT_PREFIX = "040000008200E00074C5B7101A82E008"  # Exchange's global object id class
ATTENDEE_BLOCK = "Attendees (listed here, not invited):"
_BLOCK_LINE = re.compile(r"^- (?:(?P<name>.*?) )?<(?P<email>[^<>\s]+)>$")
_FRACTION = re.compile(r"(\.\d{6})\d+")
_HEAD = re.compile(r"<head\b.*?</head>", re.IGNORECASE | re.DOTALL)

Resource = dict[str, Any]


def transaction_id(idempotency_key: str) -> str:
    """The create's `transactionId`: the same key always gives the same, unique-enough id."""
    return "calbridge-" + hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:40]


def event_body(draft: EventDraft) -> Resource:
    """The event resource a draft becomes (PATCH body; `create_body` adds the create's fields).

    No `attendees`, ever (see the module's note). `isAllDay` events start
    and end at midnight, in UTC like every time CalBridge writes.
    """
    return {
        "subject": draft.summary,
        "body": {"contentType": "text", "content": body_text(draft)},
        "location": {"displayName": draft.location},
        "start": _time(draft.start, draft.all_day),
        "end": _time(draft.end, draft.all_day),
        "isAllDay": draft.all_day,
        "sensitivity": "private" if draft.private else "normal",
        "showAs": "busy" if draft.busy else "free",
        "singleValueExtendedProperties": [
            {"id": STAMP_PROPERTY, "value": str(draft.activity_stamp)}
        ],
    }


def create_body(draft: EventDraft, idempotency_key: str) -> Resource:
    """The POST body: the event, and the `transactionId` that makes a retried create return
    the event the first attempt made."""
    return {**event_body(draft), "transactionId": transaction_id(idempotency_key)}


def body_text(draft: EventDraft) -> str:
    """The description, with the attendees (never invited) listed at its end."""
    if not draft.attendees:
        return draft.description
    lines = [ATTENDEE_BLOCK] + [
        f"- {attendee.name} <{attendee.email}>" if attendee.name else f"- <{attendee.email}>"
        for attendee in draft.attendees
    ]
    block = "\n".join(lines)
    return f"{draft.description}\n\n{block}" if draft.description else block


def external_event(resource: Resource, seen_at: dt.datetime) -> ExternalEvent:
    """The contract's view of a listed or read event (`seen_at`: when, for missing times)."""
    all_day = bool(resource.get("isAllDay"))
    start = _moment(resource["start"], all_day)
    end = _moment(resource["end"], all_day)
    description, listed = split_attendees(_description(resource))
    modified = resource.get("lastModifiedDateTime")
    return ExternalEvent(
        id=resource["id"],
        etag=event_etag(resource),
        uid=series_uid(resource),
        recurrence_id=recurrence_id(resource),
        series_id=resource.get("seriesMasterId"),
        status="cancelled" if resource.get("isCancelled") else "confirmed",
        summary=resource.get("subject") or "",
        description=description,
        location=(resource.get("location") or {}).get("displayName") or "",
        start=start,
        end=end,
        all_day=all_day,
        private=resource.get("sensitivity") in PRIVATE_SENSITIVITIES,
        busy=resource.get("showAs") not in FREE_SHOW_AS,
        attendees=_attendees(resource) + listed,
        activity_stamp=stamp(resource),
        updated=parse_utc(modified) if modified else seen_at,
    )


def series_uid(resource: Resource) -> str:
    """The iCalendar UID the event's whole series shares ("" if Graph gives none).

    Graph's `uid` is that UID. Without it, an occurrence's `iCalUId` is
    Exchange's global object id, whose bytes 16 to 19 hold the occurrence's
    date; zeroed, they give the id of the series ("clean" global object id).
    """
    if resource.get("uid"):
        return str(resource["uid"])
    ical_uid = str(resource.get("iCalUId") or "")
    if resource.get("seriesMasterId") and ical_uid.upper().startswith(GLOBAL_OBJECT_PREFIX):
        return ical_uid[:32] + "00000000" + ical_uid[40:]
    return ical_uid


def removed_event(
    event_id: str, recurrence: str | None, seen_at: dt.datetime, series_id: str | None = None
) -> ExternalEvent:
    """A deleted event: only its id, its occurrence's original start if known, and when."""
    return ExternalEvent.deletion(event_id, recurrence, seen_at, series_id)


def recurrence_id(resource: Resource) -> str | None:
    """An occurrence's or exception's original start as RECURRENCE-ID text; None otherwise."""
    original = resource.get("originalStart")
    if not resource.get("seriesMasterId") or not original:
        return None
    moment = parse_utc(original)
    return recurrence_text(moment.date() if resource.get("isAllDay") else moment)


def stamp(resource: Resource) -> int | None:
    """The activity id stamped into the event, if it was expanded and is there."""
    for prop in resource.get("singleValueExtendedProperties") or ():
        if str(prop.get("id", "")).lower() == STAMP_PROPERTY.lower():
            value = str(prop.get("value", ""))
            return int(value) if value.isdigit() else None
    return None


def has_stamp_property(resource: Resource) -> bool:
    """Whether the resource says anything about the stamp (it was read with `STAMP_EXPAND`)."""
    return "singleValueExtendedProperties" in resource


def has_attendees(resource: Resource) -> bool:
    """Whether the event is a meeting: changing or deleting it would mail its attendees."""
    return bool(resource.get("attendees"))


def event_etag(resource: Resource) -> str:
    """The contract's etag: Graph's, marked when the event is a meeting.

    A write is sent with `If-Match` on Graph's etag, so it only lands on the
    very version that was listed; the mark says whether that version had
    attendees, so a write to a meeting is refused without reading it again,
    and one that gained attendees since fails on the etag.
    """
    etag = str(resource.get("@odata.etag", ""))
    return etag + MEETING_MARK if has_attendees(resource) else etag


def split_etag(etag: str) -> tuple[str, bool]:
    """Graph's etag inside the contract's, and whether that version was a meeting."""
    if etag.endswith(MEETING_MARK):
        return etag.removesuffix(MEETING_MARK), True
    return etag, False


def split_attendees(text: str) -> tuple[str, tuple[Attendee, ...]]:
    """The description without CalBridge's attendee block, and the attendees it listed."""
    head, marker, tail = text.rpartition(ATTENDEE_BLOCK)
    if not marker or (head and not head.endswith("\n\n")):
        return text, ()
    found = []
    for line in tail.strip("\n").splitlines():
        match = _BLOCK_LINE.match(line.strip())
        if match is None:
            return text, ()
        found.append(Attendee(email=match["email"], name=match["name"] or ""))
    return head.removesuffix("\n\n"), tuple(found)


def graph_time(moment: dt.datetime) -> str:
    """A UTC time as Graph's query parameters take it."""
    return utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc(value: str) -> dt.datetime:
    """A Graph timestamp (up to seven fractional digits, `Z` or an offset) in aware UTC."""
    return utc(dt.datetime.fromisoformat(_FRACTION.sub(r"\1", value).replace("Z", "+00:00")))


def _time(moment: Moment, all_day: bool) -> dict[str, str]:
    if all_day:
        day = moment.date() if isinstance(moment, dt.datetime) else moment
        return {"dateTime": f"{day.isoformat()}T00:00:00", "timeZone": "UTC"}
    return {"dateTime": as_utc(moment).strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"}


def _moment(value: Resource, all_day: bool) -> Moment:
    """A dateTimeTimeZone: asked for in UTC, but a named zone is honoured if Graph sends one."""
    local = dt.datetime.fromisoformat(_FRACTION.sub(r"\1", value["dateTime"]).removesuffix("Z"))
    if all_day:
        return local.date()
    zone_name = value.get("timeZone") or "UTC"
    if local.tzinfo is None and zone_name.upper() not in {"UTC", "ETC/UTC", "Z"}:
        # A Windows zone name stays UTC: the UTC preference should have prevented it.
        with contextlib.suppress(zoneinfo.ZoneInfoNotFoundError, ValueError):
            local = local.replace(tzinfo=zoneinfo.ZoneInfo(zone_name))
    return utc(local)


def _description(resource: Resource) -> str:
    body = resource.get("body") or {}
    content = body.get("content") or ""
    if str(body.get("contentType", "text")).lower() == "html":
        return plain_text(_HEAD.sub("", content)).strip()
    return content


def _attendees(resource: Resource) -> tuple[Attendee, ...]:
    found = []
    for item in resource.get("attendees") or ():
        address = (item.get("emailAddress") or {}).get("address")
        if not address:
            continue
        response = (item.get("status") or {}).get("response", "")
        found.append(
            Attendee(
                email=address,
                name=(item.get("emailAddress") or {}).get("name") or "",
                status=PARTSTATS.get(response, "NEEDS-ACTION"),
            )
        )
    return tuple(found)
