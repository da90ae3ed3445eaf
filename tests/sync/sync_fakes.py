"""Builders for the sync tests: settings, activities, events, both sides' items, links.

Everything here is a plain value at the fixed time `NOW`; `plan_of` plans
them, and `memory_calendar` is the reference `MemoryCalendarProvider` on a
`Clock` ticking from `NOW`. The state machine, which runs the real sync
against a database, builds its world in `tests.sync.memory_world`.
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
from bridge.providers import EventDraft, ExternalEvent
from bridge.providers.memory import MemoryCalendarProvider
from bridge.sync import (
    CrmItem,
    ExternalItem,
    Plan,
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
