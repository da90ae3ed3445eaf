"""A user's ``activities`` (VEVENT) and ``tasks`` (VTODO) collections: views of their activities.

A client's PUT creates or changes an activity, a DELETE deletes it. The
component a collection holds decides the type a new item gets: the user's
default import type for events, ``task`` for to-dos. An item whose type
would move it to the other collection keeps its collection and gets that
collection's default type instead, so a client never sees its item vanish.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

import sqlalchemy as sa
from radicale import item as radicale_item
from radicale.storage import ComponentNotFoundError

from bridge import ical
from bridge.domain import ComponentKind, User
from bridge.store import activities, crm
from plugins.storage.collection import SQLCollection
from plugins.storage.items import LazyItem, TextLoader, http_date

TASK_TYPE = "task"


class ActivityCollection(SQLCollection):
    def __init__(self, store, path: str, row: sa.Row, owner: User, component: str) -> None:
        super().__init__(store, path, row)
        self._owner = owner
        self._component = ComponentKind(component)
        assert owner.id is not None
        self._scope = activities.Scope(owner.id, self._component)

    def _fetch_texts(self, ids):
        with self._store.connection() as conn:
            return {key: value[0] for key, value in activities.texts(conn, ids).items()}

    def _items(self, rows: list[sa.Row]) -> Iterator[LazyItem]:
        loader = TextLoader([row.id for row in rows], self._fetch_texts)
        for row in rows:
            yield LazyItem(
                collection=self,
                href=row.href,
                etag=f'"{row.revision}"',
                uid=row.uid,
                component_name=row.component,
                time_range=(row.range_start, row.range_end),
                last_modified=http_date(row.updated_at),
                loader=loader,
                key=row.id,
                recurring=row.recurring,
            )

    def _rows(self, **narrowing) -> list[sa.Row]:
        with self._store.connection() as conn:
            return activities.listing(conn, self._scope, **narrowing)

    def get_all(self) -> Iterator[LazyItem]:
        return self._items(self._rows())

    def get_multi(self, hrefs: Iterable[str]) -> Iterator[tuple[str, LazyItem | None]]:
        wanted = list(dict.fromkeys(hrefs))
        found = {item.href: item for item in self._items(self._rows(hrefs=wanted))}
        for href in wanted:
            yield href, found.get(href)

    def get_filtered(self, filters) -> Iterator[tuple[LazyItem, bool]]:
        simplified = self.prefilter(filters)
        if simplified is None:
            return
        _, start, end, _ = simplified
        yield from self.narrow(self._items(self._rows(time_range=(start, end))), simplified)

    def has_uid(self, uid: str) -> bool:
        with self._store.connection() as conn:
            return activities.find_by_uid(conn, self._owner.id, uid) is not None

    def upload(self, href: str, item: radicale_item.Item):
        if item.component_name != self._component.value:
            raise ValueError(
                f"this collection holds {self._component.value} components, "
                f"not {item.component_name}"
            )
        with self._store.connection() as conn:
            existing = activities.find_by_href(conn, self._scope, href)
            types = crm.list_activity_types(conn)
            default_type = (
                self._owner.default_import_type
                if self._component is ComponentKind.EVENT
                else TASK_TYPE
            )
            try:
                activity = ical.activity_from_ical(
                    item.serialize(),
                    owner_id=self._owner.id,
                    default_type_key=default_type,
                    existing=existing,
                )
            except ical.ICalError as error:
                raise ValueError(str(error)) from error
            activity = replace(activity, href=href)
            activity_type = types.get(activity.type_key)
            if (
                activity_type is None
                or activities.component_for(activity, activity_type) is not self._component
            ):
                activity = replace(activity, type_key=default_type)
            if self._component is ComponentKind.EVENT and activity.due_date is None:
                raise ValueError("an event needs a start (DTSTART)")
            try:
                activities.save_activity(conn, activity, types)
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

    def _revision(self, conn: sa.Connection) -> int:
        return activities.max_revision(conn, self._scope)

    @property
    def etag(self) -> str:
        with self._store.connection() as conn:
            revision = self._revision(conn)
        return f'"{self.row_id}-{self._row.revision}-{revision}"'

    @property
    def last_modified(self) -> str:
        with self._store.connection() as conn:
            rows = activities.listing(conn, self._scope, latest=True)
        return http_date(rows[0].updated_at if rows else self._row.updated_at)

    def sync(self, old_token: str = "") -> tuple[str, Iterable[str]]:
        with self._store.connection() as conn:
            current = self._revision(conn)
            token = self.token(current)
            if not old_token:
                return token, [row.href for row in activities.listing(conn, self._scope)]
            since = self.parse_token(old_token, current)
            return token, activities.changed_since(conn, self._scope, since)
