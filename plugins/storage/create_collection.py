"""MKCOL, MKCALENDAR, whole-collection PUT, and the activity collections of a new principal."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from radicale import item as radicale_item
from radicale import pathutils

from bridge.store import dav
from plugins.storage.base import ACTIVITY_COLLECTIONS, StorageBase
from plugins.storage.collection import SQLCollection
from plugins.storage.plain import stored_from_item

ACTIVITY_COLLECTION_PROPS = {
    "activities": {"D:displayname": "Activities", "ICAL:calendar-color": "#2e86deff"},
    "tasks": {"D:displayname": "Tasks", "ICAL:calendar-color": "#27ae60ff"},
    "team": {"D:displayname": "Team", "ICAL:calendar-color": "#7f8c8dff"},
}


def _item_href(uid: str, taken: set[str], suffix: str) -> str:
    """A safe, unused href for an item of a whole-collection upload."""
    for candidate in (uid + suffix, radicale_item.get_etag(uid).strip('"') + suffix):
        if pathutils.is_safe_filesystem_path_component(candidate) and candidate not in taken:
            return candidate
    return radicale_item.find_available_uid(lambda href: href not in taken, suffix)


class StoragePartCreateCollection(StorageBase):
    def ensure_activity_collections(self, login: str) -> None:
        """Give a CalBridge user their activities, tasks and team calendars."""
        if self.user(login) is None:
            return
        with self.connection() as conn:
            for name, components in ACTIVITY_COLLECTIONS.items():
                path = f"{login}/{name}"
                if dav.get_collection(conn, path) is None:
                    props = {
                        "tag": "VCALENDAR",
                        "C:supported-calendar-component-set": components,
                        **ACTIVITY_COLLECTION_PROPS[name],
                    }
                    dav.create_collection(conn, path, name, props)

    def create_collection(
        self,
        href: str,
        items: Iterable[radicale_item.Item] | None = None,
        props: Mapping[str, str] | None = None,
    ) -> tuple[SQLCollection, dict[str, radicale_item.Item], list[str]]:
        path = pathutils.strip_path(href)
        owner, _, name = path.partition("/")
        kind = name if name in ACTIVITY_COLLECTIONS and self.user(owner) is not None else "plain"
        if kind != "plain" and items:
            raise ValueError("the activity collections cannot be replaced as a whole")
        with self.connection() as conn:
            existing = dav.get_collection(conn, path)
            if not props:
                if existing is None:
                    dav.create_collection(conn, path, "principal" if "/" not in path else kind, {})
            else:
                props = dict(props)
                if kind != "plain":
                    props.setdefault(
                        "C:supported-calendar-component-set", ACTIVITY_COLLECTIONS[kind]
                    )
                row = dav.create_collection(conn, path, kind, props)
                new_hrefs = self._store_items(conn, row.id, items, props.get("tag", ""))
                collection = self.collection_for(path, dav.get_collection(conn, path))
                return collection, {}, new_hrefs
        if "/" not in path:
            self.ensure_activity_collections(path)
        collection = self.load_collection(path)
        assert collection is not None
        return collection, {}, []

    def _store_items(self, conn, collection_id: int, items, tag: str) -> list[str]:
        if not items or tag not in ("VCALENDAR", "VADDRESSBOOK"):
            return []
        suffix = ".ics" if tag == "VCALENDAR" else ".vcf"
        taken: set[str] = set()
        stored = []
        for item in items:
            href = _item_href(item.uid, taken, suffix)
            taken.add(href)
            stored.append(stored_from_item(href, item))
        dav.put_items(conn, collection_id, stored)
        return sorted(taken)
