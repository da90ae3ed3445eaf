"""Radicale items whose text is read from SQL only when something needs it.

A PROPFIND for ETags over 100,000 items must not read 100,000 texts, so items
are built from index columns; the first item whose text is asked for loads
the texts of every item of the same listing in chunked queries.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from email.utils import format_datetime
from typing import TypeVar

import vobject
from radicale import item as radicale_item
from radicale import storage

from bridge.ical.times import utc
from bridge.ical.walks import read_bounded
from plugins.storage.occurrences import Occurrences, index

T = TypeVar("T")


class TextLoader:
    """Loads the texts of one listing's items together, on first demand."""

    def __init__(self, keys: Sequence[int], fetch: Callable[[Sequence[int]], dict[int, str]]):
        self._keys = list(keys)
        self._fetch = fetch
        self._texts: dict[int, str] | None = None

    def text(self, key: int) -> str:
        if self._texts is None or key not in self._texts:
            wanted = self._keys if self._texts is None else [key]
            loaded = self._fetch(wanted)
            self._texts = {**(self._texts or {}), **loaded}
        return self._texts[key]


def http_date(moment: dt.datetime | None) -> str:
    if moment is None:
        moment = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return format_datetime(utc(moment), usegmt=True)


class LazyItem(radicale_item.Item):
    """An item that knows its ETag, UID, component and time range without its text.

    A range query makes thousands of these, so the constructor sets the
    attributes Radicale's `Item.__init__` (3.9) sets without its per-item
    path sanitising (the collection's path is sanitised already), and the
    HTTP date of `last_modified` is only formatted when asked for. A ``name``
    of None (an address book's item: a VCARD, or a SOGo VLIST) is read from
    the text when asked for, as Radicale's own `Item` does.
    """

    def __init__(
        self,
        *,
        collection: storage.BaseCollection,
        href: str,
        etag: str,
        uid: str,
        component_name: str,
        time_range: tuple[int, int],
        modified: dt.datetime | None,
        loader: TextLoader,
        key: int,
        name: str | None = "VCALENDAR",
        recurring: bool = False,
    ) -> None:
        self._collection_path = collection.path
        self.collection = collection
        self.href = href
        self._modified = modified
        self._vobject_item = None
        self._etag = etag
        self._uid = uid
        self._name = name
        self._component_name = component_name
        self._time_range = time_range
        self._text = None
        self._loader = loader
        self._key = key
        self.recurring = recurring

    @property
    def last_modified(self) -> str:  # type: ignore[override]
        return http_date(self._modified)

    def serialize(self) -> str:
        if self._text is None:
            self._text = self._loader.text(self._key)
        return self._text

    @property
    def vobject_item(self) -> vobject.base.Component:
        if self._vobject_item is None:
            self._vobject_item = read_bounded(self.serialize())
        return self._vobject_item


class RecurringCache:
    """What filtering needs of recurring items, computed once per version of each.

    A recurring item is a candidate for every time-range query its series
    spans, and checking it means parsing it and expanding its rule. The
    parsed object and the item's occurrence index stay here, keyed by
    collection, href and ETag (so an edit is a new key); both are only read
    by filters, never handed to code that might change them.
    """

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._entries: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def parsed(self, key: Hashable, text: Callable[[], str]) -> vobject.base.Component:
        return self._get(("parsed", key), lambda: read_bounded(text()))

    def occurrences(self, key: Hashable, text: Callable[[], str]) -> Occurrences:
        return self._get(("occurrences", key), lambda: index(self.parsed(key, text)))

    def _get(self, key: Hashable, make: Callable[[], T]) -> T:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found  # type: ignore[return-value]
        made = make()
        with self._lock:
            self._entries[key] = made
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return made


recurring_items = RecurringCache()
