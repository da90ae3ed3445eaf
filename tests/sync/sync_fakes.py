"""Stand-ins for the sync tests: builders, an in-memory provider, CRM and executor.

`MemoryCalendar` implements the provider contract over a dict, with a change
log for cursors, and stores descriptions with CRLF line ends the way some
APIs do, so echo suppression has to rely on normalisation. `MemoryCrm` is
the CRM side, `apply_plan` a tiny executor, `run_sync` one worker run.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Iterable, Iterator

from bridge.domain import (
    Activity,
    ImportVisibility,
    PrivateEventPolicy,
    SyncSettings,
    SyncType,
)
from bridge.links import Link, Side
from bridge.providers import (
    CalendarProvider,
    ChangePage,
    EventDraft,
    ExternalCalendar,
    ExternalEvent,
    NotFound,
    PreconditionFailed,
)
from bridge.sync import (
    CrmItem,
    ExternalItem,
    ForgetLink,
    ImportCreate,
    ImportDelete,
    ImportUpdate,
    Plan,
    PushCreate,
    PushDelete,
    PushUpdate,
    Relink,
    Skip,
    activity_uid,
    apply_event,
    crm_hash,
    draft_for,
    event_hash,
    plan,
)
from bridge.sync.content import overlaps
from bridge.sync.guard import DeletionChoice

NOW = dt.datetime(2025, 6, 2, 12, 0, tzinfo=dt.UTC)
CALENDAR_ID = "primary"


def settings(**changes: object) -> SyncSettings:
    """Two-way settings that push calls and meetings; `changes` override fields."""
    base = SyncSettings(
        sync_type=SyncType.TWO_WAY,
        import_visibility=ImportVisibility.EVERYONE,
        private_events=PrivateEventPolicy.EVERYONE,
        import_type_key="meeting",
        pushed_type_keys=frozenset({"call", "meeting"}),
        include_crm_info=False,
        calendar_id=CALENDAR_ID,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def activity(activity_id: int, subject: str = "Call Ada", **changes: object) -> Activity:
    """A stored, timed activity tomorrow at 10:00 UTC for half an hour."""
    base = Activity(
        subject=subject,
        type_key="call",
        owner_id=1,
        uid=f"activity-{activity_id}",
        due_date=dt.date(2025, 6, 3),
        due_time=dt.time(10, 0),
        duration=dt.timedelta(minutes=30),
        id=activity_id,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def crm_item(item: Activity, *, pushable: bool = True, changed_at: dt.datetime = NOW) -> CrmItem:
    """The CRM item of `item`, hashed with its public description as the pushed one."""
    return CrmItem(item, crm_hash(item, item.public_description), changed_at, pushable)


def event(event_id: str, summary: str = "Lunch with Bob", **changes: object) -> ExternalEvent:
    """A confirmed, unstamped external event tomorrow at 12:00 UTC for an hour."""
    start = dt.datetime(2025, 6, 3, 12, 0, tzinfo=dt.UTC)
    base = ExternalEvent(
        id=event_id,
        etag=f"etag-{event_id}",
        uid=f"uid-{event_id}",
        recurrence_id=None,
        status="confirmed",
        summary=summary,
        description="",
        location="",
        start=start,
        end=start + dt.timedelta(hours=1),
        all_day=False,
        private=False,
        busy=True,
        attendees=(),
        activity_stamp=None,
        updated=NOW,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def pushed_event(item: Activity, event_id: str, **changes: object) -> ExternalEvent:
    """The event a provider holds after pushing `item` (then changed by `changes`)."""
    draft = draft_for(item, item.public_description)
    fields = {name: getattr(draft, name) for name in _DRAFT_FIELDS}
    return event(event_id, **{**fields, **changes})


def external(item: ExternalEvent) -> ExternalItem:
    return ExternalItem(item, event_hash(item))


def link(crm: CrmItem, ext: ExternalItem, origin: Side = Side.CRM, **changes: object) -> Link:
    """The link recorded when `crm` and `ext` were last in sync."""
    base = Link(
        activity_id=crm.activity_id,
        external_id=ext.event.id,
        external_etag=ext.event.etag,
        crm_hash=crm.hash,
        external_hash=ext.hash,
        recurrence_id=ext.event.recurrence_id,
        origin=origin,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


_DRAFT_FIELDS = tuple(field.name for field in dataclasses.fields(EventDraft))


class Clock:
    """A fake clock: every reading is one second after the previous one."""

    def __init__(self) -> None:
        self._ticks: Iterator[int] = itertools.count()

    def now(self) -> dt.datetime:
        return NOW + dt.timedelta(seconds=next(self._ticks))


class MemoryCalendar(CalendarProvider):
    """One calendar in memory, behind the provider contract, plus the user's own edits."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.events: dict[str, ExternalEvent] = {}
        self._log: list[ExternalEvent] = []
        self._created: dict[str, str] = {}
        self._ids = itertools.count(1)
        self._etags = itertools.count(1)

    @property
    def requests_made(self) -> int:
        return 0

    def list_calendars(self) -> list[ExternalCalendar]:
        return [ExternalCalendar(CALENDAR_ID, "Calendar", primary=True, writable=True)]

    def list_changes(
        self, calendar_id: str, cursor: str | None, window: tuple[dt.datetime, dt.datetime]
    ) -> ChangePage:
        if cursor is None:
            listed = tuple(item for item in self.events.values() if overlaps(item, window))
        else:
            latest = {change.id: change for change in self._log[int(cursor) :]}
            listed = tuple(latest.values())
        return ChangePage(listed, str(len(self._log)), full_listing=cursor is None)

    def create(self, calendar_id: str, draft: EventDraft, idempotency_key: str) -> ExternalEvent:
        if idempotency_key in self._created:
            return self.events[self._created[idempotency_key]]
        event_id = f"e{next(self._ids)}"
        self._created[idempotency_key] = event_id
        return self._store(event(event_id, **_stored(draft)))

    def update(
        self, calendar_id: str, event_id: str, draft: EventDraft, etag: str
    ) -> ExternalEvent:
        self._check(event_id, etag)
        return self._store(dataclasses.replace(self.events[event_id], **_stored(draft)))

    def delete(self, calendar_id: str, event_id: str, etag: str | None) -> None:
        if event_id not in self.events:
            return
        if etag is not None:
            self._check(event_id, etag)
        self.user_delete(event_id)

    def user_create(self, summary: str, *, private: bool = False) -> ExternalEvent:
        """An event the user adds in the calendar's own app."""
        event_id = f"u{next(self._ids)}"
        return self._store(event(event_id, summary, private=private))

    def user_edit(self, event_id: str, **changes: object) -> ExternalEvent:
        return self._store(dataclasses.replace(self.events[event_id], **changes))  # type: ignore[arg-type]

    def user_delete(self, event_id: str) -> None:
        gone = self.events.pop(event_id)
        self._log.append(dataclasses.replace(gone, status="cancelled", updated=self.clock.now()))

    def _check(self, event_id: str, etag: str) -> None:
        if event_id not in self.events:
            raise NotFound(event_id)
        if self.events[event_id].etag != etag:
            raise PreconditionFailed(event_id)

    def _store(self, stored: ExternalEvent) -> ExternalEvent:
        etag = f"{stored.id}-{next(self._etags)}"
        stored = dataclasses.replace(stored, etag=etag, updated=self.clock.now())
        self.events[stored.id] = stored
        self._log.append(stored)
        return stored


