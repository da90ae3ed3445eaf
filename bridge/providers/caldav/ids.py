"""CalDAV event ids, recurrence ids, resource names and the moments they stand for. Pure.

A single event's id is its href (the path, as the server spells it); an
occurrence of a series is addressed as `href#RECURRENCE-ID`, a `#` being
impossible unescaped in an href's path. An occurrence has no etag of its
own: its etag is the series object's, so any change to the series (an
edited or deleted occurrence included) changes every occurrence's etag.
Recurrence ids are RFC 5545 text of the occurrence's original
start in UTC (`YYYYMMDDTHHMMSSZ`, or `YYYYMMDD` for all-day series),
whatever form the series itself uses, so ids stay the same however a
client writes the times. Floating times are taken to be UTC, as
`bridge.ical.times` does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from bridge.ical.times import utc
from bridge.providers import Moment

SEPARATOR = "#"


@dataclass(frozen=True)
class StoredObject:
    """A calendar object as read from the server: href (path), etag as sent, iCalendar text."""

    href: str
    etag: str
    text: str


def event_id(href: str, recurrence_id: str | None) -> str:
    return href if recurrence_id is None else f"{href}{SEPARATOR}{recurrence_id}"


def split_event_id(event_id: str) -> tuple[str, str | None]:
    """(href, recurrence id or None) of an id made by `event_id`."""
    href, separator, recurrence_id = event_id.rpartition(SEPARATOR)
    return (href, recurrence_id) if separator and recurrence_id else (event_id, None)


def recurrence_moment(text: str) -> Moment:
    """The moment a `recurrence_text` stands for; ValueError for anything else."""
    if len(text) == 8:
        return dt.datetime.strptime(text, "%Y%m%d").date()
    return dt.datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)


def to_moment(value: dt.date) -> Moment:
    """A DTSTART-like value as the contract has it: a date, or an aware UTC datetime."""
    return utc(value) if isinstance(value, dt.datetime) else value


def as_date(value: dt.date) -> dt.date:
    """A date; a datetime is its UTC date."""
    return utc(value).date() if isinstance(value, dt.datetime) else value


def object_name(idempotency_key: str) -> str:
    """The resource name a create with this key writes: the same key, the same name.

    Readable where the key is (safe characters only), unique through a hash of the whole key.
    """
    readable = re.sub(r"[^A-Za-z0-9_-]+", "-", idempotency_key).strip("-")[:48]
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:24]
    return f"{readable}-{digest}.ics" if readable else f"{digest}.ics"
