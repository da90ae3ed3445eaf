"""``/<user>/team/``: everyone else's activities, read-only, private ones masked.

Items are named by activity id (``<id>.ics``), never by the owner's href or
UID, and a private activity is served as an opaque busy block from
`bridge.ical.render_masked`, so nothing of it but its time reaches the reader.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import sqlalchemy as sa
from radicale import item as radicale_item

from bridge import ical
from bridge.store import activities
from plugins.storage.collection import SQLCollection
from plugins.storage.items import LazyItem, TextLoader, http_date


def _id_from_href(href: str) -> int | None:
    stem = href.removesuffix(".ics")
    return int(stem) if stem.isdigit() and href.endswith(".ics") else None


class TeamCollection(SQLCollection):
    def __init__(self, store, path: str, row: sa.Row, reader_id: int) -> None:
        super().__init__(store, path, row)
        self._scope = activities.Scope(reader_id, team=True)

    def _fetch_texts(self, ids):
        with self._store.connection() as conn:
            shown = {}
            for activity in activities.by_ids(conn, ids):
                shown[activity.id] = (
                    ical.render_masked(activity)
                    if activity.private
                    else ical.without_alarms(activity.ical or "")
                )
            return shown

    def _items(self, rows: list[sa.Row]) -> Iterator[LazyItem]:
        loader = TextLoader([row.id for row in rows], self._fetch_texts)
        for row in rows:
            yield LazyItem(
                collection=self,
                href=f"{row.id}.ics",
                etag=f'"t{row.revision}"',
                uid=ical.masked_uid(row.uid) if row.private else row.uid,
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
        ids = [key for key in map(_id_from_href, wanted) if key is not None]
        found = {item.href: item for item in self._items(self._rows(ids=ids))}
        for href in wanted:
            yield href, found.get(href)

    def get_filtered(self, filters) -> Iterator[tuple[LazyItem, bool]]:
        simplified = self.prefilter(filters)
        if simplified is None:
            return
        _, start, end, _ = simplified
        yield from self.narrow(self._items(self._rows(time_range=(start, end))), simplified)

    def has_uid(self, uid: str) -> bool:
        return False

    def upload(self, href: str, item: radicale_item.Item):
        raise ValueError("the team calendar is read-only")

    def delete(self, href: str | None = None) -> None:
        raise ValueError("the team calendar is read-only")

    @property
    def etag(self) -> str:
        with self._store.connection() as conn:
            revision = activities.max_revision(conn, self._scope)
        return f'"{self.row_id}-{self._row.revision}-{revision}"'

    def sync(self, old_token: str = "") -> tuple[str, Iterable[str]]:
        with self._store.connection() as conn:
            current = activities.max_revision(conn, self._scope)
            token = self.token(current)
            if not old_token:
                return token, [f"{row.id}.ics" for row in activities.listing(conn, self._scope)]
            since = self.parse_token(old_token, current)
            return token, activities.changed_since(conn, self._scope, since)
