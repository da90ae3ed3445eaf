"""The mail Exchange would send because of an API write: invitations, updates, cancellations.

Graph has no "don't notify attendees" switch: creating a meeting sends
invitations, changing it sends updates, deleting it sends cancellations, as
long as the mailbox owner is the organizer. CalBridge must not spam anyone,
so tests assert on `state.outbox` being empty after a sync.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Changes to these make Exchange send a meeting update; showAs, categories,
# reminders, sensitivity and extended properties are the organizer's own business.
MEETING_FIELDS = frozenset(
    {
        "subject",
        "body",
        "start",
        "end",
        "isAllDay",
        "location",
        "locations",
        "recurrence",
        "isOnlineMeeting",
        "importance",
    }
)


@dataclass(frozen=True)
class Mail:
    kind: str  # invitation, update, cancellation
    to: tuple[str, ...]
    subject: str
    event_id: str
    sender: str
    reason: str


def addresses(fields: dict[str, Any]) -> tuple[str, ...]:
    return tuple(
        a["emailAddress"]["address"]
        for a in fields.get("attendees") or []
        if isinstance(a, dict) and (a.get("emailAddress") or {}).get("address")
    )
