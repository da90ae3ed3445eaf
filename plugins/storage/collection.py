"""What all SQL-backed collections share: path, properties and sync-token parsing."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

import sqlalchemy as sa
from radicale import storage
from radicale.item import filter as radicale_filter

from bridge.store import dav
from plugins.storage.items import LazyItem, http_date

if TYPE_CHECKING:
    from plugins.storage.base import StorageBase

Prefilter = tuple[str | None, int, int, bool]
SYNC_TOKEN_PREFIX = "http://calbridge.org/ns/sync/"


class SQLCollection(storage.BaseCollection):
    """A collection with a ``dav_collections`` row (or the virtual root)."""

    def __init__(self, store: StorageBase, path: str, row: sa.Row | None) -> None:
        self._store = store
        self._path = path
        self._row = row

    @property
    def path(self) -> str:
        return self._path

    @property
    def row_id(self) -> int:
        return self._row.id if self._row is not None else 0

    def get_meta(self, key: str | None = None):
        props: Mapping[str, str] = dict(self._row.props) if self._row is not None else {}
        return props if key is None else props.get(key)

    def set_meta(self, props: Mapping[str, str]) -> None:
        if self._row is None:
            raise ValueError("the root collection has no properties")
        with self._store.connection() as conn:
            dav.set_props(conn, self._row.id, props)
            self._row = dav.get_collection(conn, self._path)

    @property
    def last_modified(self) -> str:
        return http_date(self._row.updated_at if self._row is not None else None)

    def token(self, revision: int) -> str:
        return f"{SYNC_TOKEN_PREFIX}{self.row_id}-{revision}"

    def parse_token(self, token: str, current: int) -> int:
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

    def prefilter(self, filters) -> Prefilter | None:
        """Radicale's simplified filter (tag, start, end, simple), or None for no tag.

        The (start, end) part is what collections push down to SQL.
        """
        if not self.tag:
            return None
        return radicale_filter.simplify_prefilters(filters, self.tag)

    @staticmethod
    def narrow(items: Iterable[LazyItem], prefilter: Prefilter) -> Iterator[tuple[LazyItem, bool]]:
        """Apply the component part of a prefilter and say which matches are exact.

        Only single, non-recurring events under a simple filter are exact;
        Radicale checks every other candidate against the full filter.
        """
        tag, start, end, simple = prefilter
        for item in items:
            if tag is not None and tag != item.component_name:
                continue
            item_start, item_end = item.time_range
            if item_start >= end or item_end <= start:
                continue
            exact = (
                simple
                and item.component_name == "VEVENT"
                and not item.recurring
                and (start <= item_start or item_end <= end)
            )
            yield item, exact
