"""Planner rules for unlinked items: pushes, imports, privacy settings, relinking, the guard."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bridge.domain import ConflictPolicy, ImportVisibility, PrivateEventPolicy, SyncType
from bridge.links import Link, Side
from bridge.sync import (
    ImportCreate,
    ImportDelete,
    ImportUpdate,
    PushCreate,
    PushDelete,
    PushUpdate,
    Relink,
    RestoreActivity,
    Skip,
)
from bridge.sync.guard import DeletionChoice, DeletionLimits, HeldDeletion
from tests.sync.sync_fakes import activity, crm_item, event, external, link, plan_of, pushed_event
from tests.sync.sync_fakes import settings as sync_settings

ONE_WAY = sync_settings(sync_type=SyncType.ONE_WAY)


def test_new_pushable_activity_is_pushed() -> None:
    item = crm_item(activity(1))
    assert plan_of([], [item], []).actions == (PushCreate(item),)


def test_new_activity_of_an_unticked_type_is_not_pushed() -> None:
    assert plan_of([], [crm_item(activity(1), pushable=False)], []).actions == ()


def test_new_activity_outside_the_window_is_not_pushed() -> None:
    later = activity(1, due_date=dt.date(2027, 1, 1))
    assert plan_of([], [crm_item(later)], []).actions == ()


def test_new_event_is_imported_in_two_way() -> None:
    new = external(event("e1"))
    assert plan_of([], [], [new]).actions == (ImportCreate(new, False),)


def test_new_event_is_ignored_in_one_way() -> None:
    assert plan_of([], [], [external(event("e1"))], ONE_WAY).actions == ()


def test_new_event_outside_the_window_is_not_imported() -> None:
    far = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    old = external(event("e1", start=far, end=far + dt.timedelta(hours=1)))
    assert plan_of([], [], [old]).actions == ()


def test_cancelled_unknown_event_is_ignored() -> None:
    assert plan_of([], [], [external(event("e1", status="cancelled"))]).actions == ()


@pytest.mark.parametrize(
    ("policy", "visibility", "private_event", "expected"),
    [
        (PrivateEventPolicy.EVERYONE, ImportVisibility.EVERYONE, True, False),
        (PrivateEventPolicy.BUSY_BLOCK, ImportVisibility.EVERYONE, True, True),
        (PrivateEventPolicy.BUSY_BLOCK, ImportVisibility.EVERYONE, False, False),
        (PrivateEventPolicy.SKIP, ImportVisibility.EVERYONE, False, False),
        (PrivateEventPolicy.EVERYONE, ImportVisibility.OWNER_ONLY, False, True),
    ],
)
def test_imported_visibility_follows_the_settings(
    policy: PrivateEventPolicy,
    visibility: ImportVisibility,
    private_event: bool,
    expected: bool,
) -> None:
    new = external(event("e1", private=private_event))
    config = sync_settings(private_events=policy, import_visibility=visibility)
    assert plan_of([], [], [new], config).actions == (ImportCreate(new, expected),)


def test_private_event_is_skipped_when_private_events_are_not_imported() -> None:
    new = external(event("e1", private=True))
    config = sync_settings(private_events=PrivateEventPolicy.SKIP)
    (skip,) = plan_of([], [], [new], config).actions
    assert isinstance(skip, Skip)
    assert "Lunch" not in skip.subject, "a skipped private event is named by id only"
    assert plan_of([], [], [new], config).changes == ()


def test_stamped_event_relinks_its_activity_instead_of_duplicating() -> None:
    """A lost link (or a full resync): the stamp pairs them again; nothing is created."""
    item = crm_item(activity(1))
    ours = external(pushed_event(item.activity, "e1"))
    assert plan_of([], [item], [ours], full_listing=True).actions == (Relink(link(item, ours)),)


def test_event_with_an_activitys_uid_relinks_it() -> None:
    imported = crm_item(activity(1, uid="uid-e1", subject="Lunch with Bob"))
    source = external(pushed_event(imported.activity, "e1", activity_stamp=None))
    assert plan_of([], [imported], [source]).actions == (
        Relink(link(imported, source, Side.CALENDAR)),
    )


def test_relinked_pair_that_differs_is_settled_by_the_policy() -> None:
    item = crm_item(activity(1))
    ours = external(pushed_event(item.activity, "e1", summary="Edited in the calendar"))
    base = dataclasses.replace(link(item, ours), crm_hash="", external_hash="")
    crm_wins = sync_settings(conflict_policy=ConflictPolicy.CRM_WINS)
    calendar_wins = sync_settings(conflict_policy=ConflictPolicy.CALENDAR_WINS)
    assert plan_of([], [item], [ours], crm_wins).actions == (PushUpdate(base, item),)
    assert plan_of([], [item], [ours], calendar_wins).actions == (ImportUpdate(base, ours, False),)


def test_stamped_event_of_an_unpushable_activity_is_removed() -> None:
    item = crm_item(activity(1), pushable=False)
    ours = external(pushed_event(item.activity, "e1"))
    (action,) = plan_of([], [item], [ours]).actions
    assert isinstance(action, PushDelete) and action.link.external_id == "e1"


def test_stamped_event_is_never_imported() -> None:
    stray = external(pushed_event(activity(5), "e1"))
    (action,) = plan_of([], [], [stray]).actions
    assert isinstance(action, Skip)


def test_second_event_stamped_for_a_linked_activity_is_skipped() -> None:
    item = crm_item(activity(1))
    first = external(pushed_event(item.activity, "e1"))
    copy = external(pushed_event(item.activity, "e2"))
    plan = plan_of([link(item, first)], [item], [first, copy])
    assert [type(action) for action in plan.actions] == [Skip]


def _linked(count: int) -> tuple[list[Link], list]:
    items = [crm_item(activity(n)) for n in range(1, count + 1)]
    pairs = [
        link(item, external(pushed_event(item.activity, f"e{item.activity_id}"))) for item in items
    ]
    return pairs, items


LIMIT = DeletionLimits().minimum


def test_mass_deletion_guard_stops_deletions_and_asks_for_attention() -> None:
    pairs, items = _linked(LIMIT + 1)
    plan = plan_of(pairs, items, [], full_listing=True)
    assert plan.actions == ()
    assert plan.needs_attention is not None and f"delete {LIMIT + 1} of {LIMIT + 1}" in (
        plan.needs_attention
    )
    assert plan.held == tuple(HeldDeletion(item.activity_id, Side.CALENDAR) for item in items)


def test_mass_deletion_guard_stops_one_way_repushes_too() -> None:
    pairs, items = _linked(LIMIT + 1)
    plan = plan_of(pairs, items, [], ONE_WAY, full_listing=True)
    assert plan.actions == ()
    assert plan.needs_attention is not None


def test_few_missing_events_are_ordinary_deletions() -> None:
    pairs, items = _linked(LIMIT)
    plan = plan_of(pairs, items, [], full_listing=True)
    assert plan.actions == tuple(ImportDelete(pair) for pair in pairs)
    assert plan.needs_attention is None


def test_a_small_share_of_a_big_calendar_is_ordinary() -> None:
    pairs, items = _linked(100)
    listed = [external(pushed_event(item.activity, f"e{item.activity_id}")) for item in items]
    plan = plan_of(pairs, items, listed[LIMIT + 5 :], full_listing=True)
    assert plan.actions == tuple(ImportDelete(pair) for pair in pairs[: LIMIT + 5])
    assert plan.needs_attention is None


def test_many_deletions_with_survivors_are_held() -> None:
    pairs, items = _linked(LIMIT + 5)
    survivor = external(pushed_event(items[0].activity, "e1"))
    plan = plan_of(pairs, items, [survivor], full_listing=True)
    assert plan.actions == ()
    assert len(plan.held) == LIMIT + 4


def test_cancellations_in_an_incremental_listing_are_guarded() -> None:
    pairs, items = _linked(LIMIT + 1)
    cancelled = [
        external(pushed_event(item.activity, f"e{item.activity_id}", status="cancelled"))
        for item in items
    ]
    plan = plan_of(pairs, items, cancelled)
    assert plan.actions == ()
    assert plan.needs_attention is not None


def test_the_owner_may_apply_held_deletions() -> None:
    pairs, items = _linked(LIMIT + 1)
    plan = plan_of(pairs, items, [], full_listing=True, choice=DeletionChoice.APPLY)
    assert plan.actions == tuple(ImportDelete(pair) for pair in pairs)


def test_restoring_pushes_events_deleted_in_the_calendar_again() -> None:
    pairs, items = _linked(LIMIT + 1)
    plan = plan_of(pairs, items, [], full_listing=True, choice=DeletionChoice.RESTORE)
    assert plan.actions == tuple(PushCreate(item) for item in items)


def test_activities_deleted_in_the_crm_are_guarded_and_restorable() -> None:
    pairs, _ = _linked(LIMIT + 1)
    held = plan_of(pairs, [], [], full_listing=True)
    assert held.actions == ()
    assert {item.deleted_in for item in held.held} == {Side.CRM}
    restored = plan_of(pairs, [], [], full_listing=True, choice=DeletionChoice.RESTORE)
    assert restored.actions == tuple(RestoreActivity(pair) for pair in pairs)


def test_a_stamped_event_of_an_activity_known_deleted_is_deleted() -> None:
    """An orphan: its link was lost, then its activity was deleted."""
    orphan = external(pushed_event(activity(7), "e7"))
    plan = plan_of([], [], [orphan], crm_scope=frozenset({7}))
    (action,) = plan.actions
    assert isinstance(action, PushDelete)
    assert (action.link.external_id, action.link.activity_id) == ("e7", 7)
    assert plan_of([], [], [orphan]).actions == (
        Skip("event e7", "stamped for activity 7, not unlinked"),
    )


def test_an_occurrence_missing_from_a_series_listed_whole_was_dropped() -> None:
    first, second = crm_item(activity(1)), crm_item(activity(2))
    listed = external(event("s#1", recurrence_id="r1", series_id="s"))
    dropped = external(event("s#2", recurrence_id="r2", series_id="s"))
    links = [
        link(first, listed, Side.CALENDAR, series_id="s"),
        link(second, dropped, Side.CALENDAR, series_id="s"),
    ]
    whole = plan_of(links, [first, second], [listed], complete_series=frozenset({"s"}))
    assert whole.actions == (ImportDelete(links[1]),)
    assert plan_of(links, [first, second], [listed]).actions == ()
