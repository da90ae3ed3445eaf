"""The common calendar-query REPORT, answered without Radicale's per-item XML work.

Calendar clients fetch a visible range with a calendar-query REPORT asking
for `getetag` and `calendar-data`. Radicale answers it correctly but builds,
sanitises and serialises an element tree item by item, which for a busy
week of a large calendar costs more than everything else together. For
exactly that request shape this module writes the same multistatus as
text: the items come from the collection's own `get_filtered` (the SQL
time-range prefilter) and Radicale's own `test_filter` where the
prefilter is not exact, with Radicale's rights checked first, so what is
listed, and what each user may see (team items stay masked), is what
Radicale would answer. Any other REPORT goes to Radicale, and so does this
one when an item is not what the text writer expects (an href that is not
one path segment, an etag missing): a failed fast path must never be a
failed request.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote
from xml.sax.saxutils import escape

from radicale import item as radicale_item
from radicale import pathutils, storage
from radicale.app.report import test_filter
from radicale.xmlutils import make_clark

from bridge import deadline

CALENDAR_QUERY = make_clark("C:calendar-query")
PROP = make_clark("D:prop")
GETETAG = make_clark("D:getetag")
CALENDAR_DATA = make_clark("C:calendar-data")
FILTER = make_clark("C:filter")
EXPAND = make_clark("C:expand")
HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
)


class TooManyOccurrences(ValueError):
    """The answer would hold more VEVENTs than `[reporting] max_expand_occurrence` allows."""


class Unanswerable(Exception):
    """An item this module cannot write as Radicale would: leave the whole REPORT to Radicale."""


@dataclass(frozen=True)
class CalendarQuery:
    """A calendar-query this module answers: which of the two properties, and the filters."""

    etag: bool
    data: bool
    filters: list[ET.Element]

    @classmethod
    def of(cls, request: ET.Element | None) -> CalendarQuery | None:
        """The query, or None for any REPORT this module leaves to Radicale."""
        if request is None or request.tag != CALENDAR_QUERY:
            return None
        if request.find(f".//{EXPAND}") is not None:
            return None
        props = request.find(PROP)
        if props is None or len(props) == 0:
            return None
        tags = [prop.tag for prop in props]
        if set(tags) - {GETETAG, CALENDAR_DATA} or len(tags) != len(set(tags)):
            return None
        data = props.find(CALENDAR_DATA)
        if data is not None and (len(data) or data.attrib):
            return None
        return cls(GETETAG in tags, data is not None, request.findall(FILTER))


def answer(
    query: CalendarQuery,
    collection: storage.BaseCollection,
    base_prefix: str,
    max_occurrences: int,
) -> bytes:
    """The multistatus for `query` on `collection`, as Radicale would write it.

    Raises `TooManyOccurrences` past the limit, and `Unanswerable` for items
    it cannot write (the caller then lets Radicale answer).
    """
    parts = [HEAD]
    vevents = 0
    # An item's href is one path segment below the collection's, which is sanitised once.
    prefix = quote(base_prefix + pathutils.unstrip_path(collection.path, True))
    for item in _matching(query, collection):
        deadline.check()
        _check_writable(item)
        href = prefix + quote(item.href)
        props = []
        if query.etag:
            props.append(f"<getetag>{escape(item.etag)}</getetag>")
        if query.data:
            text = item.serialize()
            vevents += sum(1 for line in text.splitlines() if line.upper() == "BEGIN:VEVENT")
            if max_occurrences and vevents > max_occurrences:
                raise TooManyOccurrences(f"REPORT occurrences limit of {max_occurrences} hit")
            props.append(f"<C:calendar-data>{escape(text)}</C:calendar-data>")
        parts.append(
            f"<response><href>{escape(href)}</href><propstat><prop>{''.join(props)}</prop>"
            "<status>HTTP/1.1 200 OK</status></propstat></response>"
        )
    parts.append("</multistatus>")
    return "".join(parts).encode("utf-8")


def _check_writable(item: radicale_item.Item) -> None:
    """`Unanswerable` unless the item has a one-segment href and an etag."""
    if not (
        isinstance(item.href, str)
        and pathutils.is_safe_path_component(item.href)
        and isinstance(item.etag, str)
    ):
        raise Unanswerable(f"item {item.href!r} of the collection is not one plain resource")


def _matching(query: CalendarQuery, collection: storage.BaseCollection) -> Iterator:
    """The collection's items that pass every filter, by prefilter and then by Radicale."""
    for item, exact in collection.get_filtered(query.filters):
        if exact or all(test_filter(collection.tag, item, f) for f in query.filters):
            yield item
