"""The values the planner reads and writes: both sides' items, actions, the plan.

All frozen and free of I/O, so the planner is a pure function of them and
the executor (which talks to the store and a provider) only has to apply
what it is given.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bridge.domain import Activity
from bridge.links import EventKey, Link
from bridge.providers import ExternalEvent

if TYPE_CHECKING:
    from bridge.sync.guard import HeldDeletion


@dataclass(frozen=True)
class CrmItem:
    """A dated activity as the CRM holds it now.

    `hash` is `bridge.sync.hashing.crm_hash` of the activity with its
    description as it would be pushed; `changed_at` is its last change, read
    before the run. `pushable` says the user wants it in the calendar (its
    type is ticked and nothing excludes it).
    """

    activity: Activity
    hash: str
    changed_at: dt.datetime
    pushable: bool
    masked: bool = False
    """Pushed as a busy block only (a private import of another account): its calendar
    side never writes back into the activity, whose details live elsewhere."""

    @property
    def activity_id(self) -> int:
        assert self.activity.id is not None, "CRM items are stored activities"
        return self.activity.id


@dataclass(frozen=True)
class ExternalItem:
    """An external event as listed now, with `bridge.sync.hashing.event_hash` of it."""

    event: ExternalEvent
    hash: str

    @property
    def key(self) -> EventKey:
        return (self.event.id, self.event.recurrence_id)

    @property
    def cancelled(self) -> bool:
        return self.event.status == "cancelled"


@dataclass(frozen=True)
class PushCreate:
    """Create an event for the activity, then record the link (replacing any for the activity)."""

    item: CrmItem


@dataclass(frozen=True)
class PushUpdate:
    """Write the activity over `link`'s event, using `link.external_etag`, then record the link."""

    link: Link
    item: CrmItem


@dataclass(frozen=True)
class PushDelete:
    """Delete `link`'s event (etag `link.external_etag`) and drop the link; the activity stays."""

    link: Link


@dataclass(frozen=True)
class ImportCreate:
    """Create an activity from the event and record a link of origin `Side.CALENDAR`.

    `private` is the new activity's private flag, from the visibility settings.
    """

    external: ExternalItem
    private: bool


@dataclass(frozen=True)
class ImportUpdate:
    """Write the event's content over `link`'s activity, then record the link."""

    link: Link
    external: ExternalItem
    private: bool


@dataclass(frozen=True)
class ImportDelete:
    """Delete `link`'s activity and drop the link; the event is already gone."""

    link: Link


@dataclass(frozen=True)
class RestoreActivity:
    """Bring `link`'s deleted activity back and keep the link: the owner chose "restore"."""

    link: Link


@dataclass(frozen=True)
class Relink:
    """Record `link` as the in-sync state of its pair; neither side is written.

    Used when an unlinked event and activity turn out to be one item (a lost
    link, a full resync) and when only the etag of a linked event moved.
    """

    link: Link


@dataclass(frozen=True)
class ForgetLink:
    """Drop `link`: its event and activity are no longer a pair (or both are gone)."""

    link: Link


@dataclass(frozen=True)
class Skip:
    """Nothing is done about `subject`, for a reason worth showing to the user or in logs."""

    subject: str
    reason: str


Action = (
    PushCreate
    | PushUpdate
    | PushDelete
    | ImportCreate
    | ImportUpdate
    | ImportDelete
    | RestoreActivity
    | Relink
    | ForgetLink
    | Skip
)


@dataclass(frozen=True)
class Plan:
    """What one run must do, in order, and whether the user must look at something.

    `needs_attention` is set when the planner refused to do something
    dangerous (the mass-deletion guard) and says why; `held` then lists the
    items it would have deleted, and `actions` is empty.
    """

    actions: tuple[Action, ...]
    needs_attention: str | None = None
    held: tuple[HeldDeletion, ...] = ()

    @property
    def changes(self) -> tuple[Action, ...]:
        """The actions that write something: all but `Skip`."""
        return tuple(action for action in self.actions if not isinstance(action, Skip))
