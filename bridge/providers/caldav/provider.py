"""Any CalDAV server (iCloud, Fastmail, Nextcloud, Radicale) behind the `CalendarProvider` contract.

The pieces, one job each: `http` (requests through the `caldav`
library's `DAVClient`, errors mapped), `xml` (request bodies,
multistatus replies), `listing` (full listings and deltas),
`cursor` (the opaque cursor), `ids` (event ids, recurrence
ids, resource names), `events` (a VEVENT -> `ExternalEvent`),
`series` (objects and recurring series -> events) and
`drafts` (drafts -> objects). This
module assembles them and does the writes, each one conditional:
`If-None-Match: *` on an href derived from the idempotency key for
creates, `If-Match` with the caller's etag for updates and deletes.

Ids: a calendar's id is its absolute URL; an event's id is its href, and
an occurrence's `href#RECURRENCE-ID` (see `ids`). The etag of
an occurrence is its series' etag, so changing one occurrence (an
override, or an EXDATE for a deletion, both written into the series
object) changes the etag of every occurrence of the series.

Login: the user name (often the e-mail address) and an app password. A
password the server refuses is `GrantRevoked`, never `AuthExpired`:
CalDAV has nothing to refresh, the user must reconnect.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import unquote, urljoin, urlsplit

from bridge.providers import (
    CalendarProvider,
    ChangePage,
    EventDraft,
    ExternalCalendar,
    ExternalEvent,
    ItemRejected,
    NotFound,
    PreconditionFailed,
    TemporaryFailure,
)
from bridge.providers.caldav.cursor import Cursor
from bridge.providers.caldav.default import default_calendar_url, same_collection
from bridge.providers.caldav.drafts import (
    apply_draft,
    new_object,
    remove_occurrence,
    set_occurrence,
)
from bridge.providers.caldav.events import main_event, parse_object
from bridge.providers.caldav.http import DavSession, failure, library_errors
from bridge.providers.caldav.ids import (
    StoredObject,
    object_name,
    recurrence_moment,
    split_event_id,
)
from bridge.providers.caldav.listing import CalendarListing, Window, read_object
from bridge.providers.caldav.reach import Network
from bridge.providers.caldav.series import stored_event
from bridge.providers.caldav.xml import href_path

__all__ = ["CalDavCalendarProvider"]

OCCURRENCE_DELETE_ATTEMPTS = 3
"""Rereads of a series that keeps changing while an occurrence is deleted with any etag."""


class CalDavCalendarProvider(CalendarProvider):
    """One CalDAV account: the server's URL (or the user's e-mail domain), user name, password.

    It connects only to public addresses and those in `allowed_networks` (`reach`).
    """

    def __init__(
        self,
        url: str,
        username: str,
        password: str,
        *,
        timeout: float = 30,
        allowed_networks: Sequence[Network] = (),
    ) -> None:
        self._session = DavSession(
            url, username, password, timeout=timeout, allowed_networks=allowed_networks
        )
        self._listing = CalendarListing(self._session)

    def close(self) -> None:
        self._session.close()

    @property
    def requests_made(self) -> int:
        return self._session.requests

    def list_calendars(self) -> list[ExternalCalendar]:
        """The principal's calendars that take events, the server's default one first.

        CalDAV has no primary calendar: the one called primary is the one
        the server names as its default (`default`), or the only
        calendar there is; otherwise none is, and the user must pick.
        Writability is not asked (servers report privileges unreliably):
        a refused write surfaces as `ItemRejected`.
        """
        client = self._session.client
        with library_errors("listing calendars", self._session.url):
            principal = client.principal()
            found = [
                (str(calendar.url), calendar.get_display_name())
                for calendar in client.get_calendars(principal)
                if "VEVENT" in calendar.get_supported_components()
            ]
        default = default_calendar_url(self._session, str(principal.url))
        calendars = [
            ExternalCalendar(
                id=url,
                name=name or _last_segment(url),
                primary=len(found) == 1 or (default is not None and same_collection(url, default)),
                writable=True,
            )
            for url, name in found
        ]
        return sorted(calendars, key=lambda calendar: not calendar.primary)

    def list_changes(self, calendar_id: str, cursor: str | None, window: Window) -> ChangePage:
        """A full listing of the window, or what changed since the cursor (see `listing`)."""
        if cursor is None:
            return self._listing.full(calendar_id, window)
        return self._listing.since(Cursor.decode(cursor, calendar_id), window)

    def create(self, calendar_id: str, draft: EventDraft, idempotency_key: str) -> ExternalEvent:
        """PUT `If-None-Match: *` at the key's href; a 412 means an earlier try created it."""
        name = object_name(idempotency_key)
        url = calendar_id.rstrip("/") + "/" + name
        text = new_object(draft, draft.uid or name.removesuffix(".ics")).to_ical().decode()
        for _ in range(2):  # the first event may vanish between the 412 and the GET
            reply = self._session.put(url, text, {"If-None-Match": "*"})
            if reply.ok:
                return self._stored_event(url, text, reply.header("ETag"), None)
            if reply.status != 412:
                raise failure(reply, f"creating {url}", write=True)
            existing = read_object(self._session, url)
            if existing is not None:
                return stored_event(existing, None)
        raise TemporaryFailure(f"{url} keeps appearing and disappearing")

    def update(
        self, calendar_id: str, event_id: str, draft: EventDraft, etag: str
    ) -> ExternalEvent:
        """Rewrite the synced properties of the event (or of the occurrence's override) in the
        object the server holds, and PUT it back `If-Match: etag`."""
        href, recurrence_id = split_event_id(event_id)
        url = self._object_url(calendar_id, href)
        stored = read_object(self._session, url)
        if stored is None:
            raise NotFound(f"no event at {url}")
        calendar = parse_object(stored.text)
        if calendar is None:
            raise ItemRejected(f"{url} is not readable iCalendar")
        if recurrence_id is None:
            target = main_event(calendar)
            if target is None:
                raise NotFound(f"{url} holds no event")
            apply_draft(target, draft)
        else:
            _check_recurrence_id(recurrence_id)
            set_occurrence(calendar, recurrence_id, draft)
        text = calendar.to_ical().decode()
        # An event listed without an etag is guarded by the one just read.
        reply = self._session.put(url, text, {"If-Match": etag or stored.etag})
        if not reply.ok:
            raise failure(reply, f"updating {event_id}", write=True)
        return self._stored_event(url, text, reply.header("ETag"), recurrence_id)

    def delete(self, calendar_id: str, event_id: str, etag: str | None) -> None:
        """DELETE the object, or take the occurrence out of its series; gone already is fine."""
        href, recurrence_id = split_event_id(event_id)
        url = self._object_url(calendar_id, href)
        if recurrence_id is None:
            self._delete_object(url, etag)
            return
        try:
            _check_recurrence_id(recurrence_id)
        except NotFound:
            return  # no such occurrence: nothing to delete
        for _ in range(OCCURRENCE_DELETE_ATTEMPTS):
            if self._delete_occurrence(url, recurrence_id, etag):
                return
        raise PreconditionFailed(f"{url} kept changing while deleting {recurrence_id}")

    def _delete_object(self, url: str, etag: str | None) -> None:
        reply = self._session.request(
            "DELETE", url, headers={} if etag is None else {"If-Match": etag}
        )
        if not reply.ok and reply.status not in (404, 410):
            raise failure(reply, f"deleting {url}", write=True)

    def _delete_occurrence(self, url: str, recurrence_id: str, etag: str | None) -> bool:
        """One attempt; False when the series changed under a delete with any etag."""
        stored = read_object(self._session, url)
        if stored is None:
            return True
        calendar = parse_object(stored.text)
        if calendar is None:
            raise ItemRejected(f"{url} is not readable iCalendar")
        condition = etag or stored.etag
        headers = {"If-Match": condition} if condition else {}
        if remove_occurrence(calendar, recurrence_id):
            reply = self._session.put(url, calendar.to_ical().decode(), headers)
        else:
            reply = self._session.request("DELETE", url, headers=headers)
        if reply.ok or reply.status in (404, 410):
            return True
        if reply.status == 412 and etag is None:
            return False
        raise failure(reply, f"deleting {recurrence_id} of {url}", write=True)

    def _stored_event(
        self, url: str, text: str, etag: str | None, recurrence_id: str | None
    ) -> ExternalEvent:
        """The written event. With an ETag the server stored `text` as sent (RFC 4791 5.3.4);
        without one it may have changed it, so it is read back."""
        if etag is not None:
            return stored_event(StoredObject(href_path(url), etag, text), recurrence_id)
        stored = read_object(self._session, url)
        if stored is None:
            raise NotFound(f"{url} was deleted right after it was written")
        return stored_event(stored, recurrence_id)

    @staticmethod
    def _object_url(calendar_id: str, href: str) -> str:
        """The URL of an event of `calendar_id`; `NotFound` for an href outside it."""
        folder = unquote(urlsplit(calendar_id).path).rstrip("/") + "/"
        if not unquote(href_path(href)).startswith(folder):
            raise NotFound(f"{href} is not an event of {calendar_id}")
        return urljoin(calendar_id, href)


def _check_recurrence_id(recurrence_id: str) -> None:
    try:
        recurrence_moment(recurrence_id)
    except ValueError:
        raise NotFound(f"{recurrence_id!r} is no recurrence id") from None


def _last_segment(url: str) -> str:
    return unquote(urlsplit(url).path.rstrip("/").rpartition("/")[2])
