"""The in-memory calendar's opaque cursor: where in the change log a listing ended. Pure.

A cursor names its calendar, the log position it was read at, the
calendar's cursor generation (bumped when the outside world expires every
cursor, like Google's 410 or a CalDAV server forgetting sync tokens) and
the window it was listed for, so occurrences that a later, slid window
reaches can be reported although nothing changed. Callers must treat it as
opaque text; it is URL-safe base64 of JSON so nobody is tempted to parse it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass

from bridge.providers import CursorExpired

PREFIX = "memory1."
Window = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class Cursor:
    calendar_id: str
    generation: int
    position: int
    window: Window

    def encode(self) -> str:
        state = {
            "c": self.calendar_id,
            "g": self.generation,
            "p": self.position,
            "w": [self.window[0].isoformat(), self.window[1].isoformat()],
        }
        packed = json.dumps(state, separators=(",", ":")).encode("utf-8")
        return PREFIX + base64.urlsafe_b64encode(packed).decode("ascii")

    @classmethod
    def decode(cls, text: str, calendar_id: str, generation: int) -> Cursor:
        """The cursor `text` stands for; `CursorExpired` if it is unreadable, another
        calendar's, or from before the calendar's cursors were expired."""
        try:
            if not text.startswith(PREFIX):
                raise ValueError("not a memory calendar cursor")
            state = json.loads(base64.urlsafe_b64decode(text.removeprefix(PREFIX)))
            low, high = (dt.datetime.fromisoformat(value) for value in state["w"])
            cursor = cls(str(state["c"]), int(state["g"]), int(state["p"]), (low, high))
        except (ValueError, TypeError, KeyError, binascii.Error) as unusable:
            raise CursorExpired(f"unusable cursor: {unusable}") from unusable
        if cursor.calendar_id != calendar_id:
            raise CursorExpired("the cursor belongs to another calendar")
        if cursor.generation != generation:
            raise CursorExpired("the cursor has expired")
        return cursor
