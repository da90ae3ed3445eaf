"""Collections clients create themselves (MKCALENDAR, MKCOL), items stored verbatim."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from radicale import item as radicale_item
from radicale.storage import ComponentNotFoundError

from bridge.store import dav
from plugins.storage.collection import SQLCollection
from plugins.storage.items import LazyItem


def stored_from_item(href: str, item: radicale_item.Item) -> dav.StoredItem:
    """The row an uploaded Radicale item becomes (Radicale already validated it).

    A UID longer than its column is a ValueError, which Radicale answers 400.
    """
    if len(item.uid) > dav.item.uid.type.length:
        raise ValueError(f"the UID is longer than {dav.item.uid.type.length} characters")
    component = item.component_name
    start, end = item.time_range if component else (0, 0)
    text = item.serialize()
    return dav.StoredItem(
        href=href,
        uid=item.uid,
        component=component,
        text=text,
        etag=radicale_item.get_etag(text),
        range_start=start,
        range_end=end,
        recurring="RRULE" in text or "RDATE" in text,
    )


class PlainCollection(SQLCollection):
    """Items over ``max_resource_size`` are not served, but a depth-1 PROPFIND still
    lists them, as Radicale's file storage checks file sizes everywhere but there."""

    def _rows(self, *, oversized: bool = False, **narrowing: Any) -> list[sa.Row]:
        if self._row is None:
            return []
        limit = None if oversized else self._store.max_resource_size
        with self._store.connection() as conn:
            return dav.list_items(conn, self._row.id, max_bytes=limit, **narrowing)

    def listed(self) -> Iterator[LazyItem]:
        return self._items(self._rows(oversized=True))

    def _hidden(self, hrefs: list[str]) -> set[str]:
        return {row.href for row in self._rows(oversized=True, hrefs=hrefs)}

    def _stored(self, href: str) -> LazyItem | None:
        """The item at `href` whatever its size (the limit is checked before a PUT,
        in characters, so an item stored just now may be over it in bytes)."""
        return next(self._items(self._rows(oversized=True, hrefs=[href])), None)

    def _item_fields(self, row: sa.Row) -> tuple[str, str, str]:
        return row.href, row.etag, row.uid

    def _fetch_texts(self, keys: Sequence[int]) -> dict[int, str]:
        with self._store.connection() as conn:
            return dav.item_texts(conn, keys)

    def _changed_since(self, conn: sa.Connection, revision: int) -> list[str]:
        return dav.changed_since(conn, self.row_id, revision)

    def _current_revision(self, conn: sa.Connection) -> int:
        """Re-read: the row may have been loaded before this request's writes."""
        row = dav.get_collection(conn, self._path) if self._row is not None else None
        return row.revision if row is not None else 0

    def has_uid(self, uid: str) -> bool:
        if self._row is None:
            return False
        with self._store.connection() as conn:
            return dav.has_uid(conn, self._row.id, uid)

    def upload(self, href: str, item: radicale_item.Item) -> tuple[LazyItem, LazyItem | None]:
        if self._row is None:
            raise ValueError("cannot store items in the root collection")
        replaced = self._stored(href)
        with self._store.connection() as conn:
            dav.put_items(conn, self._row.id, [stored_from_item(href, item)])
        uploaded = self._stored(href)
        assert uploaded is not None
        return uploaded, replaced

    def delete(self, href: str | None = None) -> None:
        """Delete an item, or the collection with everything below it.

        The root has no row: deleting it deletes every top-level collection,
        as Radicale's file storage empties its folder.
        """
        with self._store.connection() as conn:
            if href is None:
                paths = [self._path]
                if not self._path:
                    paths = [row.path for row in dav.child_collections(conn, "")]
                for path in paths:
                    dav.delete_collection(conn, path)
                return
            if self._row is None or not dav.list_items(conn, self._row.id, hrefs=[href]):
                raise ComponentNotFoundError(href)
            dav.delete_item(conn, self._row.id, href)

    @property
    def etag(self) -> str:
        return f'"{self.row_id}-{self._revision()}"'
