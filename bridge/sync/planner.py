"""The three-way planner: link table + CRM now + calendar now -> the actions of one run.

It pairs items up (by link row; for unlinked ones by the activity id
stamped into the event, then by uid), infers deletions only where it may,
guards against mass deletion, and leaves each pair's decision to
`bridge.sync.decisions`. Pure: the executor applies the plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bridge.domain import SyncSettings, SyncType
from bridge.links import EventKey, Link, Side
from bridge.sync import decisions
from bridge.sync.content import activity_uid, draft_for, overlaps
from bridge.sync.guard import (
    DEFAULT_LIMITS,
    DeletionChoice,
    DeletionLimits,
    HeldDeletion,
    attention_message,
)
from bridge.sync.model import (
    Action,
    CrmItem,
    ExternalItem,
    ForgetLink,
    ImportCreate,
    Plan,
    PushCreate,
    PushDelete,
    RestoreActivity,
    Skip,
)

Window = tuple[dt.datetime, dt.datetime]


def plan(
    links: Iterable[Link],
    crm_items: Iterable[CrmItem],
    external_items: Iterable[ExternalItem],
    settings: SyncSettings,
    *,
    full_listing: bool,
    snapshot_time: dt.datetime,
    crm_scope: frozenset[int] | None = None,
    complete_series: frozenset[str] = frozenset(),
    choice: DeletionChoice | None = None,
    limits: DeletionLimits = DEFAULT_LIMITS,
) -> Plan:
    """Decide one run of the sync of one account's calendar.

    `links` are all link rows of the account's calendar. `crm_items` are the
    owner's dated activities that lie in the window or are linked: a linked
    activity missing here was deleted (or lost its date). `external_items`
    are the events `list_changes` returned, with `full_listing` as it said.
    `snapshot_time` is when both sides were read; the window is around it.
    `crm_scope`, when given, says that `crm_items` only speak for these
    activity ids (an incremental read: the changed ones, and those the
    listed events concern); links to other activities are left as they
    are, as links to unlisted events are. None: `crm_items` is everything.
    `complete_series` is the listing's (`ChangePage.complete_series`).

    Linked pairs are decided by `decisions.linked`; unlinked events and
    activities by `_unlinked_events` and `_new_activities`, in that order,
    so an activity found by an event's stamp is relinked, never pushed a
    second time. Actions come in a stable order: links by activity id, then
    events by key, then activities by id.

    The mass-deletion guard (`bridge.sync.guard`) counts every linked item
    one side lost while the other has it, and every orphaned event to be
    deleted. Past `limits`, and unless the owner's `choice` says what to do,
    the plan holds: no actions, the held items and a message. With
    `DeletionChoice.RESTORE` those items are brought back instead.
    """
    window = settings.window(snapshot_time)
    ordered = sorted(links, key=lambda link: link.activity_id)
    crm = {item.activity_id: item for item in crm_items}
    external = {item.key: item for item in external_items}
    gone = _deleted_externally(ordered, crm, external, window, full_listing, complete_series)
    actions: list[Action] = []
    held: list[HeldDeletion] = []
    for link in ordered:
        if crm_scope is not None and link.activity_id not in crm_scope:
            continue
        seen = external.get(link.key)
        deleted = link.key in gone or (seen is not None and seen.cancelled)
        now = crm.get(link.activity_id)
        if deleted != (now is None):
            held.append(HeldDeletion(link.activity_id, Side.CALENDAR if deleted else Side.CRM))
            if choice is DeletionChoice.RESTORE:
                actions.append(_restored(link, now))
                continue
        actions += decisions.linked(link, now, seen, deleted, settings)
    deleted_in_crm = frozenset() if crm_scope is None else crm_scope - crm.keys()
    pairing = _Pairing.of(ordered, crm, deleted_in_crm)
    unlinked = _unlinked_events(external, pairing, settings, window)
    for action in unlinked:
        if isinstance(action, PushDelete):
            held.append(HeldDeletion(action.link.activity_id, Side.CRM))
    if choice is DeletionChoice.RESTORE:
        unlinked = [
            _kept(action) if isinstance(action, PushDelete) else action for action in unlinked
        ]
    actions += unlinked
    actions += _new_activities(pairing, window)
    if choice is None and limits.exceeded(len(held), len(ordered)):
        return Plan((), attention_message(held, len(ordered)), tuple(held))
    return Plan(tuple(actions), None, tuple(held))


def _restored(link: Link, crm_now: CrmItem | None) -> Action:
    """Undo one side's deletion of a linked item, as the owner chose "restore".

    An event deleted in the calendar is pushed again (or, when its activity is
    no longer pushable, the link is forgotten); an activity deleted in CalBridge
    is brought back and stays linked to its event.
    """
    if crm_now is None:
        return RestoreActivity(link)
    return PushCreate(crm_now) if crm_now.pushable else ForgetLink(link)


def _kept(action: PushDelete) -> Action:
    """An orphaned event kept, as the owner chose "restore"."""
    return Skip(f"event {action.link.external_id}", "kept: the owner restores deletions")


def _deleted_externally(
    links: list[Link],
    crm: Mapping[int, CrmItem],
    external: Mapping[EventKey, ExternalItem],
    window: Window,
    full_listing: bool,
    complete_series: frozenset[str],
) -> set[EventKey]:
    """The keys of linked events inferred deleted: a full listing lacks them, their series
    was listed as cancelled as a whole (one cancelled event for all its occurrences), or
    their series was listed complete without them (inside the window).

    Deletions are never inferred from a partial listing (then only events
    listed as cancelled count as deleted), nor for activities outside the
    window, which the listing does not cover. Whether there are too many is
    the guard's question (see `plan`).
    """
    cancelled_series = {
        item.event.id
        for item in external.values()
        if item.cancelled and item.event.recurrence_id is None
    }
    in_cancelled_series = {
        link.key
        for link in links
        if link.series_id in cancelled_series and link.key not in external
    }
    dropped_from_series = {
        link.key
        for link in links
        if link.series_id in complete_series
        and link.key not in external
        and link.activity_id in crm
        and _in_window(crm[link.activity_id], window)
    }
    if not full_listing:
        return in_cancelled_series | dropped_from_series
    missing = {
        link.key
        for link in links
        if link.activity_id in crm
        and _in_window(crm[link.activity_id], window)
        and link.key not in external
    }
    return missing | in_cancelled_series


@dataclass
class _Pairing:
    """The unlinked items of both sides, and which activities an event claimed in this plan.

    `deleted_in_crm` are activities known to be gone (deleted or undated): an
    incremental CRM read speaks for them and has no item for them.
    """

    linked_keys: set[EventKey]
    unlinked: dict[int, CrmItem]
    by_uid: dict[str, CrmItem]
    deleted_in_crm: frozenset[int]
    claimed: set[int] = field(default_factory=set)

    @classmethod
    def of(
        cls, links: list[Link], crm: Mapping[int, CrmItem], deleted_in_crm: frozenset[int]
    ) -> _Pairing:
        linked_ids = {link.activity_id for link in links}
        unlinked = {key: item for key, item in crm.items() if key not in linked_ids}
        by_uid = {item.activity.uid: item for item in unlinked.values()}
        return cls({link.key for link in links}, unlinked, by_uid, deleted_in_crm)

    def claim(self, item: CrmItem) -> bool:
        """Take `item` for one event; False when another event took it already."""
        if item.activity_id in self.claimed:
            return False
        self.claimed.add(item.activity_id)
        return True


def _unlinked_events(
    external: Mapping[EventKey, ExternalItem],
    pairing: _Pairing,
    settings: SyncSettings,
    window: Window,
) -> list[Action]:
    """The actions for listed events that no link row names.

    - Cancelled: nothing (a deletion of something never synced).
    - Stamped with an activity id: it is ours. If that activity is unlinked,
      relink the pair (`_match`); if it is known deleted, delete the event
      (an orphan, left by a link lost before its activity went); otherwise
      skip it (its activity is linked to another event, or is not in the
      CRM side of this run). A stamped event is never imported, so a lost
      link cannot become a duplicate.
    - Unstamped, with the uid of an unlinked activity: the same item,
      imported or pushed before its link was lost: relink (`_match`).
    - Otherwise see `_import`.
    """
    unlinked = [
        item
        for key, item in external.items()
        if key not in pairing.linked_keys and not item.cancelled
    ]
    actions: list[Action] = []
    for item in sorted(unlinked, key=lambda item: (item.event.id, item.event.recurrence_id or "")):
        stamp = item.event.activity_stamp
        if stamp is not None:
            owner = pairing.unlinked.get(stamp)
            if owner is not None and pairing.claim(owner):
                actions += _match(owner, item, Side.CRM, settings)
            elif stamp in pairing.deleted_in_crm:
                actions.append(PushDelete(_orphan(item, stamp)))
            else:
                actions.append(Skip(_name(item), f"stamped for activity {stamp}, not unlinked"))
            continue
        owner = pairing.by_uid.get(activity_uid(item.event)) if item.event.uid else None
        if owner is None:
            actions += _import(item, settings, window)
        elif pairing.claim(owner):
            actions += _match(owner, item, Side.CALENDAR, settings)
        else:
            actions.append(Skip(_name(item), f"same uid as activity {owner.activity_id}"))
    return actions


def _match(
    owner: CrmItem, item: ExternalItem, origin: Side, settings: SyncSettings
) -> list[Action]:
    """Relink an unlinked activity and event found to be one item.

    With no last-synced state to compare with, the pair is linked as if both
    sides had changed: equal content is just recorded, different content is
    a conflict settled by the policy (`decisions.both_present`). The origin
    is the CRM for stamped events, the calendar for uid matches. A pushed
    activity that is no longer pushable loses its event instead.
    """
    link = Link(
        activity_id=owner.activity_id,
        external_id=item.event.id,
        external_etag=item.event.etag,
        crm_hash="",
        external_hash="",
        recurrence_id=item.event.recurrence_id,
        origin=origin,
        series_id=item.event.series_id,
        external_private=item.event.private,
    )
    if origin is Side.CRM and not owner.pushable:
        return [PushDelete(link)]
    return decisions.both_present(link, owner, item, settings)


def _orphan(item: ExternalItem, stamp: int) -> Link:
    """A link for an unlinked event of a deleted activity, so that it can be deleted."""
    return Link(
        activity_id=stamp,
        external_id=item.event.id,
        external_etag=item.event.etag,
        crm_hash="",
        external_hash=item.hash,
        recurrence_id=item.event.recurrence_id,
        origin=Side.CRM,
    )


def _import(item: ExternalItem, settings: SyncSettings, window: Window) -> list[Action]:
    """A new event from the calendar.

    One-way sync never imports, nor are events outside the window imported.
    In two-way sync a private event is skipped when private events are "not
    imported", else imported private or not per `decisions.imported_private`.
    """
    if settings.sync_type is SyncType.ONE_WAY or not overlaps(item.event, window):
        return []
    if decisions.private_skipped(item, settings):
        return [Skip(_name(item), "private event, not imported by the settings")]
    return [ImportCreate(item, decisions.imported_private(item, settings))]


def _new_activities(pairing: _Pairing, window: Window) -> list[Action]:
    """Push the unlinked activities no event claimed, if pushable and inside the window."""
    return [
        PushCreate(item)
        for activity_id, item in sorted(pairing.unlinked.items())
        if activity_id not in pairing.claimed and item.pushable and _in_window(item, window)
    ]


def _in_window(item: CrmItem, window: Window) -> bool:
    return overlaps(draft_for(item.activity, ""), window)


def _name(item: ExternalItem) -> str:
    """How a skipped event is named: by id only, since its text may be private."""
    rid = item.event.recurrence_id
    return f"event {item.event.id}" + (f" ({rid})" if rid else "")
