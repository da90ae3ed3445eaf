"""Stand-ins for the sync tests: builders, the calendar, an in-memory CRM and executor.

The calendar is the reference `MemoryCalendarProvider` (`memory_calendar`),
storing descriptions with CRLF line ends the way some APIs do, so echo
suppression has to rely on normalisation. `MemoryCrm` is the CRM side,
`apply_plan` a tiny executor, `run_sync` one worker run.
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
from bridge.providers import CalendarProvider, EventDraft, ExternalEvent
from bridge.providers.memory import MemoryCalendarProvider
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


def memory_calendar(clock: Clock) -> MemoryCalendarProvider:
    """The calendar of the sync tests: the reference provider on the tests' clock, storing
    descriptions with CRLF line ends the way some APIs do."""
    return MemoryCalendarProvider(clock=clock.now, description_line_end="\r\n")


def user_event(
    calendar: MemoryCalendarProvider, summary: str, *, private: bool = False
) -> ExternalEvent:
    """An event the user adds in the calendar's own app: tomorrow at 12:00 UTC for an hour."""
    start = dt.datetime(2025, 6, 3, 12, 0, tzinfo=dt.UTC)
    return calendar.insert_event(summary, start, start + dt.timedelta(hours=1), private=private)


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
    crm: MemoryCrm, calendar: CalendarProvider, state: SyncState, config: SyncSettings
) -> Plan:
    """One worker run: read both sides, plan, apply, then save the cursor."""
    state.runs += 1
    result, cursor = plan_run(crm, calendar, state, config)
    apply_plan(result, crm, calendar, state, config)
    state.cursor = cursor
    return result


def plan_run(
    crm: MemoryCrm, calendar: CalendarProvider, state: SyncState, config: SyncSettings
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
    result: Plan, crm: MemoryCrm, calendar: CalendarProvider, state: SyncState, config: SyncSettings
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
