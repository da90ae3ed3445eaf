"""The opaque cursor of a CalDAV calendar: a sync token, or a snapshot of every member's etag.

A server with sync-collection (RFC 6578) hands out sync tokens, and the
cursor is one. For a server without it the cursor is the calendar's
`{href: etag}` map at the last listing, and the changes are found by
comparing it with a fresh one. Either way the cursor names its calendar,
so a cursor passed for another calendar is refused like an expired one.
The text is compressed JSON in URL-safe base64: etag maps of large
calendars stay small enough to store.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass

from bridge.providers import CursorExpired

PREFIX = "caldav1."


@dataclass(frozen=True)
class Cursor:
    """Exactly one of `sync_token` and `etags` is set."""

    calendar_id: str
    sync_token: str | None = None
    etags: Mapping[str, str] | None = None

    def encode(self) -> str:
        state: dict[str, object] = {"c": self.calendar_id}
        if self.sync_token is not None:
            state["t"] = self.sync_token
        else:
            state["e"] = dict(self.etags or {})
        packed = zlib.compress(json.dumps(state, separators=(",", ":")).encode("utf-8"))
        return PREFIX + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, text: str, calendar_id: str) -> Cursor:
        """The cursor `text` stands for; `CursorExpired` for garbage or another calendar's."""
        try:
            if not text.startswith(PREFIX):
                raise ValueError("not a CalDAV cursor")
            packed = text.removeprefix(PREFIX)
            raw = base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4))
            state = json.loads(zlib.decompress(raw).decode("utf-8"))
            cursor = _from_state(state)
        except (ValueError, TypeError, KeyError, binascii.Error, zlib.error) as unusable:
            raise CursorExpired(f"unusable CalDAV cursor: {unusable}") from unusable
        if cursor.calendar_id != calendar_id:
            raise CursorExpired("the cursor belongs to another calendar")
        return cursor


def _from_state(state: object) -> Cursor:
    if not isinstance(state, dict) or not isinstance(state["c"], str):
        raise ValueError("malformed cursor")
    token, etags = state.get("t"), state.get("e")
    if isinstance(token, str) and etags is None:
        return Cursor(state["c"], sync_token=token)
    if token is None and isinstance(etags, dict):
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in etags.items()):
            raise ValueError("malformed etag map")
        return Cursor(state["c"], etags=etags)
    raise ValueError("a cursor holds a sync token or an etag map")
