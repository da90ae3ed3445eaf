"""External calendar APIs behind one contract: the base class every provider module implements.

The sync engine (`bridge.sync`) only ever talks to `CalendarProvider` and the
value types and errors below; it never imports a provider module, so Google,
Microsoft Graph, EWS and CalDAV are interchangeable. One module per provider
(`google.py`, `caldav_calendar.py`; Microsoft Graph and EWS to come) subclasses
`CalendarProvider` and translates its API into these types.

Methods are synchronous: the worker runs each account's sync in a thread, and
providers use blocking HTTP clients. Every method may raise any of the
`ProviderError` subclasses documented on it, and `RateLimited`,
`TemporaryFailure`, `AuthExpired` and `GrantRevoked` from any call: the
worker, not the provider, decides about retries and back-off.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from bridge.domain import Attendee

Moment = dt.datetime | dt.date
"""A start or end: an aware UTC datetime, or a date for all-day events."""


@dataclass(frozen=True)
class ExternalCalendar:
    """One calendar of the connected account, as offered in the settings page."""

    id: str
    name: str
    primary: bool
    writable: bool


@dataclass(frozen=True)
class ExternalEvent:
    """One event (or one occurrence of a recurring event) as the provider holds it now.

    `id` addresses exactly this event or occurrence in `update` and `delete`;
    a provider whose native id names a whole series (CalDAV's href) composes
    occurrence ids itself. `recurrence_id` is the occurrence's original start
    (RFC 5545 RECURRENCE-ID, as UTC text), None for a single event; `(id,
    recurrence_id)` is the key the link table uses. `uid` is the iCalendar UID
    ("" when the API has none).

    `description` is plain text (providers convert HTML bodies), `start` and
    `end` are aware UTC datetimes, or dates when `all_day` (the end date is
    exclusive). `activity_stamp` is the CalBridge activity id stamped into
    the event (Google private extended property, Graph/EWS extended
    property, iCal X- property), None for events CalBridge did not write.
    `updated` is the provider's last-modified time, in UTC.
    A `cancelled` event is a deletion: only `id`, `recurrence_id` and
    `updated` are meaningful.
    """

    id: str
    etag: str
    uid: str
    recurrence_id: str | None
    status: Literal["confirmed", "cancelled"]
    summary: str
    description: str
    location: str
    start: Moment
    end: Moment
    all_day: bool
    private: bool
    busy: bool
    attendees: tuple[Attendee, ...]
    activity_stamp: int | None
    updated: dt.datetime
    series_id: str | None = None
    """For an occurrence, the id its whole series has: the id a cancelled event
    carries when the series is deleted at once. None for single events."""

    @classmethod
    def deletion(
        cls,
        event_id: str,
        recurrence_id: str | None,
        updated: dt.datetime,
        series_id: str | None = None,
    ) -> ExternalEvent:
        """A deletion as a provider reports it: the rest of the fields mean nothing."""
        return cls(
            id=event_id,
            etag="",
            uid="",
            recurrence_id=recurrence_id,
            status="cancelled",
            summary="",
            description="",
            location="",
            start=updated,
            end=updated,
            all_day=False,
            private=False,
            busy=False,
            attendees=(),
            activity_stamp=None,
            updated=updated,
            series_id=series_id,
        )


@dataclass(frozen=True)
class EventDraft:
    """What CalBridge writes: the pushed content of one activity.

    Same conventions as `ExternalEvent`. Providers write `activity_stamp`
    where they can read it back, set `uid` when the API lets them choose
    it, and never send invitations to `attendees`.
    """

    uid: str
    summary: str
    description: str
    location: str
    start: Moment
    end: Moment
    all_day: bool
    private: bool
    busy: bool
    attendees: tuple[Attendee, ...]
    activity_stamp: int


@dataclass(frozen=True)
class ChangePage:
    """What `list_changes` found.

    `events` holds each changed event at most once, in its latest state;
    deletions come as `cancelled` events. `full_listing` is True when
    `events` is every event of the window (so a linked event that is absent
    was deleted), False when it only holds the changes since the cursor.
    `cursor` is opaque, to be passed to the next `list_changes` once all
    these changes are applied, never before.
    """

    events: tuple[ExternalEvent, ...]
    cursor: str
    full_listing: bool
    complete_series: frozenset[str] = frozenset()
    """Series (by `ExternalEvent.series_id`) whose every occurrence inside the
    window is in `events`, even in a partial listing (CalDAV lists a changed
    series whole): an occurrence of one of them that is missing is gone."""


@dataclass(frozen=True)
class WatchedChannel:
    """A push channel a provider opened (`SupportsPush.watch`).

    `resource_id` is the provider's opaque id of the watched resource (Google's
    `resourceId`, echoed as X-Goog-Resource-ID in every notification):
    notifications are checked against it, and stopping the channel needs it.
    `expires_at` (aware UTC) is when the provider stops notifying, which
    may be sooner than asked for; the channel must be replaced before then.
    """

    channel_id: str
    resource_id: str
    expires_at: dt.datetime


class ProviderError(Exception):
    """Base of every error a provider raises on purpose."""


class CursorExpired(ProviderError):
    """The cursor is no longer valid (Google 410, Graph syncStateNotFound, CalDAV
    invalid sync-token): list again with `cursor=None`."""


class PreconditionFailed(ProviderError):
    """The event changed since the etag the caller holds (HTTP 412): nothing was written."""


class NotFound(ProviderError):
    """The calendar or event does not exist (any more)."""


class RateLimited(ProviderError):
    """The API asked to slow down; `retry_after` is its Retry-After in seconds, if it said."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TemporaryFailure(ProviderError):
    """A 5xx answer or a dropped connection: the same call may succeed later."""


