"""The CRM API's JSON: reading activity, deal, person and organization bodies, and writing them.

Each body is checked field by field before anything is stored: an unknown
field, a value of the wrong JSON type, a malformed date or an oversized
string is refused with a `FieldError` naming the field (400 with
`{"error": "<field> ...", "field": "<field>"}`). Times are UTC: `time` is
`HH:MM[:SS]`, `end` and the `from`/`to` filters take ISO dates or date-times
(with an offset, or UTC without one).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import TypeVar

from starlette.datastructures import QueryParams

from bridge.crm_service import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    ActivityChanges,
    ActivityFilter,
    FieldError,
    Shown,
)
from bridge.domain import FIRST_DAY, LAST_DAY, Attendee, Deal, Organization, Person
from bridge.store.activity_lists import SortOrder, SyncFilter

MAX_SUBJECT = 500
MAX_LOCATION = 1000
MAX_TEXT = 20_000
MAX_PARTICIPANTS = 100
MAX_ATTENDEES = 200
MAX_DURATION_MINUTES = 366 * 24 * 60
MAX_ID = 2**63 - 1
ATTENDEE_STATUSES = ("NEEDS-ACTION", "ACCEPTED", "DECLINED", "TENTATIVE", "DELEGATED")
_TYPE_KEY = re.compile(r"[A-Za-z0-9_-]{1,32}")
_TIME = re.compile(r"[0-9]{2}:[0-9]{2}(:[0-9]{2})?")
_CURRENCY = re.compile(r"[A-Z]{3}")
T = TypeVar("T")

# -- activities -------------------------------------------------------------------

ACTIVITY_FIELDS = (
    "subject",
    "type",
    "date",
    "time",
    "duration_minutes",
    "end",
    "all_day",
    "busy",
    "private",
    "location",
    "description",
    "note",
    "deal_id",
    "person_id",
    "org_id",
    "participant_ids",
    "attendees",
    "done",
)
READ_ONLY = ("id", "owner", "uid", "created_at", "updated_at", "done_at", "revision", "href")


def activity_changes(body: Mapping[str, object]) -> ActivityChanges:
    """The fields of a POST or PATCH body; absent fields are left as they are."""
    for name in body:
        if name not in ACTIVITY_FIELDS:
            if name in READ_ONLY:
                raise FieldError(name, "is read-only")
            raise FieldError(name, "is not a field of an activity")
    changes = ActivityChanges()
    values = changes.values
    if "subject" in body:
        subject = _text(body, "subject", MAX_SUBJECT)
        if not subject.strip():
            raise FieldError("subject", "must not be empty")
        values["subject"] = subject
    if "type" in body:
        key = _text(body, "type", 32)
        if not _TYPE_KEY.fullmatch(key):
            raise FieldError("type", f"must be an activity type key, not {key!r}")
        values["type_key"] = key
    if "date" in body:
        values["due_date"] = _optional(body, "date", _date)
    if "time" in body:
        values["due_time"] = _optional(body, "time", _time)
    if "duration_minutes" in body:
        minutes = _optional(body, "duration_minutes", _whole)
        if minutes is not None and not 0 <= minutes <= MAX_DURATION_MINUTES:
            raise FieldError("duration_minutes", f"must be from 0 to {MAX_DURATION_MINUTES}")
        values["duration"] = None if minutes is None else dt.timedelta(minutes=minutes)
    if "end" in body:
        if "duration_minutes" in body:
            raise FieldError("end", "and duration_minutes cannot both be given")
        changes.has_end = True
        changes.end = _optional(body, "end", _moment)
    if "all_day" in body:
        changes.all_day = _bool(body, "all_day")
    for name in ("busy", "private", "done"):
        if name in body:
            values[name] = _bool(body, name)
    if "location" in body:
        values["location"] = _text(body, "location", MAX_LOCATION)
    if "description" in body:
        values["public_description"] = _text(body, "description", MAX_TEXT)
    if "note" in body:
        values["note"] = _text(body, "note", MAX_TEXT)
    for name in ("deal_id", "person_id", "org_id"):
        if name in body:
            values[name] = _optional(body, name, _id)
    if "participant_ids" in body:
        values["participant_ids"] = _participants(body["participant_ids"])
    if "attendees" in body:
        values["attendees"] = _attendees(body["attendees"])
    return changes


def _participants(value: object) -> list[int]:
    if not isinstance(value, list) or len(value) > MAX_PARTICIPANTS:
        raise FieldError(
            "participant_ids", f"must be a list of at most {MAX_PARTICIPANTS} person ids"
        )
    return list(dict.fromkeys(_id("participant_ids", item) for item in value))


def _attendees(value: object) -> list[Attendee]:
    if not isinstance(value, list) or len(value) > MAX_ATTENDEES:
        raise FieldError("attendees", f"must be a list of at most {MAX_ATTENDEES} attendees")
    found: list[Attendee] = []
    for item in value:
        if not isinstance(item, dict) or not set(item) <= {"email", "name", "status"}:
            raise FieldError("attendees", 'must hold objects of "email", "name" and "status"')
        email = _text(item, "email", 320, name="attendees")
        if "@" not in email or any(char.isspace() for char in email):
            raise FieldError("attendees", f"holds an email address that is not one: {email!r}")
        status = _text(item, "status", 16, name="attendees") if "status" in item else None
        if status is not None and status.upper() not in ATTENDEE_STATUSES:
            raise FieldError("attendees", f"status must be one of {', '.join(ATTENDEE_STATUSES)}")
        found.append(
            Attendee(
                email=email,
                name=_text(item, "name", 200, name="attendees") if "name" in item else "",
                status=(status or "NEEDS-ACTION").upper(),
            )
        )
    return found


def activity_json(shown: Shown) -> dict[str, object]:
    """An activity in full, or a colleague's private one as a busy block (times only)."""
    activity = shown.activity
    times = {
        "date": activity.due_date.isoformat() if activity.due_date else None,
        "time": activity.due_time.isoformat() if activity.due_time else None,
        "duration_minutes": _minutes(activity.duration),
        "end": _end(activity.due_date, activity.due_time, activity.duration),
        "all_day": activity.is_all_day,
    }
    if shown.masked:
        return {"id": activity.id, "owner": shown.owner, "subject": "Busy", **times,
                "busy": True, "private": True}  # fmt: skip
    return {
        "id": activity.id,
        "owner": shown.owner,
        "subject": activity.subject,
        "type": activity.type_key,
        **times,
        "busy": activity.busy,
        "private": activity.private,
        "location": activity.location,
        "description": activity.public_description,
        "note": activity.note,
        "deal_id": activity.deal_id,
        "person_id": activity.person_id,
        "org_id": activity.org_id,
        "participant_ids": list(activity.participant_ids),
        "attendees": [
            {"email": item.email, "name": item.name, "status": item.status}
            for item in activity.attendees
        ],
        "done": activity.done,
        "done_at": _iso(activity.done_at),
        "uid": activity.uid,
        "href": activity.href,
        "created_at": _iso(activity.created_at),
        "updated_at": _iso(activity.updated_at),
    }


