"""One calendar held in memory: single events, recurring series, and the log of changes. Pure.

What a calendar server keeps, reduced to what the provider contract needs:

- single events by id;
- series by id: a master (the first occurrence's content and times), a
  `Recurrence`, and exceptions by recurrence id (an occurrence edited on
  its own, or cancelled). An occurrence's id is `<series id>_<recurrence
  id>`, as in Google Calendar; without an exception it shares the
  master's etag, so editing the series changes every plain occurrence's etag;
- the last state of deleted events and series (tombstones), to report
  deletions to cursors issued before them;
- an append-only log of what changed: `(id, recurrence id)`, where a
  recurrence id means one occurrence and None the event or the whole series.

The log position is what cursors hold. `changes_since` turns log entries
back into events in their latest state, each at most once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field

from bridge.ical.times import overlaps
from bridge.providers import ExternalEvent, Moment, NotFound
from bridge.providers.memory.recurrence import (
    Recurrence,
    Window,
    duration_of,
    occurrence_end,
    recurrence_id,
    recurrence_moment,
)

OCCURRENCE_SEPARATOR = "_"


@dataclass
class Series:
    """A recurring event: `master` holds the content and the first occurrence's times."""

    master: ExternalEvent
    rule: Recurrence
    exceptions: dict[str, ExternalEvent] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.master.id

    def occurrence(self, rid: str) -> ExternalEvent | None:
        """The occurrence with recurrence id `rid` as it is now (an exception, or the plain
        one), None when the series has no such occurrence."""
        if rid in self.exceptions:
            return self.exceptions[rid]
        try:
            start = recurrence_moment(rid)
        except ValueError:
            return None
        if not self.rule.has_start(self.master.start, start):
            return None
        return self._plain(start)

    def occurrences(self, window: Window, *, cancelled: bool = False) -> Iterator[ExternalEvent]:
        """The occurrences that overlap `window`: plain ones and exceptions (cancelled ones
        only when asked, for listings that report deletions)."""
        duration = duration_of(self.master.start, self.master.end)
        for start in self.rule.starts_meeting(self.master.start, duration, window):
            if recurrence_id(start) not in self.exceptions:
                yield self._plain(start)
        for exception in self.exceptions.values():
            if exception.status == "cancelled":
                if cancelled and overlaps(exception.start, exception.end, window):
                    yield exception
            elif overlaps(exception.start, exception.end, window):
                yield exception

    def _plain(self, start: Moment) -> ExternalEvent:
        duration = duration_of(self.master.start, self.master.end)
        rid = recurrence_id(start)
        return dataclasses.replace(
            self.master,
            id=occurrence_id(self.id, rid),
            recurrence_id=rid,
            series_id=self.id,
            start=start,
            end=occurrence_end(start, duration),
        )


@dataclass(frozen=True)
class Change:
    """One log entry: `event_id` (a single event or a series) changed, or one occurrence of it."""

    event_id: str
    recurrence_id: str | None


@dataclass
class MemoryCalendar:
    """The events of one calendar and their history; the provider does the checks."""

    singles: dict[str, ExternalEvent] = field(default_factory=dict)
    series: dict[str, Series] = field(default_factory=dict)
    tombstones: dict[str, ExternalEvent] = field(default_factory=dict)
    log: list[Change] = field(default_factory=list)
    generation: int = 0
    """Bumped when every cursor of the calendar expires."""

    def record(self, event_id: str, rid: str | None = None) -> None:
        self.log.append(Change(event_id, rid))

    def find(self, event_id: str) -> ExternalEvent | None:
        """The single event or occurrence `event_id` as it is now; None when there is none
        (a cancelled occurrence counts as none)."""
        if event_id in self.singles:
            return self.singles[event_id]
        found = self.split(event_id)
        if found is None:
            return None
        series, rid = found
        occurrence = series.occurrence(rid)
        return None if occurrence is None or occurrence.status == "cancelled" else occurrence

    def split(self, event_id: str) -> tuple[Series, str] | None:
        """(series, recurrence id) of an occurrence id, None for any other id."""
        series_id, separator, rid = event_id.rpartition(OCCURRENCE_SEPARATOR)
        if not separator or series_id not in self.series:
            return None
        return self.series[series_id], rid

    def full(self, window: Window) -> list[ExternalEvent]:
        """Every event and occurrence that overlaps `window`, deletions left out."""
        events = [e for e in self.singles.values() if overlaps(e.start, e.end, window)]
        for series in self.series.values():
            events.extend(series.occurrences(window))
        return events

    def changes_since(
        self, position: int, listed: Window, window: Window
    ) -> tuple[list[ExternalEvent], frozenset[str]]:
        """The events changed since log `position`, in their latest state, and the series
        listed whole (every occurrence inside `window`).

        A series created or edited as a whole comes whole; an occurrence
        changed on its own comes alone; deleted events and series come as
        their cancelled last state. Occurrences of unchanged series that
        `window` reaches and the `listed` window (the cursor's) did not are
        reported too: for the caller they are new.
        """
        whole: set[str] = set()
        occurrences: dict[str, set[str]] = {}
        order: list[str] = []
        for change in self.log[position:]:
            if change.event_id not in occurrences:
                occurrences[change.event_id] = set()
                order.append(change.event_id)
            if change.recurrence_id is None:
                whole.add(change.event_id)
            else:
                occurrences[change.event_id].add(change.recurrence_id)
        events: list[ExternalEvent] = []
        complete: set[str] = set()
        for event_id in order:
            if event_id in self.singles:
                events.append(self.singles[event_id])
            elif event_id in self.series:
                series = self.series[event_id]
                if event_id in whole:
                    events.extend(series.occurrences(window, cancelled=True))
                    complete.add(event_id)
                else:
                    changed = (series.occurrence(rid) for rid in sorted(occurrences[event_id]))
                    events.extend(e for e in changed if e is not None)
            elif event_id in self.tombstones:
                events.append(self.tombstones[event_id])
        for series in self.series.values():
            if series.id not in complete:
                seen = {e.id for e in events}
                events.extend(
                    e
                    for e in series.occurrences(window)
                    if e.id not in seen and not overlaps(e.start, e.end, listed)
                )
        return events, frozenset(complete)


def occurrence_id(series_id: str, rid: str) -> str:
    if not rid:
        raise NotFound("an occurrence needs a recurrence id")
    return f"{series_id}{OCCURRENCE_SEPARATOR}{rid}"
