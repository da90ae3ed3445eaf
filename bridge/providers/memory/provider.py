"""`MemoryCalendarProvider`: the provider contract implemented over dictionaries, to the letter.

It serves two purposes. It is the reference for anyone writing a provider:
every rule of `bridge.providers` is visible here without an API in the
way (idempotent creates, etags that change on every write, conditional
updates and deletes, full listings of a window, opaque cursors that
report creates, edits and deletions, recurring events as occurrences with
exceptions, the activity stamp read back). And it is the calendar the
pure sync tests run against, with methods that play the rest of the world:
another client editing the calendar, the server expiring cursors,
throttling, or the user revoking the grant.

No I/O and no threads: time comes from an injectable clock, and an
instance, like every provider, is used by one thread at a time. It has no
`ProviderKind` and is not offered to users; it is a library class.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Callable, Sequence
from typing import Any

from bridge.providers import (
    CalendarProvider,
    ChangePage,
    EventDraft,
    ExternalCalendar,
    ExternalEvent,
    ItemRejected,
    Moment,
    NotFound,
    PreconditionFailed,
)
from bridge.providers.memory.calendar import MemoryCalendar, Series
from bridge.providers.memory.cursor import Cursor
from bridge.providers.memory.faults import Gate
from bridge.providers.memory.recurrence import Recurrence, Window

Clock = Callable[[], dt.datetime]

PRIMARY = ExternalCalendar("primary", "Calendar", primary=True, writable=True)
"""The calendar a provider has when the constructor is given none."""

EDITABLE = frozenset(
    {
        "uid",
        "summary",
        "description",
        "location",
        "start",
        "end",
        "all_day",
        "private",
        "busy",
        "attendees",
        "activity_stamp",
    }
)
"""The fields another client may change; ids, etags, status and times of change are the server's."""


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class MemoryCalendarProvider(CalendarProvider):
    """An account whose calendars live in memory.

    `calendars` are the account's calendars (one writable primary one by
    default); `clock` gives every write its `updated` time (aware UTC).
    `description_line_end` is the line end descriptions are stored with:
    some APIs give descriptions back with CRLF, and a caller that compares
    what it wrote with what it reads must cope, so tests can make this
    calendar do the same ("\\r\\n").

    The outside-world methods (`insert_event`, `edit_event`, `expire_cursors`,
    `throttle`...) act on the primary calendar unless given `calendar_id`;
    they are not requests and are never refused.
    """

    def __init__(
        self,
        calendars: Sequence[ExternalCalendar] = (PRIMARY,),
        *,
        clock: Clock = _utc_now,
        description_line_end: str = "\n",
    ) -> None:
        if not calendars or len({c.id for c in calendars}) != len(calendars):
            raise ValueError("an account has calendars, each with its own id")
        self._calendars = list(calendars)
        self._data = {calendar.id: MemoryCalendar() for calendar in calendars}
        self._clock = clock
        self._line_end = description_line_end
        self._gate = Gate()
        self._keys: dict[tuple[str, str], str] = {}
        """Event id created for each (calendar, idempotency key)."""
        self._ids = itertools.count(1)
        self._etags = itertools.count(1)

    # The contract.

    @property
    def requests_made(self) -> int:
        """Calls made so far, each counted as one request whether it succeeded or not."""
        return self._gate.requests

    def list_calendars(self) -> list[ExternalCalendar]:
        self._gate.enter("listing calendars")
        return sorted(self._calendars, key=lambda calendar: not calendar.primary)

    def list_changes(self, calendar_id: str, cursor: str | None, window: Window) -> ChangePage:
        """A full listing without a cursor; with one, exactly what changed since it.

        Changes are reported whatever the window (an event moved out of it
        is told, so the caller can let it go), except that occurrences are
        only ever expanded inside the window.
        """
        self._gate.enter(f"listing {calendar_id}")
        calendar = self._calendar(calendar_id)
        _check_window(window)
        new_cursor = Cursor(calendar_id, calendar.generation, len(calendar.log), window).encode()
        if cursor is None:
            return ChangePage(tuple(calendar.full(window)), new_cursor, full_listing=True)
        known = Cursor.decode(cursor, calendar_id, calendar.generation)
        events, complete = calendar.changes_since(known.position, known.window, window)
        return ChangePage(tuple(events), new_cursor, full_listing=False, complete_series=complete)

    def create(self, calendar_id: str, draft: EventDraft, idempotency_key: str) -> ExternalEvent:
        """A new single event; the same key again returns the event the key created.

        Should that event have been deleted since, the key creates it
        again under the same id, as a PUT `If-None-Match: *` would.
        """
        self._gate.enter(f"creating in {calendar_id}")
        calendar = self._writable(calendar_id)
        _check_draft(draft)
        event_id = self._keys.get((calendar_id, idempotency_key))
        if event_id is not None:
            existing = calendar.find(event_id)
            if existing is not None:
                return existing
        else:
            event_id = f"ev{next(self._ids)}"
            self._keys[(calendar_id, idempotency_key)] = event_id
        stored = ExternalEvent(
            id=event_id,
            etag=self._etag(),
            uid=draft.uid or f"{event_id}@memory",
            recurrence_id=None,
            status="confirmed",
            activity_stamp=draft.activity_stamp,
            updated=self._clock(),
            **self._content(draft),
        )
        calendar.singles[event_id] = stored
        calendar.tombstones.pop(event_id, None)
        calendar.record(event_id)
        return stored

    def update(
        self, calendar_id: str, event_id: str, draft: EventDraft, etag: str
    ) -> ExternalEvent:
        """Rewrite a single event or one occurrence (which becomes an exception of its series).

        A series as a whole is never written: listings only ever show its
        occurrences, so its id is `NotFound` here. The UID stays the
        event's (an exception keeps its series' UID).
        """
        self._gate.enter(f"updating {event_id}")
        calendar = self._writable(calendar_id)
        _check_draft(draft)
        current = self._current(calendar, event_id, etag)
        written = dataclasses.replace(
            current,
            etag=self._etag(),
            activity_stamp=draft.activity_stamp,
            updated=self._clock(),
            **self._content(draft),
        )
        self._put(calendar, written)
        return written

    def delete(self, calendar_id: str, event_id: str, etag: str | None) -> None:
        """Delete a single event, cancel one occurrence, or delete a whole series by its id."""
        self._gate.enter(f"deleting {event_id}")
        calendar = self._writable(calendar_id)
        if event_id in calendar.series:
            master = calendar.series[event_id].master
            if etag is not None and etag != master.etag:
                raise PreconditionFailed(f"{event_id} changed since etag {etag}")
            self._drop_series(calendar, event_id)
            return
        if calendar.find(event_id) is None:
            return  # gone already: deleted as far as the caller is concerned
        current = self._current(calendar, event_id, etag)
        self._remove(calendar, current)

    # The outside world: other clients of the calendar, the server, the user.

    def insert_event(
        self,
        summary: str,
        start: Moment,
        end: Moment,
        *,
        calendar_id: str | None = None,
        **fields: Any,
    ) -> ExternalEvent:
        """Another client creates a single event (not counted as a request, never refused).

        `fields` are other `ExternalEvent` content fields (`description`,
        `private`, `activity_stamp`...); `all_day` follows from the type of
        `start` unless given.
        """
        calendar = self._data[self._calendar_id(calendar_id)]
        event_id = f"out{next(self._ids)}"
        stored = self._outside_event(event_id, summary, start, end, fields)
        calendar.singles[event_id] = stored
        calendar.record(event_id)
        return stored

    def insert_series(
        self,
        summary: str,
        start: Moment,
        end: Moment,
        rule: Recurrence,
        *,
        calendar_id: str | None = None,
        **fields: Any,
    ) -> str:
        """Another client creates a recurring event whose first occurrence is `start`-`end`;
        its series id (occurrences are `<series id>_<recurrence id>`)."""
        calendar = self._data[self._calendar_id(calendar_id)]
        series_id = f"series{next(self._ids)}"
        master = self._outside_event(series_id, summary, start, end, fields)
        calendar.series[series_id] = Series(master, rule)
        calendar.record(series_id)
        return series_id

    def edit_event(
        self, event_id: str, *, calendar_id: str | None = None, **changes: Any
    ) -> ExternalEvent:
        """Another client edits a single event, one occurrence (making it an exception) or,
        given a series id, the whole series (its exceptions stay as they are)."""
        unknown = set(changes) - EDITABLE
        if unknown:
            raise TypeError(f"not an editable field: {sorted(unknown)}")
        calendar = self._data[self._calendar_id(calendar_id)]
        if event_id in calendar.series:
            series = calendar.series[event_id]
            series.master = self._edited(series.master, changes)
            calendar.record(event_id)
            return series.master
        current = calendar.find(event_id)
        if current is None:
            raise NotFound(f"no event {event_id}")
        edited = self._edited(current, changes)
        self._put(calendar, edited)
        return edited

    def delete_event(self, event_id: str, *, calendar_id: str | None = None) -> None:
        """Another client deletes a single event, cancels one occurrence, or deletes a series."""
        calendar = self._data[self._calendar_id(calendar_id)]
        if event_id in calendar.series:
            self._drop_series(calendar, event_id)
            return
        current = calendar.find(event_id)
        if current is None:
            raise NotFound(f"no event {event_id}")
        self._remove(calendar, current)

    def events(self, calendar_id: str | None = None) -> dict[str, ExternalEvent]:
        """The single events the calendar holds now, by id (series are not expanded here)."""
        return dict(self._data[self._calendar_id(calendar_id)].singles)

    def expire_cursors(self, calendar_id: str | None = None) -> None:
        """The server forgets the cursors it gave out (of one calendar, or all):
        listing with one of them is `CursorExpired`."""
        ids = list(self._data) if calendar_id is None else [calendar_id]
        for each in ids:
            self._data[each].generation += 1

    def revoke_grant(self) -> None:
        """The user withdraws CalBridge's access: every call is `GrantRevoked` from now on."""
        self._gate.revoked = True

    def restore_grant(self) -> None:
        """The user connects the account again."""
        self._gate.revoked = False

    def throttle(self, calls: int = 1, retry_after: float | None = None) -> None:
        """The next `calls` calls are `RateLimited` with this `retry_after`, doing nothing."""
        self._gate.throttle(calls, retry_after)

    def fail_temporarily(self, calls: int = 1) -> None:
        """The next `calls` calls are `TemporaryFailure` (a 5xx), doing nothing."""
        self._gate.fail(calls)

    # Helpers.

    def _calendar_id(self, calendar_id: str | None) -> str:
        """`calendar_id`, or when None the primary calendar (the first one if none is)."""
        if calendar_id is not None:
            return calendar_id
        return next((c.id for c in self._calendars if c.primary), self._calendars[0].id)

    def _calendar(self, calendar_id: str) -> MemoryCalendar:
        if calendar_id not in self._data:
            raise NotFound(f"no calendar {calendar_id}")
        return self._data[calendar_id]

    def _writable(self, calendar_id: str) -> MemoryCalendar:
        calendar = self._calendar(calendar_id)
        if not next(c for c in self._calendars if c.id == calendar_id).writable:
            raise ItemRejected(f"calendar {calendar_id} is read-only")
        return calendar

    def _current(self, calendar: MemoryCalendar, event_id: str, etag: str | None) -> ExternalEvent:
        """The event or occurrence as stored, if `etag` (when given) is still its etag."""
        current = calendar.find(event_id)
        if current is None:
            raise NotFound(f"no event {event_id}")
        if etag is not None and current.etag != etag:
            raise PreconditionFailed(f"{event_id} changed since etag {etag}")
        return current

    def _put(self, calendar: MemoryCalendar, written: ExternalEvent) -> None:
        """Store a changed single event or occurrence and log the change."""
        if written.id in calendar.singles:
            calendar.singles[written.id] = written
            calendar.record(written.id)
            return
        found = calendar.split(written.id)
        assert found is not None and written.recurrence_id is not None
        series, rid = found
        series.exceptions[rid] = written
        calendar.record(series.id, rid)

    def _remove(self, calendar: MemoryCalendar, current: ExternalEvent) -> None:
        gone = dataclasses.replace(
            current, status="cancelled", etag=self._etag(), updated=self._clock()
        )
        if current.id in calendar.singles:
            del calendar.singles[current.id]
            calendar.tombstones[current.id] = gone
            calendar.record(current.id)
        else:
            self._put(calendar, gone)

    def _drop_series(self, calendar: MemoryCalendar, series_id: str) -> None:
        master = calendar.series.pop(series_id).master
        calendar.tombstones[series_id] = dataclasses.replace(
            master, status="cancelled", etag=self._etag(), updated=self._clock()
        )
        calendar.record(series_id)

    def _outside_event(
        self, event_id: str, summary: str, start: Moment, end: Moment, fields: dict[str, Any]
    ) -> ExternalEvent:
        unknown = set(fields) - EDITABLE
        if unknown:
            raise TypeError(f"not an event field: {sorted(unknown)}")
        values: dict[str, Any] = {
            "uid": f"{event_id}@outside",
            "description": "",
            "location": "",
            "all_day": not isinstance(start, dt.datetime),
            "private": False,
            "busy": True,
            "attendees": (),
            "activity_stamp": None,
            **fields,
        }
        return ExternalEvent(
            id=event_id,
            etag=self._etag(),
            recurrence_id=None,
            status="confirmed",
            summary=summary,
            start=_utc(start),
            end=_utc(end),
            updated=self._clock(),
            **values,
        )

    def _edited(self, current: ExternalEvent, changes: dict[str, Any]) -> ExternalEvent:
        for name in ("start", "end"):
            if name in changes:
                changes = {**changes, name: _utc(changes[name])}
        return dataclasses.replace(current, etag=self._etag(), updated=self._clock(), **changes)

    def _content(self, draft: EventDraft) -> dict[str, Any]:
        """The fields a write takes from a draft, as this calendar stores them."""
        return {
            "summary": draft.summary,
            "description": draft.description.replace("\r\n", "\n").replace("\n", self._line_end),
            "location": draft.location,
            "start": _utc(draft.start),
            "end": _utc(draft.end),
            "all_day": draft.all_day,
            "private": draft.private,
            "busy": draft.busy,
            "attendees": tuple(draft.attendees),
        }

    def _etag(self) -> str:
        """A fresh etag: no two writes ever share one."""
        return f'"{next(self._etags)}"'


def _utc(moment: Moment) -> Moment:
    return moment.astimezone(dt.UTC) if isinstance(moment, dt.datetime) else moment


def _check_window(window: Window) -> None:
    if any(moment.tzinfo is None for moment in window):
        raise ValueError("the window is aware UTC datetimes")


def _check_draft(draft: EventDraft) -> None:
    """Refuse what a real API refuses: mixed or naive times, and an end before the start."""
    timed = [isinstance(moment, dt.datetime) for moment in (draft.start, draft.end)]
    if draft.all_day and any(timed):
        raise ItemRejected("an all-day event has dates, not times")
    if not draft.all_day:
        if not all(timed):
            raise ItemRejected("a timed event has times, not dates")
        if any(moment.tzinfo is None for moment in (draft.start, draft.end)):  # type: ignore[union-attr]
            raise ItemRejected("times must be aware")
    if draft.end < draft.start:  # type: ignore[operator]
        raise ItemRejected("the event ends before it starts")