def _stored(draft: EventDraft) -> dict[str, object]:
    """How this fake API stores a draft: CRLF line ends in the description."""
    fields = {name: getattr(draft, name) for name in _DRAFT_FIELDS}
    fields["description"] = draft.description.replace("\n", "\r\n")
    return fields


class MemoryCrm:
    """The CRM side: activities with their last change time."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.activities: dict[int, Activity] = {}
        self.changed_at: dict[int, dt.datetime] = {}
        self._ids = itertools.count(1)

    def save(self, item: Activity) -> Activity:
        if item.id is None:
            item = dataclasses.replace(item, id=next(self._ids))
        assert item.id is not None
        self.activities[item.id] = item
        self.changed_at[item.id] = self.clock.now()
        return item

    def delete(self, activity_id: int) -> None:
        del self.activities[activity_id]
        del self.changed_at[activity_id]

    def items(self, config: SyncSettings) -> list[CrmItem]:
        return [
            CrmItem(
                item,
                crm_hash(item, item.public_description),
                self.changed_at[activity_id],
                pushable=item.type_key in config.pushed_type_keys,
            )
            for activity_id, item in self.activities.items()
        ]


@dataclasses.dataclass
class SyncState:
    """What the worker keeps between runs: the link table and the cursor."""

    links: dict[int, Link] = dataclasses.field(default_factory=dict)
    cursor: str | None = None
    runs: int = 0


def run_sync(
    crm: MemoryCrm, calendar: MemoryCalendar, state: SyncState, config: SyncSettings
) -> Plan:
    """One worker run: read both sides, plan, apply, then save the cursor."""
    state.runs += 1
    result, cursor = plan_run(crm, calendar, state, config)
    apply_plan(result, crm, calendar, state, config)
    state.cursor = cursor
    return result


def plan_run(
    crm: MemoryCrm, calendar: MemoryCalendar, state: SyncState, config: SyncSettings
) -> tuple[Plan, str]:
    """Read both sides and plan, without applying: the plan and the cursor to save after it."""
    snapshot = crm.clock.now()
    page = calendar.list_changes(CALENDAR_ID, state.cursor, config.window(snapshot))
    result = plan(
        list(state.links.values()),
        crm.items(config),
        [external(item) for item in page.events],
        config,
        full_listing=page.full_listing,
        snapshot_time=snapshot,
    )
    return result, page.cursor


def apply_plan(
    result: Plan, crm: MemoryCrm, calendar: MemoryCalendar, state: SyncState, config: SyncSettings
) -> None:
    """A tiny executor: apply each action to the CRM, the calendar and the link table."""
    for action in result.actions:
        match action:
            case PushCreate(item):
                draft = draft_for(item.activity, item.activity.public_description)
                key = f"{state.runs}:{item.activity_id}"
                stored = calendar.create(CALENDAR_ID, draft, key)
                _record(state, item.activity, stored, Side.CRM)
            case PushUpdate(old, item):
                draft = draft_for(item.activity, item.activity.public_description)
                stored = calendar.update(CALENDAR_ID, old.external_id, draft, old.external_etag)
                _record(state, item.activity, stored, old.origin)
            case PushDelete(old):
                calendar.delete(CALENDAR_ID, old.external_id, old.external_etag)
                state.links.pop(old.activity_id, None)
            case ImportCreate(ext, private):
                blank = Activity("", config.import_type_key, 1, activity_uid(ext.event))
                saved = crm.save(apply_event(blank, ext.event, private=private))
                _record(state, saved, ext.event, Side.CALENDAR)
            case ImportUpdate(old, ext, private):
                current = crm.activities[old.activity_id]
                saved = crm.save(apply_event(current, ext.event, private=private))
                _record(state, saved, ext.event, old.origin)
            case ImportDelete(old):
                crm.delete(old.activity_id)
                state.links.pop(old.activity_id)
            case Relink(new):
                state.links[new.activity_id] = new
            case ForgetLink(old):
                state.links.pop(old.activity_id)
            case Skip():
                pass


def _record(state: SyncState, item: Activity, stored: ExternalEvent, origin: Side) -> None:
    assert item.id is not None
    state.links[item.id] = Link(
        activity_id=item.id,
        external_id=stored.id,
        external_etag=stored.etag,
        crm_hash=crm_hash(item, item.public_description),
        external_hash=event_hash(stored),
        recurrence_id=stored.recurrence_id,
        origin=origin,
    )


def plan_of(
    links: Iterable[Link] = (),
    crm: Iterable[CrmItem] = (),
    ext: Iterable[ExternalItem] = (),
    config: SyncSettings | None = None,
    *,
    full_listing: bool = False,
    crm_scope: frozenset[int] | None = None,
    complete_series: frozenset[str] = frozenset(),
    choice: DeletionChoice | None = None,
) -> Plan:
    """`plan` at `NOW` with the default settings unless told otherwise."""
    return plan(
        links,
        crm,
        ext,
        config or settings(),
        full_listing=full_listing,
        snapshot_time=NOW,
        crm_scope=crm_scope,
        complete_series=complete_series,
        choice=choice,
    )
