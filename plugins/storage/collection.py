"""What all SQL-backed collections share: properties, listings, filters and sync tokens.

A concrete collection says how to list its rows (`_rows`), how a row becomes
an item (`_item_fields`), where texts come from (`_fetch_texts`), its current
revision (`_current_revision`) and what changed since one (`_changed_since`);
everything Radicale asks of a collection for reading is answered here from
those.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from radicale import item as radicale_item
from radicale import storage
from radicale.app.report import test_filter
from radicale.item import filter as radicale_filter

from bridge import deadline
from bridge.store import dav
from plugins.storage.items import LazyItem, TextLoader, http_date, recurring_items

if TYPE_CHECKING:
    from plugins.storage.base import StorageBase

Prefilter = tuple[str | None, int, int, bool]
SYNC_TOKEN_PREFIX = "http://calbridge.org/ns/sync/"


class SQLCollection(storage.BaseCollection):
    """A collection with a ``dav_collections`` row; the root has one only once given properties."""

    def __init__(self, store: StorageBase, path: str, row: sa.Row | None) -> None:
        self._store = store
        self._path = path
        self._row = row
        self._read_revision: int | None = None

    @property
    def path(self) -> str:
        return self._path

    @property
    def row_id(self) -> int:
        return self._row.id if self._row is not None else 0

    # What a concrete collection provides.

    def _rows(self, **narrowing: Any) -> list[sa.Row]:
        """Live rows, narrowed by ``hrefs``, ``ids`` or ``time_range`` when given."""
        return []

    def _item_fields(self, row: sa.Row) -> tuple[str, str, str]:
        """(href, etag, uid) of a row's item."""
        raise NotImplementedError

    def _fetch_texts(self, keys: Sequence[int]) -> dict[int, str]:
        raise NotImplementedError

    def _current_revision(self, conn: sa.Connection) -> int:
        return self._row.revision if self._row is not None else 0

    def _changed_since(self, conn: sa.Connection, revision: int) -> list[str]:
        return []

    def _narrow_to(self, hrefs: list[str]) -> dict[str, Any]:
        return {"hrefs": hrefs}

    # Reading, answered from the above.

    def _items(self, rows: list[sa.Row]) -> Iterator[LazyItem]:
        loader = TextLoader([row.id for row in rows], self._fetch_texts)
        name = None if self.tag == "VADDRESSBOOK" else "VCALENDAR"
        for row in rows:
            href, etag, uid = self._item_fields(row)
            yield LazyItem(
                collection=self,
                href=href,
                etag=etag,
                uid=uid,
                component_name=row.component,
                time_range=(row.range_start, row.range_end),
                modified=row.updated_at,
                loader=loader,
                key=row.id,
                name=name,
                recurring=row.recurring,
            )

    def get_all(self) -> Iterator[LazyItem]:
        return self._items(self._rows())

    def listed(self) -> Iterator[LazyItem]:
        """The items a depth-1 PROPFIND lists."""
        return self.get_all()

    def get_multi(self, hrefs: Iterable[str]) -> Iterator[tuple[str, LazyItem | None]]:
        wanted = list(dict.fromkeys(hrefs))
        if not wanted:
            return
        found = {item.href: item for item in self._items(self._rows(**self._narrow_to(wanted)))}
        missing = [href for href in wanted if href not in found]
        hidden = self._hidden(missing) if missing else set()
        for href in wanted:
            if href not in hidden:
                yield href, found.get(href)

    def _hidden(self, hrefs: list[str]) -> set[str]:
        """Those of `hrefs` that exist but are not served: left out of `get_multi`,
        so a multiget answers nothing for them, as with the file storage."""
        return set()

    def get_filtered(self, filters: Iterable[Any]) -> Iterator[tuple[LazyItem, bool]]:
        """Candidates from SQL by time range, each with whether it surely matches.

        Single events under a simple filter match by their range alone.
        Recurring items are checked here with Radicale's own filter on a
        cached parse, so repeated queries do not parse the same series again;
        anything else is left for Radicale to check.
        """
        if not self.tag:
            return
        filters = list(filters)
        tag, start, end, simple = radicale_filter.simplify_prefilters(filters, self.tag)
        for item in self._items(self._rows(time_range=(start, end))):
            deadline.check()
            if tag is not None and tag != item.component_name:
                continue
            item_start, item_end = item.time_range
            if item.recurring:
                if self._recurring_match(item, filters, tag if simple else None, start, end):
                    yield item, True
                continue
            exact = (
                simple
                and item.component_name == "VEVENT"
                and (start <= item_start or item_end <= end)
            )
            yield item, exact

    def _recurring_match(
        self, item: LazyItem, filters: list[Any], simple_tag: str | None, start: int, end: int
    ) -> bool:
        """A time range alone on events is answered from the cached occurrence index."""
        if simple_tag == "VEVENT" and item.component_name == "VEVENT":
            key = (self._path, item.href, item.etag)
            found = recurring_items.occurrences(key, item.serialize).overlaps(start, end)
            if found is not None:
                return found
        return self._matches(item, filters)

    def _matches(self, item: LazyItem, filters: list[Any]) -> bool:
        parsed = recurring_items.parsed((self._path, item.href, item.etag), item.serialize)
        probe = radicale_item.Item(
            collection_path=self._path, vobject_item=parsed, href=item.href, etag=item.etag
        )
        return all(test_filter(self.tag, probe, filter_) for filter_ in filters)

    def _revision(self) -> int:
        """The current revision, read once per collection object in a read-only request
        (a PROPFIND asks for the CTag and the sync token together)."""
        if self._read_revision is not None and self._store.reading():
            return self._read_revision
        with self._store.connection() as conn:
            revision = self._current_revision(conn)
        self._read_revision = revision
        return revision

    @property
    def etag(self) -> str:
        revision = self._revision()
        meta_revision = self._row.revision if self._row is not None else 0
        return f'"{self.row_id}-{meta_revision}-{revision}"'

    def sync(self, old_token: str = "") -> tuple[str, Iterable[str]]:
        current = self._revision()
        since = self._parse_token(old_token, current) if old_token else None
        return f"{SYNC_TOKEN_PREFIX}{self.row_id}-{current}", self._changes(since)

    def _changes(self, since: int | None) -> Iterator[str]:
        """Evaluated only when iterated: a PROPFIND asks for the token alone."""
        if since is None:
            yield from (self._item_fields(row)[0] for row in self._rows())
            return
        with self._store.connection() as conn:
            yield from self._changed_since(conn, since)

    def _parse_token(self, token: str, current: int) -> int:
        """The revision an old sync token stands for; ValueError when it is not ours."""
        if not token.startswith(SYNC_TOKEN_PREFIX):
            raise ValueError(f"malformed sync token {token!r}")
        collection_part, _, revision_part = token[len(SYNC_TOKEN_PREFIX) :].partition("-")
        if not (collection_part.isdigit() and revision_part.isdigit()):
            raise ValueError(f"malformed sync token {token!r}")
        revision = int(revision_part)
        if int(collection_part) != self.row_id or revision > current:
            raise ValueError(f"sync token {token!r} is not valid for this collection")
        return revision

    # Properties.

    def get_meta(self, key: str | None = None) -> Any:
        props: Mapping[str, str] = dict(self._row.props) if self._row is not None else {}
        return props if key is None else props.get(key)

    def set_meta(self, props: Mapping[str, str]) -> None:
        with self._store.connection() as conn:
            if self._row is None:
                dav.create_collection(conn, self._path, "plain", props)
            else:
                dav.set_props(conn, self._row.id, props)
            self._row = dav.get_collection(conn, self._path)

    @property
    def last_modified(self) -> str:
        return http_date(self._row.updated_at if self._row is not None else None)
