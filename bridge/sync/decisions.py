"""The per-pair sync rules: what to do with one activity and one event the planner paired up.

`bridge.sync.planner` pairs items (by link, stamp or uid) and guards the
run as a whole; the functions here decide each pair from the settings and
the three states (last synced, CRM now, calendar now). They are pure.
"""

from __future__ import annotations

import dataclasses

from bridge.domain import (
    ConflictPolicy,
    ImportVisibility,
    PrivateEventPolicy,
    SyncSettings,
    SyncType,
)
from bridge.links import Link, Side
from bridge.sync.model import (
    Action,
    CrmItem,
    ExternalItem,
    ForgetLink,
    ImportDelete,
    ImportUpdate,
    PushCreate,
    PushDelete,
    PushUpdate,
    Relink,
)


def linked(
    link: Link,
    crm: CrmItem | None,
    external: ExternalItem | None,
    external_gone: bool,
    settings: SyncSettings,
) -> list[Action]:
    """The actions for a linked pair.

    `crm` is None when the activity was deleted (or lost its date);
    `external` is None when the event was not listed (unchanged, as far as
    this run knows), and `external_gone` says it was deleted (listed as
    cancelled, or absent from a full listing).

    - Both gone: forget the link.
    - Deleted in the CRM: delete the event, even if it was edited in the
      calendar meanwhile; the CRM is the system of record.
    - Deleted in the calendar: see `external_deleted`.
    - A pushed activity whose type is no longer pushed (or that is excluded):
      delete its event. Imported activities are the user's own events and
      are never removed by the type filter.
    - Event not listed: push the activity if it changed since the link.
    - Both listed: see `both_present`.
    """
    if crm is None:
        return [ForgetLink(link)] if external_gone else [PushDelete(_current(link, external))]
    if external_gone:
        return external_deleted(link, crm, settings)
    if link.origin is Side.CRM and not crm.pushable:
        return [PushDelete(_current(link, external))]
    if external is None:
        return [PushUpdate(link, crm)] if crm.hash != link.crm_hash else []
    return both_present(link, crm, external, settings)


def external_deleted(link: Link, crm: CrmItem, settings: SyncSettings) -> list[Action]:
    """The event of a linked, living activity was deleted in the calendar.

    - A pushed activity whose type is no longer pushed: its event was on its
      way out anyway; forget the link.
    - Two-way, the activity unchanged since the last sync: delete it, unless
      it is a busy block of another account's private import (its details
      live in that calendar: the block is pushed again).
    - Otherwise the activity stays: an edit made in the CRM is never lost to
      a deletion in the calendar, and one-way sync never deletes activities.
      It is pushed again when pushable (one-way, CalBridge owns the calendar
      side), else the link is forgotten.
    """
    if link.origin is Side.CRM and not crm.pushable:
        return [ForgetLink(link)]
    if settings.sync_type is SyncType.TWO_WAY and crm.hash == link.crm_hash and not crm.masked:
        return [ImportDelete(link)]
    return [PushCreate(crm)] if crm.pushable else [ForgetLink(link)]


def both_present(
    link: Link, crm: CrmItem, external: ExternalItem, settings: SyncSettings
) -> list[Action]:
    """Both sides exist: compare each with the hash recorded for it at the last sync.

    `link` may be a fresh one for a pair just matched by stamp or uid, whose
    hashes are both sides' current ones only when they already agree.

    - Neither changed (our own echoes included, since their content hashes
      like what we wrote): nothing, except recording the event's new etag
      when only that moved.
    - One side changed: it propagates to the other (see `_winner`).
    - Both changed to the same content: record it.
    - Both changed differently: a conflict, settled by `_winner`.
    """
    crm_changed = crm.hash != link.crm_hash
    external_changed = external.hash != link.external_hash
    moved = external.event.etag != link.external_etag
    link = _current(link, external)
    if not crm_changed and not external_changed:
        return [Relink(link)] if moved else []
    if crm_changed and external_changed and crm.hash == external.hash:
        return [Relink(dataclasses.replace(link, crm_hash=crm.hash, external_hash=external.hash))]
    if _winner(crm, external, settings, crm_changed, external_changed) is Side.CRM:
        return [PushUpdate(link, crm)]
    return [import_over(link, external, settings)]


def _winner(
    crm: CrmItem,
    external: ExternalItem,
    settings: SyncSettings,
    crm_changed: bool,
    external_changed: bool,
) -> Side:
    """Which side's content both sides end with.

    - One-way, or a busy block of another account's private import: the
      CRM, always; CalBridge owns the calendar side, so a calendar edit of a
      synced event is overwritten.
    - Two-way, one side changed: that side.
    - Two-way, both changed: the conflict policy. "most recent" compares the
      activity's last change with the event's `updated`, both read before
      the run; a tie goes to the CRM.
    """
    if settings.sync_type is SyncType.ONE_WAY or crm.masked:
        return Side.CRM
    if not (crm_changed and external_changed):
        return Side.CRM if crm_changed else Side.CALENDAR
    match settings.conflict_policy:
        case ConflictPolicy.CRM_WINS:
            return Side.CRM
        case ConflictPolicy.CALENDAR_WINS:
            return Side.CALENDAR
        case ConflictPolicy.MOST_RECENT:
            newer = external.event.updated > crm.changed_at
            return Side.CALENDAR if newer else Side.CRM


def import_over(link: Link, external: ExternalItem, settings: SyncSettings) -> Action:
    """Bring a changed event into its linked activity (two-way).

    An imported event that became private while private events are "not
    imported" is removed from the CRM: the user stopped sharing it. A pushed
    activity whose event became private stays, as a private activity.
    """
    if private_skipped(external, settings) and link.origin is Side.CALENDAR:
        return ImportDelete(link)
    return ImportUpdate(link, external, imported_private(external, settings))


def imported_private(external: ExternalItem, settings: SyncSettings) -> bool:
    """The private flag of an activity imported from `external`.

    Private when the import visibility is "only me", or when the event is
    private and private events become busy blocks (or are not imported at
    all, for a pushed activity whose event became private): then only the
    owner sees the details and everyone else sees "Busy".
    """
    if settings.import_visibility is ImportVisibility.OWNER_ONLY:
        return True
    return external.event.private and settings.private_events is not PrivateEventPolicy.EVERYONE


def private_skipped(external: ExternalItem, settings: SyncSettings) -> bool:
    """Whether `external` is a private event that the settings keep out of the CRM."""
    return external.event.private and settings.private_events is PrivateEventPolicy.SKIP


def _current(link: Link, external: ExternalItem | None) -> Link:
    """`link` with the etag and privacy the event has now (writes then use a fresh etag)."""
    if external is None:
        return link
    return dataclasses.replace(
        link, external_etag=external.event.etag, external_private=external.event.private
    )
