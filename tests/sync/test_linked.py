"""Planner rules for linked pairs: echoes, one-sided changes, conflicts, deletions, type filter."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bridge.domain import ConflictPolicy, PrivateEventPolicy, SyncType
from bridge.links import Link, Side
from bridge.sync import (
    CrmItem,
    ExternalItem,
    ForgetLink,
    ImportDelete,
    ImportUpdate,
    PushCreate,
    PushDelete,
    PushUpdate,
    Relink,
)
from tests.sync.sync_fakes import (
    NOW,
    activity,
    crm_item,
    event,
    external,
    link,
    plan_of,
    pushed_event,
)
from tests.sync.sync_fakes import settings as sync_settings

ONE_WAY = sync_settings(sync_type=SyncType.ONE_WAY)
LATER = NOW + dt.timedelta(minutes=5)


def synced(origin: Side = Side.CRM) -> tuple[CrmItem, ExternalItem, Link]:
    """A pushed activity, its event and their link, all in sync."""
    crm = crm_item(activity(1))
    ext = external(pushed_event(crm.activity, "e1"))
    return crm, ext, link(crm, ext, origin)


def crm_edited(crm: CrmItem, changed_at: dt.datetime = NOW) -> CrmItem:
    return crm_item(
        dataclasses.replace(crm.activity, subject="Call Ada (moved)"), changed_at=changed_at
    )


def calendar_edited(ext: ExternalItem, updated: dt.datetime = NOW) -> ExternalItem:
    return external(dataclasses.replace(ext.event, summary="Call Ada!", etag="v2", updated=updated))


def test_nothing_changed_plans_nothing() -> None:
    crm, ext, pair = synced()
    assert plan_of([pair], [crm], [ext]).actions == ()
    assert plan_of([pair], [crm], [ext], full_listing=True).actions == ()


def test_echo_of_our_write_is_ignored() -> None:
    """The listing returns the event we wrote, spelt the provider's way: same hash, no action."""
    crm, ext, pair = synced()
    echo = external(dataclasses.replace(ext.event, description="\r\n", summary="Call Ada  "))
    assert plan_of([pair], [crm], [echo]).actions == ()


def test_only_the_etag_moved_records_it() -> None:
    crm, ext, pair = synced()
    moved = external(dataclasses.replace(ext.event, etag="v9"))
    assert plan_of([pair], [crm], [moved]).actions == (
        Relink(dataclasses.replace(pair, external_etag="v9")),
    )


def test_crm_change_is_pushed_even_when_the_event_is_not_listed() -> None:
    crm, _, pair = synced()
    edited = crm_edited(crm)
    assert plan_of([pair], [edited], []).actions == (PushUpdate(pair, edited),)


def test_crm_change_is_pushed_with_the_etag_just_listed() -> None:
    crm, ext, pair = synced()
    edited = crm_edited(crm)
    moved = external(dataclasses.replace(ext.event, etag="v9"))
    assert plan_of([pair], [edited], [moved]).actions == (
        PushUpdate(dataclasses.replace(pair, external_etag="v9"), edited),
    )


def test_calendar_change_is_imported_in_two_way() -> None:
    crm, ext, pair = synced()
    edited = calendar_edited(ext)
    current = dataclasses.replace(pair, external_etag="v2")
    assert plan_of([pair], [crm], [edited]).actions == (ImportUpdate(current, edited, False),)


def test_calendar_change_is_overwritten_in_one_way() -> None:
    crm, ext, pair = synced()
    edited = calendar_edited(ext)
    current = dataclasses.replace(pair, external_etag="v2")
    assert plan_of([pair], [crm], [edited], ONE_WAY).actions == (PushUpdate(current, crm),)


def test_calendar_change_of_an_imported_event_is_overwritten_in_one_way() -> None:
    crm, ext, pair = synced(Side.CALENDAR)
    current = dataclasses.replace(pair, external_etag="v2")
    assert plan_of([pair], [crm], [calendar_edited(ext)], ONE_WAY).actions == (
        PushUpdate(current, crm),
    )


