"""The WebDAV/CalDAV request bodies the provider sends and the multistatus replies it reads.

Four requests cover everything: a sync-collection REPORT (RFC 6578) for
what changed since a sync token, a calendar-query REPORT (RFC 4791 7.8)
for the events of a time range, a calendar-multiget REPORT (7.9) for
given objects, and a Depth 1 PROPFIND of `getetag` for servers without
sync-collection. Hrefs are kept as the server spelled them (percent-
encoding included), reduced to their path when a server sends whole URLs,
so an href read in one reply matches the same href in the next.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from bridge.ical.times import utc_stamp

DAV = "{DAV:}"
CALDAV = "{urn:ietf:params:xml:ns:caldav}"
_HEAD = '<?xml version="1.0" encoding="utf-8"?>\n'
_NAMESPACES = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"'
_OBJECT_PROPS = "<D:prop><D:getetag/><C:calendar-data/></D:prop>"
SYNC_TRUNCATED = 507
"""The status of the extra response a server adds when it cut a sync-collection reply short."""


@dataclass(frozen=True)
class Entry:
    """One `DAV:response` of a multistatus: an href, its status and the properties asked for."""

    href: str
    status: int
    etag: str | None
    calendar_data: str | None
    collection: bool


@dataclass(frozen=True)
class Multistatus:
    entries: tuple[Entry, ...]
    sync_token: str | None
    truncated: bool
    """A sync-collection reply cut short (RFC 6578 3.6): ask again with `sync_token`."""


def sync_collection(token: str) -> str:
    """Members changed or removed since `token` ("" for all members and a first token)."""
    return (
        f"{_HEAD}<D:sync-collection {_NAMESPACES}><D:sync-token>{escape(token)}</D:sync-token>"
        "<D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>"
    )


def calendar_query(window: tuple[dt.datetime, dt.datetime]) -> str:
    """Every object with a VEVENT (occurrences included) that overlaps `window`."""
    start, end = (utc_stamp(moment) for moment in window)
    return (
        f"{_HEAD}<C:calendar-query {_NAMESPACES}>{_OBJECT_PROPS}"
        '<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
        f'<C:time-range start="{start}" end="{end}"/>'
        "</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"
    )


def calendar_multiget(hrefs: Iterable[str]) -> str:
    """The etag and iCalendar text of each of `hrefs`."""
    listed = "".join(f"<D:href>{escape(href)}</D:href>" for href in hrefs)
    return (
        f"{_HEAD}<C:calendar-multiget {_NAMESPACES}>{_OBJECT_PROPS}{listed}</C:calendar-multiget>"
    )


def etag_propfind() -> str:
    """For a Depth 1 PROPFIND: each member's etag, and whether it is a collection."""
    props = "<D:prop><D:getetag/><D:resourcetype/></D:prop>"
    return f"{_HEAD}<D:propfind {_NAMESPACES}>{props}</D:propfind>"


def multistatus(tree: Any) -> Multistatus:
    """Read a `DAV:multistatus` (an lxml element, or None for an empty body)."""
    if tree is None:
        return Multistatus((), None, False)
    entries: list[Entry] = []
    truncated = False
    for response in tree.iter(f"{DAV}response"):
        status = _status(response.findtext(f"{DAV}status"))
        if status == SYNC_TRUNCATED and response.find(f"{DAV}propstat") is None:
            truncated = True
            continue
        props = _found_props(response)
        for href in response.iterfind(f"{DAV}href"):
            entries.append(_entry(href.text or "", status, props))
    token = tree.findtext(f"{DAV}sync-token")
    return Multistatus(tuple(entries), token.strip() if token else None, truncated)


def href_path(href: str) -> str:
    """An href as a path: servers may send absolute URLs where others send paths."""
    href = href.strip()
    return urlsplit(href).path if "://" in href else href


def _entry(href: str, status: int | None, props: dict[str, Any]) -> Entry:
    etag = props.get(f"{DAV}getetag")
    data = props.get(f"{CALDAV}calendar-data")
    resourcetype = props.get(f"{DAV}resourcetype")
    return Entry(
        href=href_path(href),
        status=status if status is not None else (200 if props else 404),
        etag=etag.text.strip() if etag is not None and etag.text else None,
        calendar_data=data.text if data is not None and data.text else None,
        collection=resourcetype is not None and resourcetype.find(f"{DAV}collection") is not None,
    )


def _found_props(response: Any) -> dict[str, Any]:
    """The properties of the response's 200 propstats, by Clark name."""
    props: dict[str, Any] = {}
    for propstat in response.iterfind(f"{DAV}propstat"):
        if _status(propstat.findtext(f"{DAV}status")) in (None, 200):
            for prop in propstat.iterfind(f"{DAV}prop"):
                props.update((child.tag, child) for child in prop if isinstance(child.tag, str))
    return props


def _status(text: str | None) -> int | None:
    """The code of an HTTP status line such as `HTTP/1.1 404 Not Found`."""
    parts = (text or "").split()
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
