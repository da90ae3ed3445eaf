"""The activity and record forms' fields: what a person typed, turned into the API's bodies.

A posted form holds strings only. They are turned into the JSON-shaped
body the CRM API accepts and read by the API's own readers
(`bridge.web.api_crm_json`), so a form means exactly what the same values
mean to the API and is refused for the same reasons, naming the same
fields. Two things are the form's own: dates and times are typed in the
user's time zone (the API speaks UTC), and attendees are typed one a line.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from bridge.crm_service import ActivityChanges, FieldError
from bridge.domain import Activity, Attendee
from bridge.web.api_crm_json import activity_changes
from bridge.web.pages.zones import local_when

_ATTENDEE = re.compile(
    r"(?:(?P<name>[^<>]*?)\s*<(?P<email>[^<>]*)>|(?P<bare>[^\s<>]+))(?:\s+(?P<status>[A-Za-z-]+))?"
)
_WHOLE = re.compile(r"-?[0-9]{1,19}")
_DECIMAL = re.compile(r"-?[0-9]{1,15}(\.[0-9]{1,6})?")


def json_number(text: str) -> object:
    """A number typed into a form as the API would receive it: int, float, None when blank.

    Anything else is handed on as the string it is, so the API's reader
    refuses it with its own message and field name.
    """
    text = text.strip()
    if not text:
        return None
    if _WHOLE.fullmatch(text):
        return int(text)
    if _DECIMAL.fullmatch(text):
        return float(text)
    return text


def attendee_line(attendee: Attendee) -> str:
    """`Name <email>`, followed by the reply when there is one."""
    line = f"{attendee.name} <{attendee.email}>" if attendee.name else attendee.email
    if attendee.status != "NEEDS-ACTION":
        line += f" {attendee.status.lower()}"
    return line


def attendee_items(text: str) -> list[dict[str, str]]:
    """The attendees typed one a line (`Name <email> [reply]`), as the API's objects."""
    items: list[dict[str, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        found = _ATTENDEE.fullmatch(line.strip())
        if found is None:
            raise FieldError("attendees", f"line {number} is not “Name <email>” or an address")
        item = {"email": found["email"] or found["bare"] or "", "name": found["name"] or ""}
        if found["status"]:
            item["status"] = found["status"].upper()
        items.append(item)
    return items


@dataclass(frozen=True)
class ActivityForm:
    """The activity form's values as the page shows them: strings, times in the user's zone."""

    subject: str = ""
    type: str = ""
    date: str = ""
    time: str = ""
    duration_minutes: str = ""
    all_day: bool = False
    busy: str = "busy"
    private: str = "everyone"
    location: str = ""
    description: str = ""
    note: str = ""
    deal_id: str = ""
    person_id: str = ""
    org_id: str = ""
    participant_ids: tuple[str, ...] = ()
    attendees: str = ""

    @classmethod
    def posted(cls, fields: Iterable[tuple[str, str]]) -> ActivityForm:
        """The form as posted; a repeated name (the participants) keeps every value."""
        single: dict[str, str] = {}
        participants: list[str] = []
        for name, value in fields:
            if name == "participant_ids":
                participants.append(value)
            else:
                single[name] = value
        texts = {
            name: single[name]
            for name in cls.__dataclass_fields__
            if name in single and name not in ("all_day", "participant_ids")
        }
        return cls(
            **texts,  # type: ignore[arg-type]
            all_day=single.get("all_day") == "on",
            participant_ids=tuple(participants),
        )

    @classmethod
    def of(cls, activity: Activity, zone: dt.tzinfo) -> ActivityForm:
        """An activity's values, its times shown in `zone`."""
        day, time = activity.due_date, ""
        if day is not None and activity.due_time is not None:
            day, time = local_when(day, activity.due_time, zone)
        return cls(
            subject=activity.subject,
            type=activity.type_key,
            date=day.isoformat() if day else "",
            time=time,
            duration_minutes=_minutes(activity.duration),
            all_day=activity.is_all_day,
            busy="busy" if activity.busy else "free",
            private="private" if activity.private else "everyone",
            location=activity.location,
            description=activity.public_description,
            note=activity.note,
            deal_id=_text_id(activity.deal_id),
            person_id=_text_id(activity.person_id),
            org_id=_text_id(activity.org_id),
            participant_ids=tuple(str(item) for item in activity.participant_ids),
            attendees="\n".join(attendee_line(item) for item in activity.attendees),
        )

    def body(self) -> dict[str, object]:
        """The API body these values make; times are still in the user's zone."""
        if self.date and not self.time and not self.all_day:
            raise FieldError("time", "is needed unless the activity lasts all day")
        body: dict[str, object] = {
            "subject": self.subject,
            "date": self.date or None,
            "time": self.time or None,
            "duration_minutes": json_number(self.duration_minutes),
            "busy": {"busy": True, "free": False}.get(self.busy, self.busy),
            "private": {"private": True, "everyone": False}.get(self.private, self.private),
            "location": self.location,
            "description": self.description,
            "note": self.note,
            "deal_id": json_number(self.deal_id),
            "person_id": json_number(self.person_id),
            "org_id": json_number(self.org_id),
            "participant_ids": [json_number(item) for item in self.participant_ids],
            "attendees": attendee_items(self.attendees),
        }
        if self.type:
            body["type"] = self.type
        if self.all_day:
            body["all_day"] = True
        return body

    def changes(self, zone: dt.tzinfo) -> ActivityChanges:
        """What saving these values changes, read by the API's reader, times made UTC."""
        changes = activity_changes(self.body())
        values = changes.values
        day, time = values.get("due_date"), values.get("due_time")
        if isinstance(day, dt.date) and isinstance(time, dt.time):
            moment = dt.datetime.combine(day, time, zone).astimezone(dt.UTC)
            values["due_date"], values["due_time"] = moment.date(), moment.time()
        return changes


def _minutes(duration: dt.timedelta | None) -> str:
    return "" if duration is None else str(int(duration.total_seconds() // 60))


def _text_id(record_id: int | None) -> str:
    return "" if record_id is None else str(record_id)


def error_text(error: FieldError, label: str) -> str:
    """The error as a person reads it: the field's label in place of its API name."""
    return f"{label}: {str(error).removeprefix(error.field).strip()}"