@pytest.mark.parametrize(
    ("policy", "crm_at", "calendar_at", "winner"),
    [
        (ConflictPolicy.MOST_RECENT, LATER, NOW, "crm"),
        (ConflictPolicy.MOST_RECENT, NOW, LATER, "calendar"),
        (ConflictPolicy.MOST_RECENT, NOW, NOW, "crm"),
        (ConflictPolicy.CRM_WINS, NOW, LATER, "crm"),
        (ConflictPolicy.CALENDAR_WINS, LATER, NOW, "calendar"),
    ],
)
def test_conflict_follows_the_policy(
    policy: ConflictPolicy, crm_at: dt.datetime, calendar_at: dt.datetime, winner: str
) -> None:
    crm, ext, pair = synced()
    mine, theirs = crm_edited(crm, crm_at), calendar_edited(ext, calendar_at)
    current = dataclasses.replace(pair, external_etag="v2")
    expected = (
        PushUpdate(current, mine) if winner == "crm" else ImportUpdate(current, theirs, False)
    )
    config = sync_settings(conflict_policy=policy)
    assert plan_of([pair], [mine], [theirs], config).actions == (expected,)


def test_conflict_in_one_way_goes_to_the_crm() -> None:
    crm, ext, pair = synced()
    mine, theirs = crm_edited(crm, NOW), calendar_edited(ext, LATER)
    config = dataclasses.replace(ONE_WAY, conflict_policy=ConflictPolicy.CALENDAR_WINS)
    current = dataclasses.replace(pair, external_etag="v2")
    assert plan_of([pair], [mine], [theirs], config).actions == (PushUpdate(current, mine),)


def test_both_sides_changed_alike_is_just_recorded() -> None:
    crm, _, pair = synced()
    mine = crm_edited(crm)
    theirs = external(pushed_event(mine.activity, "e1", etag="v2"))
    recorded = dataclasses.replace(
        pair, external_etag="v2", crm_hash=mine.hash, external_hash=theirs.hash
    )
    assert plan_of([pair], [mine], [theirs]).actions == (Relink(recorded),)


@pytest.mark.parametrize("origin", list(Side))
def test_crm_deletion_deletes_the_event(origin: Side) -> None:
    _, ext, pair = synced(origin)
    assert plan_of([pair], [], []).actions == (PushDelete(pair),)
    assert plan_of([pair], [], [calendar_edited(ext)]).actions == (
        PushDelete(dataclasses.replace(pair, external_etag="v2")),
    )


def test_deleted_on_both_sides_forgets_the_link() -> None:
    _, ext, pair = synced()
    cancelled = external(dataclasses.replace(ext.event, status="cancelled"))
    assert plan_of([pair], [], [cancelled]).actions == (ForgetLink(pair),)


def test_calendar_deletion_deletes_the_activity_in_two_way() -> None:
    crm, ext, pair = synced()
    cancelled = external(dataclasses.replace(ext.event, status="cancelled"))
    assert plan_of([pair], [crm], [cancelled]).actions == (ImportDelete(pair),)


def test_calendar_deletion_is_pushed_again_in_one_way() -> None:
    crm, ext, pair = synced()
    cancelled = external(dataclasses.replace(ext.event, status="cancelled"))
    assert plan_of([pair], [crm], [cancelled], ONE_WAY).actions == (PushCreate(crm),)


def test_crm_edit_survives_a_calendar_deletion() -> None:
    crm, ext, pair = synced()
    edited = crm_edited(crm)
    cancelled = external(dataclasses.replace(ext.event, status="cancelled"))
    assert plan_of([pair], [edited], [cancelled]).actions == (PushCreate(edited),)


def test_absence_from_a_partial_listing_is_not_a_deletion() -> None:
    crm, _, pair = synced()
    assert plan_of([pair], [crm], []).actions == ()


