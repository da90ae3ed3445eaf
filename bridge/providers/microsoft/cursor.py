"""The opaque cursor of the Microsoft provider: Graph's whole delta link, and what it covers.

A calendarView delta round is fixed by its first request's window, and
every link after it carries that window, so the cursor keeps the whole
`@odata.deltaLink` as Graph gave it (never rebuilt from parts) with the
window it covers and the calendar it belongs to. A later call whose window
reaches outside it gets a new full delta instead.

Graph reports a deleted occurrence by its id alone, while the contract
keys occurrences by id and original start. So the cursor also remembers
the original start of every occurrence listed so far, under a short digest
of its id (immutable ids run past 150 characters), to name the occurrence
a removal is about.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from bridge.providers import CursorExpired

PREFIX = "microsoft1:"
Window = tuple[dt.datetime, dt.datetime]


def id_digest(event_id: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(event_id.encode()).digest()[:9]).decode()


@dataclass(frozen=True)
class DeltaCursor:
    calendar_id: str
    covered: Window
    delta_link: str
    occurrences: dict[str, str] = field(default_factory=dict)
    """`id_digest(event id)` -> RECURRENCE-ID text, for the occurrences listed so far."""

    def covers(self, window: Window) -> bool:
        return self.covered[0] <= window[0] and window[1] <= self.covered[1]

    def recurrence_of(self, event_id: str) -> str | None:
        return self.occurrences.get(id_digest(event_id))

    def encode(self) -> str:
        payload = {
            "calendar": self.calendar_id,
            "from": self.covered[0].isoformat(),
            "to": self.covered[1].isoformat(),
            "link": self.delta_link,
            "occurrences": self.occurrences,
        }
        raw = json.dumps(payload, separators=(",", ":")).encode()
        return PREFIX + base64.urlsafe_b64encode(raw).decode()

    @classmethod
    def decode(cls, cursor: str, calendar_id: str) -> DeltaCursor:
        """The cursor `encode` made for `calendar_id`; `CursorExpired` for anything else."""
        if not cursor.startswith(PREFIX):
            raise CursorExpired("not a cursor of the Microsoft provider")
        try:
            payload = json.loads(base64.urlsafe_b64decode(cursor.removeprefix(PREFIX)))
            decoded = cls(
                calendar_id=str(payload["calendar"]),
                covered=(
                    dt.datetime.fromisoformat(payload["from"]),
                    dt.datetime.fromisoformat(payload["to"]),
                ),
                delta_link=str(payload["link"]),
                occurrences={str(k): str(v) for k, v in dict(payload["occurrences"]).items()},
            )
        except (binascii.Error, ValueError, KeyError, TypeError) as error:
            raise CursorExpired("a damaged Microsoft cursor") from error
        if decoded.calendar_id != calendar_id:
            raise CursorExpired("the cursor belongs to another calendar")
        return decoded
