"""calendarView delta: a full round in pages, then only what changed, window fixed.

A round starts with startDateTime/endDateTime; its `@odata.nextLink` pages
carry a `$skiptoken` and its last page an `@odata.deltaLink` with a
`$deltatoken`, both opaque and both standing for the window, so later
requests need no parameters. A following round diffs the calendar view
against what the client was last given: new or changed instances in full,
vanished ones (deleted, cancelled or moved out of the window) as
`{"id", "@removed": {"reason": "deleted"}}`. Series masters never appear,
nor do extended properties. Expired tokens answer 410 SyncStateNotFound.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from tests.emulators.microsoft import errors, render, times
from tests.emulators.microsoft.store import Calendar, Instance, Store, User
from tests.emulators.microsoft.times import Preferences

DEFAULT_PAGE_SIZE = 10


@dataclass
class Window:
    calendar_id: str
    start: datetime
    end: datetime
    seen: dict[str, str]  # instance id -> change key the client holds


@dataclass
class Round:
    window: Window
    entries: list[Instance | str]  # an instance to send in full, or a removed id
    offset: int = 0


@dataclass
class DeltaTracker:
    store: Store
    page_size: int = DEFAULT_PAGE_SIZE
    rounds: dict[str, Round] = field(default_factory=dict)  # $skiptoken -> round
    windows: dict[str, Window] = field(default_factory=dict)  # $deltatoken -> window

    def expire(self) -> int:
        """Forget every token; the next use of any of them answers 410."""
        count = len(self.rounds) + len(self.windows)
        self.rounds.clear()
        self.windows.clear()
        return count

    def page(
        self,
        calendar: Calendar,
        user: User,
        params: dict[str, str | None],
        prefs: Preferences,
        link_base: str,
    ) -> dict[str, Any]:
        skip, delta = params.get("skiptoken"), params.get("deltatoken")
        if skip is not None:
            round_ = self.rounds.pop(skip, None)
            if round_ is None or round_.window.calendar_id != calendar.id:
                raise errors.sync_state_not_found()
        elif delta is not None:
            window = self.windows.get(delta)
            if window is None or window.calendar_id != calendar.id:
                raise errors.sync_state_not_found()
            round_ = self._incremental(calendar, window)
        else:
            round_ = self._initial(calendar, params)
        size = prefs.max_page_size or self.page_size
        chunk = round_.entries[round_.offset : round_.offset + size]
        round_.offset += len(chunk)
        value = [
            render.event(entry, user, prefs)
            if isinstance(entry, Instance)
            else {
                "@odata.type": "#microsoft.graph.event",
                "id": entry,
                "@removed": {"reason": "deleted"},
            }
            for entry in chunk
        ]
        reply: dict[str, Any] = {"@odata.context": _context(link_base), "value": value}
        if round_.offset < len(round_.entries):
            token = secrets.token_urlsafe(24)
            self.rounds[token] = round_
            reply["@odata.nextLink"] = f"{link_base}?$skiptoken={quote(token)}"
        else:
            token = secrets.token_urlsafe(24)
            self.windows[token] = round_.window
            reply["@odata.deltaLink"] = f"{link_base}?$deltatoken={quote(token)}"
        return reply

    def _initial(self, calendar: Calendar, params: dict[str, str | None]) -> Round:
        start, end = params.get("startdatetime"), params.get("enddatetime")
        if not start or not end:
            raise errors.GraphError(
                400,
                "ErrorInvalidParameter",
                "This request requires a time window specified by the query string parameters "
                "StartDateTime and EndDateTime.",
            )
        first, last = times.parse_instant(start), times.parse_instant(end)
        instances = self.store.instances(calendar, first, last)
        window = Window(calendar.id, first, last, {i.id: i.change_key for i in instances})
        return Round(window, list(instances))

    def _incremental(self, calendar: Calendar, previous: Window) -> Round:
        instances = self.store.instances(calendar, previous.start, previous.end)
        current = {i.id: i.change_key for i in instances}
        entries: list[Instance | str] = [
            i for i in instances if previous.seen.get(i.id) != i.change_key
        ]
        entries += [instance_id for instance_id in previous.seen if instance_id not in current]
        return Round(Window(calendar.id, previous.start, previous.end, current), entries)


def _context(link_base: str) -> str:
    root = link_base.split("/v1.0/", 1)[0]
    return f"{root}/v1.0/$metadata#Collection(event)"