def test_absence_from_a_full_listing_is_a_deletion() -> None:
    crm, _, pair = synced()
    assert plan_of([pair], [crm], [], full_listing=True).actions == (ImportDelete(pair),)


def test_absence_outside_the_window_is_not_a_deletion() -> None:
    old = activity(1, due_date=dt.date(2024, 1, 1))
    crm = crm_item(old)
    pair = link(crm, external(pushed_event(old, "e1")))
    assert plan_of([pair], [crm], [], full_listing=True).actions == ()


def test_unticked_type_removes_pushed_events() -> None:
    crm, ext, pair = synced()
    unticked = dataclasses.replace(crm, pushable=False)
    assert plan_of([pair], [unticked], []).actions == (PushDelete(pair),)
    assert plan_of([pair], [unticked], [ext]).actions == (PushDelete(pair),)


def test_unticked_type_keeps_imported_events() -> None:
    crm, ext, pair = synced(Side.CALENDAR)
    unticked = dataclasses.replace(crm, pushable=False)
    assert plan_of([pair], [unticked], [ext]).actions == ()


def test_unticked_type_and_deleted_event_forget_the_link() -> None:
    crm, ext, pair = synced()
    unticked = dataclasses.replace(crm, pushable=False)
    cancelled = external(dataclasses.replace(ext.event, status="cancelled"))
    assert plan_of([pair], [unticked], [cancelled]).actions == (ForgetLink(pair),)


def test_occurrences_of_one_series_are_separate_items() -> None:
    """Keyed by (id, recurrence id): cancelling one occurrence deletes only its activity."""
    first = event("s1", uid="series", recurrence_id="20250603T120000Z")
    second = event("s1", uid="series", recurrence_id="20250610T120000Z")
    items = [crm_item(activity(n, uid=f"series/{n}")) for n in (1, 2)]
    pairs = [
        link(item, external(ev), Side.CALENDAR)
        for item, ev in zip(items, (first, second), strict=True)
    ]
    cancelled = external(dataclasses.replace(first, status="cancelled"))
    assert plan_of(pairs, items, [cancelled, external(second)]).actions == (ImportDelete(pairs[0]),)


def test_private_policy_skip_removes_an_imported_event_turned_private() -> None:
    crm, ext, pair = synced(Side.CALENDAR)
    private = external(dataclasses.replace(ext.event, private=True, etag="v2"))
    config = sync_settings(private_events=PrivateEventPolicy.SKIP)
    current = dataclasses.replace(pair, external_etag="v2")
    assert plan_of([pair], [crm], [private], config).actions == (ImportDelete(current),)


def test_private_policy_skip_keeps_a_pushed_activity_as_private() -> None:
    crm, ext, pair = synced(Side.CRM)
    private = external(dataclasses.replace(ext.event, private=True, etag="v2"))
    config = sync_settings(private_events=PrivateEventPolicy.SKIP)
    current = dataclasses.replace(pair, external_etag="v2")
    assert plan_of([pair], [crm], [private], config).actions == (
        ImportUpdate(current, private, True),
    )


def test_unrelated_listing_noise_does_not_disturb_links() -> None:
    crm, ext, pair = synced()
    other = external(event("x9", status="cancelled"))
    assert plan_of([pair], [crm], [ext, other]).actions == ()


def test_an_incremental_crm_read_leaves_the_links_it_does_not_speak_for() -> None:
    crm, _ext, pair = synced()
    assert plan_of([pair], [], [], crm_scope=frozenset()).actions == ()
    assert plan_of([pair], [], [], crm_scope=frozenset({crm.activity_id})).actions == (
        PushDelete(pair),
    )
    edited = crm_edited(crm)
    assert plan_of([pair], [edited], [], crm_scope=frozenset({crm.activity_id})).actions == (
        PushUpdate(pair, edited),
    )
