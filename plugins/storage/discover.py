"""Finding the collection or item behind a path, lazily: a lookup costs one or two queries."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import sqlalchemy as sa
from radicale import pathutils, types

from bridge.store import dav
from plugins.storage.activities import ActivityCollection
from plugins.storage.base import ACTIVITY_COLLECTIONS, StorageBase
from plugins.storage.collection import SQLCollection
from plugins.storage.plain import PlainCollection
from plugins.storage.team import TeamCollection


class StoragePartDiscover(StorageBase):
    def collection_for(self, path: str, row: sa.Row | None) -> SQLCollection:
        """The collection class a row's kind calls for."""
        if row is not None and row.kind in ACTIVITY_COLLECTIONS:
            owner = self.user(path.split("/", 1)[0])
            if owner is not None and owner.id is not None:
                if row.kind == "team":
                    return TeamCollection(self, path, row, owner.id)
                return ActivityCollection(self, path, row, owner, ACTIVITY_COLLECTIONS[row.kind])
        return PlainCollection(self, path, row)

    def load_collection(self, path: str) -> SQLCollection | None:
        """The collection at `path`; the root always exists, with a row once it has properties."""
        with self.connection() as conn:
            row = dav.get_collection(conn, path)
        if not path:
            return PlainCollection(self, "", row)
        return self.collection_for(path, row) if row is not None else None

    def discover(
        self,
        path: str,
        depth: str = "0",
        child_context_manager: Callable[[str, str | None], Any] | None = None,
        user_groups: set[str] | None = None,
    ) -> Iterator[types.CollectionOrItem]:
        sane_path = pathutils.strip_path(path)
        collection = self.load_collection(sane_path)
        if collection is None:
            parent_path, _, href = sane_path.rpartition("/")
            parent = self.load_collection(parent_path) if href else None
            if parent is not None and parent.tag:
                item = dict(parent.get_multi([href])).get(href)
                if item is not None:
                    yield item
            return
        yield collection
        if depth == "0":
            return
        guard = child_context_manager or (lambda _path, _href: contextlib.nullcontext())
        with self.connection() as conn:
            children = dav.child_collections(conn, sane_path)
        for child in children:
            if not child.path:
                continue  # the root's own row
            with guard(child.path, None):
                yield self.collection_for(child.path, child)
        for item in collection.listed():
            with guard(sane_path, item.href):
                yield item
