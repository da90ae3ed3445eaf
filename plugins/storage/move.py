"""MOVE of an item between collections (or to a new name in the same one)."""

from __future__ import annotations

from radicale import item as radicale_item
from radicale import storage

from plugins.storage.base import StorageBase


class StoragePartMove(StorageBase):
    def move(
        self, item: radicale_item.Item, to_collection: storage.BaseCollection, to_href: str
    ) -> None:
        """Upload under the new name first, then delete the old one, in one transaction."""
        source = item.collection
        assert source is not None and item.href is not None
        moved = radicale_item.Item(collection_path=to_collection.path, text=item.serialize())
        if source.path == to_collection.path and item.href == to_href:
            return
        to_collection.upload(to_href, moved)
        source.delete(item.href)
