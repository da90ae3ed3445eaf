"""Turning stored events into Graph event resources, as the client asked for them.

What a response contains depends on the request: `Prefer: outlook.timezone`
moves start/end into that zone (UTC otherwise), `outlook.body-content-type`
converts the stored HTML body to text, and extended properties appear only
when `$expand=singleValueExtendedProperties($filter=id eq '...')` names them.
"""

from __future__ import annotations

import html
import re
from datetime import UTC
from typing import Any
from urllib.parse import quote

from tests.emulators.microsoft import times
from tests.emulators.microsoft.store import Instance, User
from tests.emulators.microsoft.times import Preferences

EXPAND_PROPERTY = re.compile(r"singleValueExtendedProperties\s*\(\s*\$filter=(.*)\)\s*$", re.I)
ID_EQUALS = re.compile(r"id\s+eq\s+'((?:[^']|'')*)'", re.I)


def text_to_html(text: str) -> str:
    escaped = html.escape(text).replace("\r\n", "\n").replace("\n", "<br>\r\n")
    return (
        '<html>\r\n<head>\r\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        f"\r\n</head>\r\n<body>\r\n{escaped}\r\n</body>\r\n</html>\r\n"
    )


def html_to_text(markup: str) -> str:
    """Roughly what Exchange's converter gives: no head, line breaks kept, entities decoded."""
    body = re.sub(r"(?is)<head.*?</head>|<style.*?</style>|<script.*?</script>", "", markup)
    body = re.sub(r"\r?\n", "", body)
    body = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>|</tr>|</h[1-6]>", "\n", body)
    body = re.sub(r"<[^>]+>", "", body)
    return html.unescape(body).strip("\n").replace("\xa0", " ")


def extended_filter(expand: str | None) -> set[str] | None:
    """Lower-cased property ids named by `$expand`, or None when not expanded."""
    if not expand:
        return None
    match = EXPAND_PROPERTY.search(expand.strip())
    if match is None:
        return None
    return {value.replace("''", "'").lower() for value in ID_EQUALS.findall(match.group(1))}


def event(
    instance: Instance,
    user: User,
    prefs: Preferences,
    *,
    expand: set[str] | None = None,
) -> dict[str, Any]:
    fields = instance.fields
    item = instance.item
    organizer = fields.get("organizer") or {"emailAddress": user.email_address()}
    is_organizer = (organizer.get("emailAddress") or {}).get("address", "").lower() == (
        user.mail.lower()
    )
    body = fields.get("body") or {"contentType": "html", "content": ""}
    text = html_to_text(body["content"]) if body["contentType"] == "html" else body["content"]
    if prefs.body_text:
        body = {"contentType": "text", "content": text}
    resource: dict[str, Any] = {
        "@odata.etag": f'W/"{instance.change_key}"',
        "id": instance.id,
        "createdDateTime": times.timestamp(item.created),
        "lastModifiedDateTime": times.timestamp(instance.modified),
        "changeKey": instance.change_key,
        "categories": fields.get("categories") or [],
        "transactionId": fields.get("transactionId"),
        "originalStartTimeZone": fields.get("originalStartTimeZone"),
        "originalEndTimeZone": fields.get("originalEndTimeZone"),
        "iCalUId": instance.ical_uid,
        "uid": item.ical_uid,
        "reminderMinutesBeforeStart": fields.get("reminderMinutesBeforeStart", 15),
        "isReminderOn": fields.get("isReminderOn", True),
        "hasAttachments": False,
        "subject": fields.get("subject", ""),
        "bodyPreview": re.sub(r"\s+", " ", text).strip()[:255],
        "importance": fields.get("importance", "normal"),
        "sensitivity": fields.get("sensitivity", "normal"),
        "isAllDay": bool(fields.get("isAllDay")),
        "isCancelled": bool(fields.get("isCancelled")),
        "isOrganizer": is_organizer,
        "responseRequested": fields.get("responseRequested", True),
        "seriesMasterId": item.id if instance.type in ("occurrence", "exception") else None,
        "showAs": fields.get("showAs", "busy"),
        "type": instance.type,
        "webLink": "https://outlook.office365.com/owa/?itemid="
        + quote(instance.id, safe="")
        + "&exvsurl=1&path=/calendar/item",
        "onlineMeetingUrl": None,
        "isOnlineMeeting": bool(fields.get("isOnlineMeeting")),
        "onlineMeetingProvider": "unknown",
        "allowNewTimeProposals": fields.get("allowNewTimeProposals", True),
        "isDraft": False,
        "hideAttendees": bool(fields.get("hideAttendees")),
        "responseStatus": {
            "response": "organizer" if is_organizer else "notResponded",
            "time": "0001-01-01T00:00:00Z",
        },
        "body": body,
        "start": _when(fields["start"], bool(fields.get("isAllDay")), prefs),
        "end": _when(fields["end"], bool(fields.get("isAllDay")), prefs),
        "location": fields.get("location") or _empty_location(),
        "locations": fields.get("locations") or [],
        "recurrence": fields.get("recurrence") if instance.type == "seriesMaster" else None,
        "attendees": fields.get("attendees") or [],
        "organizer": organizer,
        "onlineMeeting": None,
    }
    if instance.original_start is not None:
        resource["originalStart"] = times.offset_timestamp(instance.original_start)
    if expand is not None:
        chosen = [
            {"id": prop["id"], "value": prop["value"]}
            for key, prop in instance.extended.items()
            if key in expand
        ]
        if chosen:
            resource["singleValueExtendedProperties"] = chosen
    return resource


def _when(value: dict[str, Any], all_day: bool, prefs: Preferences) -> dict[str, str]:
    name = prefs.timezone or "UTC"
    if all_day:
        # All-day events are floating dates: midnight stays midnight in the asked-for zone.
        local = times.parse_local(value["dateTime"])
        return {"dateTime": times.graph_local(local), "timeZone": name}
    moment = times.instant(value).astimezone(times.zone(name))
    return {
        "dateTime": times.graph_local(moment.replace(tzinfo=None)),
        "timeZone": "UTC" if times.zone(name) is UTC and not prefs.timezone else name,
    }


def _empty_location() -> dict[str, Any]:
    return {
        "displayName": "",
        "locationType": "default",
        "uniqueIdType": "unknown",
        "address": {},
        "coordinates": {},
    }
