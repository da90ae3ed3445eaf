"""``/<user>/team/``: everyone else's activities, read-only, private ones masked.

Items are named by activity id (``<id>.ics``), never by the owner's href or
UID, and a private activity is served as an opaque busy block from
`bridge.ical.render_masked`, so nothing of it but its time reaches the reader;
so is a private occurrence of a public series (`bridge.ical.colleague_view`).
Colleagues' alarms are left out: they would ring on the reader's devices.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from radicale import item as radicale_item

from bridge.domain import Activity, ActivityType, ComponentKind
from bridge.ical.mask import colleague_view, masked_uid, render_masked
from bridge.ical.render import component_kind
from bridge.store import activities, crm
from plugins.storage.activities import ActivityView
from plugins.storage.items import LazyItem

if TYPE_CHECKING:
    from plugins.storage.base import StorageBase


def _id_from_href(href: str) -> int | None:
    stem = href.removesuffix(".ics")
    return int(stem) if href.endswith(".ics") and stem.isdigit() else None


def _kind(activity: Activity, types: dict[str, ActivityType]) -> ComponentKind | None:
    """The component the listing names the activity by (`activities.save_activity` stored it).

    A private dated to-do is masked as a to-do here, not as the busy event a
    feed makes of it: a to-do query's filter must find the VTODO it was promised.
    """
    activity_type = types.get(activity.type_key)
    return component_kind(activity, activity_type) if activity_type is not None else None


class TeamCollection(ActivityView):
    def __init__(self, store: StorageBase, path: str, row: sa.Row, reader_id: int) -> None:
        super().__init__(store, path, row, activities.Scope(reader_id, team=True))

    def _item_fields(self, row: sa.Row) -> tuple[str, str, str]:
        uid = masked_uid(row.uid, self._store.masking_key) if row.private else row.uid
        return f"{row.id}.ics", f'"t{row.revision}"', uid

    def _narrow_to(self, hrefs: list[str]) -> dict[str, Any]:
        return {"ids": [key for key in map(_id_from_href, hrefs) if key is not None]}

    def _fetch_texts(self, keys: Sequence[int]) -> dict[int, str]:
        with self._store.connection() as conn:
            types = crm.list_activity_types(conn)
            return {
                activity.id: render_masked(
                    activity, self._store.masking_key, _kind(activity, types)
                )
                if activity.private
                else colleague_view(activity.ical or "")
                for activity in activities.by_ids(conn, keys)
                if activity.id is not None
            }

    def has_uid(self, uid: str) -> bool:
        return False

    def upload(self, href: str, item: radicale_item.Item) -> tuple[LazyItem, LazyItem | None]:
        raise ValueError("the team calendar is read-only")

    def delete(self, href: str | None = None) -> None:
        raise ValueError("the team calendar is read-only")
