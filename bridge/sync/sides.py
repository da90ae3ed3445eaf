"""Reading both sides of a run: the owner's activities as `CrmItem`s, events as `ExternalItem`s.

The CRM side is every dated, live activity of the owner that meets the
window or is linked (a linked activity that is missing was deleted, so the
planner must see all of them). Each gets the hash of exactly what pushing
it would write, description and deal/contact block included, so a change
to a linked deal's title also counts as a change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import sqlalchemy as sa

from bridge import ical
from bridge.domain import Activity, LinkedRecords, SyncSettings
from bridge.providers import ExternalEvent
from bridge.store.activities import row_to_activity
from bridge.store.crm import linked_records
from bridge.store.schema import activities, sync_links
from bridge.sync.hashing import crm_hash, event_hash
from bridge.sync.model import CrmItem, ExternalItem

c = activities.c


class Descriptions:
    """Builds pushed descriptions, reading each deal/person/organization trio once per run."""

    def __init__(self, conn: sa.Connection, settings: SyncSettings) -> None:
        self._conn = conn
        self._include = settings.include_crm_info
        self._records: dict[tuple[int | None, int | None, int | None], LinkedRecords] = {}

    def __call__(self, activity: Activity) -> str:
        return ical.build_description(
            activity, self._linked(activity), include_crm_info=self._include
        )

    def crm_block(self, activity: Activity) -> str:
        """The deal/contact block alone: what an imported description must not keep."""
        bare = Activity(subject="", type_key="", owner_id=0, uid="")
        return ical.build_description(bare, self._linked(activity), include_crm_info=self._include)

    def _linked(self, activity: Activity) -> LinkedRecords:
        trio = (activity.deal_id, activity.person_id, activity.org_id)
        if not self._include or trio == (None, None, None):
            return LinkedRecords()
        if trio not in self._records:
            self._records[trio] = linked_records(self._conn, *trio)
        return self._records[trio]


def crm_item(activity: Activity, settings: SyncSettings, describe: Descriptions) -> CrmItem:
    """The planner's view of one activity; pushable when its type is ticked."""
    assert activity.updated_at is not None, "stored activities carry their change time"
    return CrmItem(
        activity=activity,
        hash=crm_hash(activity, describe(activity)),
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
) -> list[CrmItem]:
    low, high = (int(moment.timestamp()) for moment in window)
    linked = sa.select(sync_links.c.activity_id).where(sync_links.c.account_id == account_id)
    rows = conn.execute(
        sa.select(activities).where(
            c.owner_id == owner_id,
            c.deleted_at.is_(None),
            c.due_date.is_not(None),
            sa.or_(sa.and_(c.range_start < high, c.range_end > low), c.id.in_(linked)),
        )
    )
    return [crm_item(row_to_activity(row), settings, describe) for row in rows]


def external_side(events: Iterable[ExternalEvent]) -> list[ExternalItem]:
    return [ExternalItem(event, event_hash(event)) for event in events]
