"""Reading both sides of a run: the owner's activities as `CrmItem`s, events as `ExternalItem`s.

In full (`crm_side`), the CRM side is every dated, live activity of the
owner that meets the window or is linked (a linked activity that is
missing was deleted, so the planner must see all of them); most runs read
only what changed since the last one (`crm_changes`). Each gets the hash of exactly what pushing
it would write, description and deal/contact block included, so a change
to a linked deal's title also counts as a change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from bridge.domain import Activity, LinkedRecords, SyncSettings
from bridge.ical.description import build_description
from bridge.links import Link, Side
from bridge.providers import EventDraft, ExternalEvent
from bridge.store.activities import row_to_activity
from bridge.store.chunks import chunks
from bridge.store.crm import linked_records
from bridge.store.schema import activities, calendar_accounts, sync_item_errors, sync_links
from bridge.sync.content import activity_uid, busy_block, draft_for
from bridge.sync.hashing import draft_hash, event_hash
from bridge.sync.model import CrmItem, ExternalItem

c = activities.c


class Descriptions:
    """Builds what is pushed of an activity, reading each deal/person/organization trio once.

    With `account_id`, it also knows which activities the owner's other
    accounts imported as private: those reach this account's calendar only
    as busy blocks (`busy_block`), as colleagues see them.
    """

    def __init__(
        self, conn: sa.Connection, settings: SyncSettings, account_id: int | None = None
    ) -> None:
        self._conn = conn
        self._include = settings.include_crm_info
        self._records: dict[tuple[int | None, int | None, int | None], LinkedRecords] = {}
        self._private_imports = set() if account_id is None else _private_imports(conn, account_id)

    def __call__(self, activity: Activity) -> str:
        return build_description(activity, self._linked(activity), include_crm_info=self._include)

    def draft(self, activity: Activity) -> EventDraft:
        """The event the activity becomes in this account's calendar."""
        draft = draft_for(activity, self(activity))
        return busy_block(draft) if self.masks(activity) else draft

    def masks(self, activity: Activity) -> bool:
        """Whether only a busy block of the activity goes to this calendar."""
        return activity.private and activity.id in self._private_imports

    def _linked(self, activity: Activity) -> LinkedRecords:
        trio = (activity.deal_id, activity.person_id, activity.org_id)
        if not self._include or trio == (None, None, None):
            return LinkedRecords()
        if trio not in self._records:
            self._records[trio] = linked_records(self._conn, *trio)
        return self._records[trio]


def _private_imports(conn: sa.Connection, account_id: int) -> set[int]:
    """Activities that the owner's other accounts imported (private ones are masked here)."""
    links = sync_links.c
    return set(
        conn.execute(
            sa.select(links.activity_id)
            .join(activities, c.id == links.activity_id)
            .where(
                links.account_id != account_id,
                links.origin == Side.CALENDAR.value,
                c.private.is_(True),
                c.owner_id
                == sa.select(calendar_accounts.c.user_id)
                .where(calendar_accounts.c.id == account_id)
                .scalar_subquery(),
            )
        ).scalars()
    )


def crm_item(activity: Activity, settings: SyncSettings, describe: Descriptions) -> CrmItem:
    """The planner's view of one activity; pushable when its type is ticked."""
    assert activity.updated_at is not None, "stored activities carry their change time"
    return CrmItem(
        activity=activity,
        hash=draft_hash(describe.draft(activity)),
        masked=describe.masks(activity),
        changed_at=activity.updated_at,
        pushable=activity.type_key in settings.pushed_type_keys,
    )


def crm_side(
    conn: sa.Connection,
    account_id: int,
    owner_id: int,
    settings: SyncSettings,
    window: tuple[dt.datetime, dt.datetime],
    describe: Descriptions,
    events: Sequence[ExternalEvent] = (),
) -> list[CrmItem]:
    """Every dated, live activity of the owner in the window or linked, and those the
    listed `events` name by stamp or uid wherever they lie, so an event CalBridge
    pushed or imported before is matched to its activity, never imported again."""
    low, high = (int(moment.timestamp()) for moment in window)
    linked = sa.select(sync_links.c.activity_id).where(sync_links.c.account_id == account_id)
    live = sa.select(activities).where(
        c.owner_id == owner_id, c.deleted_at.is_(None), c.due_date.is_not(None)
    )
    rows = list(
        conn.execute(
            live.where(sa.or_(sa.and_(c.range_start < high, c.range_end > low), c.id.in_(linked)))
        )
    )
    stamps = {event.activity_stamp for event in events if event.activity_stamp is not None}
    rows += _named_by(conn, live, stamps, _unstamped_uids(events))
    items = {row.id: row for row in rows}
    return [crm_item(row_to_activity(row), settings, describe) for row in items.values()]


