"""Collections clients create themselves (MKCALENDAR, MKCOL), items stored verbatim."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import sqlalchemy as sa
from radicale import item as radicale_item
from radicale.storage import ComponentNotFoundError

from bridge.store import dav
from plugins.storage.collection import SQLCollection
from plugins.storage.items import LazyItem, TextLoader, http_date


def stored_from_item(href: str, item: radicale_item.Item) -> dav.StoredItem:
    """The row an uploaded Radicale item becomes (Radicale already validated it)."""
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
    def _items(self, rows: list[sa.Row], loader: TextLoader | None = None) -> Iterator[LazyItem]:
        loader = loader or TextLoader([row.id for row in rows], self._fetch_texts)
        for row in rows:
            yield LazyItem(
                collection=self,
                href=row.href,
                etag=row.etag,
                uid=row.uid,
                component_name=row.component,
                time_range=(row.range_start, row.range_end),
                recurring=row.recurring,
                last_modified=http_date(row.updated_at),
                loader=loader,
                key=row.id,
            )

    def _fetch_texts(self, ids):
        with self._store.connection() as conn:
            return dav.item_texts(conn, ids)

    def _rows(self, **narrowing) -> list[sa.Row]:
        if self._row is None:
            return []
        with self._store.connection() as conn:
            return dav.list_items(conn, self._row.id, **narrowing)

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
        if self._row is None:
            return False
        with self._store.connection() as conn:
            return dav.has_uid(conn, self._row.id, uid)

    def upload(self, href: str, item: radicale_item.Item):
        if self._row is None:
            raise ValueError("cannot store items in the root collection")
        replaced = next(iter(dict(self.get_multi([href])).values()), None)
        with self._store.connection() as conn:
            dav.put_items(conn, self._row.id, [stored_from_item(href, item)])
        uploaded = dict(self.get_multi([href]))[href]
        assert uploaded is not None
        return uploaded, replaced

    def delete(self, href: str | None = None) -> None:
        with self._store.connection() as conn:
            if href is None:
                dav.delete_collection(conn, self._path)
                return
            if self._row is None or not dav.list_items(conn, self._row.id, hrefs=[href]):
                raise ComponentNotFoundError(href)
            dav.delete_item(conn, self._row.id, href)

    @property
    def etag(self) -> str:
        return f'"{self.row_id}-{self._row.revision if self._row is not None else 0}"'

    def sync(self, old_token: str = "") -> tuple[str, Iterable[str]]:
        with self._store.connection() as conn:
            row = dav.get_collection(conn, self._path) if self._row is not None else None
            current = row.revision if row is not None else 0
            token = self.token(current)
            if not old_token:
                return token, [item.href for item in self._rows()]
            since = self.parse_token(old_token, current)
            return token, dav.changed_since(conn, self.row_id, since) if row else []
