"""The opaque cursor `list_changes` hands out: Google's sync token plus what it covers.

A sync token only reports changes to events its original listing could
see, and that listing was bounded by the window of its day. Events that
slide into a later window without changing would never be reported, so the
cursor remembers the calendar and the window its full listing covered, and
a later call whose window reaches outside it gets a new full listing
instead of an incomplete incremental one.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass

from bridge.providers import CursorExpired

PREFIX = "google1:"
Window = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class SyncCursor:
    calendar_id: str
    covered: Window
    sync_token: str

    def covers(self, window: Window) -> bool:
        return self.covered[0] <= window[0] and window[1] <= self.covered[1]

    def encode(self) -> str:
        payload = {
            "calendar": self.calendar_id,
            "from": self.covered[0].isoformat(),
            "to": self.covered[1].isoformat(),
            "token": self.sync_token,
        }
        return PREFIX + base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()

    @classmethod
    def decode(cls, cursor: str, calendar_id: str) -> SyncCursor:
        """The cursor `encode` made for `calendar_id`; `CursorExpired` for anything else."""
        if not cursor.startswith(PREFIX):
            raise CursorExpired("not a cursor of the Google provider")
        try:
            payload = json.loads(base64.urlsafe_b64decode(cursor.removeprefix(PREFIX)))
            decoded = cls(
                calendar_id=payload["calendar"],
                covered=(
                    dt.datetime.fromisoformat(payload["from"]),
                    dt.datetime.fromisoformat(payload["to"]),
                ),
                sync_token=payload["token"],
            )
        except (binascii.Error, ValueError, KeyError, TypeError) as error:
            raise CursorExpired("a damaged Google cursor") from error
        if decoded.calendar_id != calendar_id:
            raise CursorExpired("the cursor belongs to another calendar")
        return decoded
