"""The calendar a CalDAV server calls the default: RFC 6638 `schedule-default-calendar-URL`.

A CalDAV account has no "primary" calendar the way a Google account has;
the nearest thing is the calendar a scheduling server files new
invitations into. RFC 6638 (section 9.2) defines the property on the
scheduling Inbox; some servers also answer it on the principal. So the
principal is asked for both the property and its Inbox's address, and the
Inbox only if the principal does not answer the property itself. A server
without scheduling has neither: then there is no default, and the user
picks the calendar.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from bridge.providers.caldav.http import DavSession
from bridge.providers.caldav.xml import CALDAV, DAV

DEFAULT_CALENDAR = f"{CALDAV}schedule-default-calendar-URL"
INBOX = f"{CALDAV}schedule-inbox-URL"
_PROPFIND = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop>'
    "<C:schedule-default-calendar-URL/><C:schedule-inbox-URL/>"
    "</D:prop></D:propfind>"
)


def default_calendar_url(session: DavSession, principal_url: str) -> str | None:
    """The absolute URL of the server's default calendar for the principal, if it names one."""
    found = _hrefs(session, principal_url)
    if DEFAULT_CALENDAR in found:
        return urljoin(principal_url, found[DEFAULT_CALENDAR])
    if INBOX not in found:
        return None
    inbox_url = urljoin(principal_url, found[INBOX])
    default = _hrefs(session, inbox_url).get(DEFAULT_CALENDAR)
    return None if default is None else urljoin(inbox_url, default)


def same_collection(first: str, second: str) -> bool:
    """Whether two collection URLs name the same collection (encoding and final slash aside)."""
    return _path(first) == _path(second)


def _hrefs(session: DavSession, url: str) -> dict[str, str]:
    """The href each of the two properties holds on `url`; a failed answer holds none."""
    reply = session.xml("PROPFIND", url, _PROPFIND, 0)
    if not reply.ok or reply.tree is None:
        return {}
    return {
        name: href
        for name in (DEFAULT_CALENDAR, INBOX)
        if (href := _href(reply.tree, name)) is not None
    }


def _href(tree: Any, name: str) -> str | None:
    for prop in tree.iter(name):
        text = prop.findtext(f"{DAV}href")
        if text and text.strip():
            return text.strip()
    return None


def _path(url: str) -> str:
    return unquote(urlsplit(url).path).rstrip("/")