def _unstamped_uids(events: Sequence[ExternalEvent]) -> list[str]:
    """The activity uids of listed events that carry no stamp (matched by uid instead)."""
    return [activity_uid(event) for event in events if event.uid and not event.activity_stamp]


def _named_by(
    conn: sa.Connection, query: sa.Select, ids: Iterable[int], uids: Sequence[str]
) -> list[sa.Row]:
    """The rows of `query` with one of `ids` or (live ones) one of `uids`, in chunks."""
    rows: list[sa.Row] = []
    for chunk in chunks(sorted(ids)):
        rows += conn.execute(query.where(c.id.in_(chunk)))
    for chunk in chunks(list(uids)):
        rows += conn.execute(query.where(c.uid.in_(chunk), c.deleted_at.is_(None)))
    return rows


@dataclass(frozen=True)
class CrmChanges:
    """An incremental read of the CRM side: the items, and the activity ids they speak for."""

    items: list[CrmItem]
    scope: frozenset[int]


def crm_changes(
    conn: sa.Connection,
    account_id: int,
    owner_id: int,
    settings: SyncSettings,
    window: tuple[dt.datetime, dt.datetime],
    describe: Descriptions,
    *,
    since: int,
    links: Sequence[Link],
    events: Sequence[ExternalEvent],
    complete_series: frozenset[str] = frozenset(),
) -> CrmChanges:
    """The part of the CRM side a run after `since` needs (see `plan`'s `crm_scope`).

    That is: the owner's activities changed (or deleted) since the revision
    `since`; those the listed events concern (linked to them, to a series
    listed as cancelled, stamped into them, or sharing their uid), whose
    current state the planner compares with the event, or whose series was
    listed (`ChangePage.complete_series`); and those whose
    last sync failed, to try them again. A deleted or undated activity is in
    the scope without an item: the planner then deletes its event.
    """
    linked = {link.activity_id for link in links}
    wanted = _concerned(links, events, complete_series) | _failed(conn, account_id)
    uids = set(_unstamped_uids(events))
    query = sa.select(activities).where(c.owner_id == owner_id)
    rows = list(conn.execute(query.where(c.revision > since)))
    rows += _named_by(conn, query, wanted, _unstamped_uids(events))
    low, high = (int(moment.timestamp()) for moment in window)
    items = {
        row.id: crm_item(row_to_activity(row), settings, describe)
        for row in rows
        if row.deleted_at is None
        and row.due_date is not None
        and (
            row.id in linked
            or row.id in wanted
            or row.uid in uids
            or (row.range_start < high and row.range_end > low)
        )
    }
    return CrmChanges(list(items.values()), frozenset(row.id for row in rows))


def _concerned(
    links: Sequence[Link], events: Sequence[ExternalEvent], complete_series: frozenset[str]
) -> set[int]:
    """The activities of the links that the listed events touch, and those stamped into them."""
    keys = {(event.id, event.recurrence_id) for event in events}
    whole_series = {
        event.id for event in events if event.status == "cancelled" and event.recurrence_id is None
    } | complete_series
    stamped = {event.activity_stamp for event in events if event.activity_stamp is not None}
    return stamped | {
        link.activity_id
        for link in links
        if link.key in keys or (link.series_id is not None and link.series_id in whole_series)
    }


def _failed(conn: sa.Connection, account_id: int) -> set[int]:
    errors = sync_item_errors.c
    return set(
        conn.execute(
            sa.select(errors.activity_id).where(
                errors.account_id == account_id, errors.activity_id.is_not(None)
            )
        ).scalars()
    )


def external_side(events: Iterable[ExternalEvent]) -> list[ExternalItem]:
    return [ExternalItem(event, event_hash(event)) for event in events]
