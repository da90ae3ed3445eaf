"""A user's ``activities`` (VEVENT) and ``tasks`` (VTODO) collections: views of their activities.

A client's PUT creates or changes an activity, a DELETE deletes it. The
component a collection holds decides the type a new item gets: the user's
default import type for events, ``task`` for to-dos. An item whose type
would move it to the other collection keeps its collection and gets that
collection's default type instead, so a client never sees its item vanish.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from radicale import item as radicale_item
from radicale.storage import ComponentNotFoundError

from bridge import dav_properties
from bridge.domain import TASK_TYPE_KEY, Activity, ComponentKind, User
from bridge.ical.errors import ICalError
from bridge.ical.parse import activity_from_ical
from bridge.ical.render import component_kind
from bridge.store import activities, crm
from plugins.storage.collection import SQLCollection
from plugins.storage.items import LazyItem, http_date

if TYPE_CHECKING:
    from plugins.storage.base import StorageBase


class ActivityView(SQLCollection):
    """Collections whose rows are activities in a `Scope`."""

    def __init__(self, store: StorageBase, path: str, row: sa.Row, scope: activities.Scope) -> None:
        super().__init__(store, path, row)
        self._scope = scope

    def _rows(self, **narrowing: Any) -> list[sa.Row]:
        with self._store.connection() as conn:
            return activities.listing(conn, self._scope, **narrowing)

    def _current_revision(self, conn: sa.Connection) -> int:
        return activities.max_revision(conn, self._scope)

    def _changed_since(self, conn: sa.Connection, revision: int) -> list[str]:
        return activities.changed_since(conn, self._scope, revision)

    def set_meta(self, props: Mapping[str, str]) -> None:
        """Only a calendar's looks may change (`bridge.dav_properties`); else nothing does."""
        dav_properties.check_changes(self.get_meta(), props)
        super().set_meta(props)

    @property
    def last_modified(self) -> str:
        latest = self._rows(latest=True)
        return http_date(latest[0].updated_at if latest else self._row.updated_at)


class ActivityCollection(ActivityView):
    def __init__(
        self, store: StorageBase, path: str, row: sa.Row, owner: User, component: str
    ) -> None:
        assert owner.id is not None
        kind = ComponentKind(component)
        super().__init__(store, path, row, activities.Scope(owner.id, kind))
        self._owner = owner
        self._component = kind

    def _item_fields(self, row: sa.Row) -> tuple[str, str, str]:
        return row.href, f'"{row.revision}"', row.uid

    def _fetch_texts(self, keys: Sequence[int]) -> dict[int, str]:
        with self._store.connection() as conn:
            return {key: value[0] for key, value in activities.texts(conn, keys).items()}

    def has_uid(self, uid: str) -> bool:
        with self._store.connection() as conn:
            return activities.find_by_uid(conn, self._owner.id, uid) is not None

    def _default_type(self) -> str:
        if self._component is ComponentKind.EVENT:
            return self._owner.default_import_type
        return TASK_TYPE_KEY

    def _activity_from(self, text: str, existing: Activity | None, conn: sa.Connection) -> Activity:
        try:
            activity = activity_from_ical(
                text,
                owner_id=self._owner.id,
                default_type_key=self._default_type(),
                existing=existing,
            )
        except ICalError as error:
            raise ValueError(str(error)) from error
        activity_type = crm.list_activity_types(conn).get(activity.type_key)
        if activity_type is None or component_kind(activity, activity_type) is not self._component:
            activity = replace(activity, type_key=self._default_type())
        if self._component is ComponentKind.EVENT and activity.due_date is None:
            raise ValueError("an event needs a start (DTSTART)")
        return _without_missing_links(activity, conn)

    def upload(self, href: str, item: radicale_item.Item) -> tuple[LazyItem, LazyItem | None]:
        if item.component_name != self._component.value:
            raise ValueError(
                f"this collection holds {self._component.value} components, "
                f"not {item.component_name}"
            )
        with self._store.connection() as conn:
            existing = activities.find_by_href(conn, self._scope, href)
            activity = replace(self._activity_from(item.serialize(), existing, conn), href=href)
            try:
                activities.save_activity(conn, activity, crm.list_activity_types(conn))
            except activities.ActivityError as error:
                raise ValueError(str(error)) from error
        uploaded = dict(self.get_multi([href]))[href]
        assert uploaded is not None
        return uploaded, None

    def delete(self, href: str | None = None) -> None:
        if href is None:
            raise ValueError("the activity collections cannot be deleted")
        with self._store.connection() as conn:
            existing = activities.find_by_href(conn, self._scope, href)
            if existing is None or existing.id is None:
                raise ComponentNotFoundError(href)
            activities.delete_activity(conn, existing.id)


def _without_missing_links(activity: Activity, conn: sa.Connection) -> Activity:
    """`activity` without links to CRM records that do not exist.

    A client keeps the X-CALBRIDGE- links of the text it was given, so an
    event whose deal was deleted since comes back naming it; deleting the
    deal unlinked the activity, and so does this, where the database would
    refuse the link.
    """
    records = crm.linked_records(conn, activity.deal_id, activity.person_id, activity.org_id)
    return replace(
        activity,
        deal_id=records.deal.id if records.deal else None,
        person_id=records.person.id if records.person else None,
        org_id=records.organization.id if records.organization else None,
    )