def _minutes(duration: dt.timedelta | None) -> int | None:
    return None if duration is None else int(duration.total_seconds() // 60)


def _end(date: dt.date | None, time: dt.time | None, duration: dt.timedelta | None) -> str | None:
    if date is None or duration is None:
        return None
    if time is None:
        return (date + dt.timedelta(days=max(duration.days, 1) - 1)).isoformat()
    return (dt.datetime.combine(date, time, dt.UTC) + duration).isoformat()


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def activity_filter(params: QueryParams) -> ActivityFilter:
    """The list's query: `owner`, `type` (repeated or comma-separated), `done`, `from`, `to`,
    `sync`, `sort`, `limit`, `cursor` or `offset`."""
    known = {"owner", "type", "done", "from", "to", "sync", "sort", "limit", "cursor", "offset"}
    for name in params:
        if name not in known:
            raise FieldError(name, f"is not a filter; filters: {', '.join(sorted(known))}")
    owner = params.get("owner")
    if owner is not None and not owner.strip():
        raise FieldError("owner", 'must be "all" or a login')
    types = None
    if "type" in params:
        types = tuple(
            key for value in params.getlist("type") for key in value.split(",") if key.strip()
        )
    done = None
    if "done" in params:
        text = params["done"].lower()
        if text not in ("true", "false", "1", "0"):
            raise FieldError("done", "must be true or false")
        done = text in ("true", "1")
    start_from = _moment_param(params, "from")
    start_to = _moment_param(params, "to")
    if start_from and start_to and start_to < start_from:
        raise FieldError("to", "is before from")
    if "cursor" in params and "offset" in params:
        raise FieldError("cursor", "and offset cannot both be given")
    sync = _choice_param(params, "sync", SyncFilter)
    sort = _choice_param(params, "sort", SortOrder) or SortOrder.START
    return ActivityFilter(
        owner=owner,
        type_keys=types,
        done=done,
        start_from=start_from,
        start_to=start_to,
        limit=limit_param(params),
        cursor=params.get("cursor"),
        offset=_count_param(params, "offset", MAX_ID),
        sync=sync,
        sort=sort,
    )


Choice = TypeVar("Choice", bound=StrEnum)


def _choice_param(params: QueryParams, name: str, choices: type[Choice]) -> Choice | None:
    if name not in params:
        return None
    try:
        return choices(params[name])
    except ValueError:
        allowed = ", ".join(choice.value for choice in choices)
        raise FieldError(name, f"must be one of {allowed}") from None


def limit_param(params: QueryParams) -> int:
    if "limit" not in params:
        return DEFAULT_LIMIT
    return _count_param(params, "limit", MAX_LIMIT, least=1)


def offset_param(params: QueryParams) -> int:
    return _count_param(params, "offset", MAX_ID)


def _count_param(params: QueryParams, name: str, most: int, least: int = 0) -> int:
    text = params.get(name)
    if text is None:
        return 0
    if not re.fullmatch(r"[0-9]{1,18}", text) or not least <= int(text) <= most:
        raise FieldError(name, f"must be a whole number from {least} to {most}")
    return int(text)


def _moment_param(params: QueryParams, name: str) -> dt.datetime | None:
    text = params.get(name)
    if text is None:
        return None
    moment = _moment(name, text)
    if isinstance(moment, dt.datetime):
        return moment
    return dt.datetime.combine(moment, dt.time(0), dt.UTC)


# -- deals, persons, organizations ----------------------------------------------------


def organization_from(body: Mapping[str, object]) -> Organization:
    _only(body, ("name", "address"), "an organization")
    return Organization(
        name=_required_text(body, "name", 200),
        address=_text(body, "address", 500) if "address" in body else "",
    )


def person_from(body: Mapping[str, object]) -> Person:
    _only(body, ("name", "email", "phone", "org_id"), "a person")
    return Person(
        name=_required_text(body, "name", 200),
        email=_text(body, "email", 320) if "email" in body else "",
        phone=_text(body, "phone", 64) if "phone" in body else "",
        org_id=_optional(body, "org_id", _id) if "org_id" in body else None,
    )


def deal_from(body: Mapping[str, object]) -> Deal:
    _only(body, ("title", "value", "currency", "stage", "person_id", "org_id"), "a deal")
    value = body.get("value", 0)
    if isinstance(value, bool) or not isinstance(value, int | float) or not (0 <= value < 10**13):
        raise FieldError("value", "must be a number from 0 to 10^13")
    currency = _text(body, "currency", 3) if "currency" in body else "EUR"
    if not _CURRENCY.fullmatch(currency):
        raise FieldError("currency", "must be three capital letters (ISO 4217)")
    stage = _text(body, "stage", 64) if "stage" in body else "lead"
    if not stage.strip():
        raise FieldError("stage", "must not be empty")
    return Deal(
        title=_required_text(body, "title", 200),
        value=float(value),
        currency=currency,
        stage=stage,
        person_id=_optional(body, "person_id", _id) if "person_id" in body else None,
        org_id=_optional(body, "org_id", _id) if "org_id" in body else None,
    )


def organization_json(organization: Organization) -> dict[str, object]:
    return {"id": organization.id, "name": organization.name, "address": organization.address}


def person_json(person: Person) -> dict[str, object]:
    return {
        "id": person.id,
        "name": person.name,
        "email": person.email,
        "phone": person.phone,
        "org_id": person.org_id,
    }


def deal_json(deal: Deal) -> dict[str, object]:
    return {
        "id": deal.id,
        "title": deal.title,
        "value": deal.value,
        "currency": deal.currency,
        "stage": deal.stage,
        "person_id": deal.person_id,
        "org_id": deal.org_id,
    }


# -- values -------------------------------------------------------------------------


def _only(body: Mapping[str, object], names: tuple[str, ...], what: str) -> None:
    for name in body:
        if name not in names:
            if name == "id":
                raise FieldError(name, "is read-only")
            raise FieldError(name, f"is not a field of {what}")


def _required_text(body: Mapping[str, object], name: str, longest: int) -> str:
    if name not in body:
        raise FieldError(name, "is required")
    value = _text(body, name, longest)
    if not value.strip():
        raise FieldError(name, "must not be empty")
    return value


def _text(body: Mapping[str, object], key: str, longest: int, name: str | None = None) -> str:
    value = body.get(key)
    name = name or key
    if not isinstance(value, str):
        raise FieldError(name, f"must be a string ({key})" if name != key else "must be a string")
    if len(value) > longest:
        raise FieldError(name, f"must be at most {longest} characters long")
    if "\x00" in value:
        raise FieldError(name, "must not hold NUL characters")
    return value


def _optional(body: Mapping[str, object], name: str, read: Callable[[str, object], T]) -> T | None:
    value = body[name]
    return None if value is None else read(name, value)


def _bool(body: Mapping[str, object], name: str) -> bool:
    value = body[name]
    if not isinstance(value, bool):
        raise FieldError(name, "must be true or false")
    return value


def _whole(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldError(name, "must be a whole number")
    return value


def _id(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise FieldError(name, "must be a record id (a positive whole number)")
    return value


def _date(name: str, value: object) -> dt.date:
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise FieldError(name, "must be a date, YYYY-MM-DD")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise FieldError(name, f"must be a date, YYYY-MM-DD, not {value!r}") from None
    return _in_range(name, day)


def _in_range(name: str, day: dt.date) -> dt.date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise FieldError(name, f"must be between {FIRST_DAY} and {LAST_DAY}")
    return day


def _time(name: str, value: object) -> dt.time:
    if not isinstance(value, str) or not _TIME.fullmatch(value):
        raise FieldError(name, "must be a UTC time, HH:MM or HH:MM:SS")
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        raise FieldError(name, f"must be a UTC time, HH:MM or HH:MM:SS, not {value!r}") from None


def _moment(name: str, value: object) -> dt.date | dt.datetime:
    """An ISO date, or an ISO date-time (UTC unless it carries an offset), made UTC."""
    if not isinstance(value, str) or len(value) > 40:
        raise FieldError(name, "must be an ISO date or date-time")
    if len(value) == 10:
        return _date(name, value)
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise FieldError(name, f"must be an ISO date or date-time, not {value!r}") from None
    _in_range(name, moment.date())
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)
