"""A synced pair as a value: which activity is which external event, and where it was born.

The store keeps these rows and the sync planner reasons over them, so they
live here, beside both and importing neither: the store never has to import
the sync engine to hand out its own rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

EventKey = tuple[str, str | None]
"""How an external event is identified across runs: (event id, recurrence id)."""


class Side(StrEnum):
    """Where a linked item was born, which decides what the type filter may remove."""

    CRM = "crm"
    """Pushed from an activity: it leaves the calendar when its type is unticked."""
    CALENDAR = "calendar"
    """Imported from an external event: the user's own event, never removed by the type filter."""


@dataclass(frozen=True)
class Link:
    """One row of the link table: an activity and the external event it is synced with.

    The etag and both content hashes are the state of the last sync of this
    pair; a side whose hash now differs has changed since.
    """

    activity_id: int
    external_id: str
    external_etag: str
    crm_hash: str
    external_hash: str
    recurrence_id: str | None
    origin: Side
    series_id: str | None = None
    """The series of a linked occurrence (`ExternalEvent.series_id`): deleting it deletes this."""
    external_private: bool | None = field(default=None, compare=False)
    """Whether the event was private when last seen (None: not recorded), so a change of
    the privacy settings can be applied to what was imported before."""

    @property
    def key(self) -> EventKey:
        return (self.external_id, self.recurrence_id)


@dataclass(frozen=True)
class ActivitySync:
    """Where one activity is synced to: for the list and calendar views' status column."""

    account_id: int
    calendar_id: str
    synced_at: dt.datetime


@dataclass(frozen=True)
class ItemError:
    """A single event or activity the worker could not sync, and why."""

    account_id: int
    activity_id: int | None
    external_id: str | None
    message: str
    at: dt.datetime