class AuthExpired(ProviderError):
    """The access token expired (HTTP 401): refresh it and retry."""


class GrantRevoked(ProviderError):
    """The refresh token or password no longer works (invalid_grant): the user must reconnect."""


class ItemRejected(ProviderError):
    """The API refused this one event (invalid data); other events can go on."""


class CalendarProvider(abc.ABC):
    """One connected account at one external calendar API.

    An instance holds the account's credentials; it is used by one thread at
    a time. Implementations must not e-mail attendees (`sendUpdates=none`,
    no invitations) and must only touch the calendar they are asked about.
    """

    create_chunk: int = 50
    """How many drafts `create_many` is best handed at once: what one batch request
    holds (Google 50, Graph 20). The sync engine pushes creates in chunks of it."""

    lists_stamps: bool = True
    """Whether `list_changes` fills in `activity_stamp`. A provider whose listing
    cannot carry it (Graph's delta returns no extended properties) says False and
    lists every stamp as None; the engine then asks `read_stamps` for the listed
    events no link knows, the only ones whose stamp matters."""

    @property
    @abc.abstractmethod
    def requests_made(self) -> int:
        """HTTP requests this provider has sent so far: the run log's and benchmarks' measure."""

    @abc.abstractmethod
    def list_calendars(self) -> list[ExternalCalendar]:
        """Every calendar of the account, the primary one first."""

    @abc.abstractmethod
    def list_changes(
        self, calendar_id: str, cursor: str | None, window: tuple[dt.datetime, dt.datetime]
    ) -> ChangePage:
        """The events of `calendar_id` that changed since `cursor`.

        `cursor=None` asks for a full listing: every event that overlaps
        `window` (start inclusive, end exclusive), with `full_listing=True`.
        With a cursor, the provider returns what changed since it (it may
        instead return a full listing and say so). Recurring events come
        expanded into their occurrences inside the window, never as a
        series master. The provider follows its own pagination and returns
        everything in one `ChangePage`.

        Raises `CursorExpired` when the cursor is no longer accepted, and
        `NotFound` when the calendar is gone.
        """

    @abc.abstractmethod
    def create(self, calendar_id: str, draft: EventDraft, idempotency_key: str) -> ExternalEvent:
        """Create an event from `draft` and return it as stored (with its id and etag).

        Idempotent: creating again with the same `idempotency_key` (a retry
        after a lost answer) returns the event the first call created instead
        of a second one (Google client-chosen id, Graph transactionId, CalDAV
        `If-None-Match: *` on a key-derived href).

        Raises `ItemRejected` when the API refuses the draft.
        """

    @abc.abstractmethod
    def update(
        self, calendar_id: str, event_id: str, draft: EventDraft, etag: str
    ) -> ExternalEvent:
        """Replace the content of `event_id` with `draft`, if its etag is still `etag`.

        Returns the event as stored after the write. Raises
        `PreconditionFailed` when the event's etag differs (nothing is
        written), `NotFound` when it is gone, `ItemRejected` when the API
        refuses the draft.
        """

    @abc.abstractmethod
    def delete(self, calendar_id: str, event_id: str, etag: str | None) -> None:
        """Delete `event_id`, only if its etag is still `etag` (any etag when None).

        An event that is already gone (404, 410) counts as deleted: no error.
        Raises `PreconditionFailed` when the event's etag differs.
        """

    def create_many(
        self, calendar_id: str, drafts: Mapping[str, EventDraft]
    ) -> dict[str, ExternalEvent | ProviderError]:
        """Create every draft, keyed by its idempotency key, as `create` would.

        Each key maps to the created event or to the `ItemRejected` for that
        one draft; errors about the whole account are raised. Calling again
        with the same keys is safe. This default makes one call per draft;
        providers with a batch API override it to push many drafts per
        request.
        """
        results: dict[str, ExternalEvent | ProviderError] = {}
        for key, draft in drafts.items():
            try:
                results[key] = self.create(calendar_id, draft, key)
            except ItemRejected as error:
                results[key] = error
        return results

    def read_stamps(self, calendar_id: str, event_ids: Sequence[str]) -> dict[str, int | None]:
        """The activity stamp of each of `event_ids` (None when CalBridge did not write it).

        Only asked of providers with `lists_stamps` False, with as few
        requests as the API allows; an event that is gone is left out.
        """
        raise NotImplementedError(f"{type(self).__name__} lists stamps with its events")

    def close(self) -> None:  # noqa: B027 (optional hook: most providers hold nothing to close)
        """Release the provider's connections; it is not used afterwards."""


@runtime_checkable
class SupportsPush(Protocol):
    """A provider that can notify CalBridge of changes (Google events.watch).

    Optional, so not part of `CalendarProvider`: the worker asks
    `isinstance(provider, SupportsPush)`. A notification only makes the
    account due; the sync itself is the usual `list_changes`. Providers
    drop notifications now and then, so the interval still syncs every
    account: push only shortens the delay. Both methods raise the errors
    every call may raise.
    """

    def watch(
        self, calendar_id: str, address: str, channel_id: str, token: str, ttl: dt.timedelta
    ) -> WatchedChannel:
        """Open channel `channel_id` on the events of `calendar_id`, for about `ttl`.

        The provider then POSTs a notification to `address` (an HTTPS URL)
        after changes, carrying `channel_id` and `token`, which is how the
        receiver tells real notifications from forged ones. Channel ids must
        be unique. Raises `NotFound` when the calendar is gone and
        `ItemRejected` when the provider refuses the channel (e.g. an address
        it will not call).
        """

    def stop_watch(self, channel_id: str, resource_id: str) -> None:
        """Stop the channel; one that is already gone (expired, stopped) counts as stopped."""
