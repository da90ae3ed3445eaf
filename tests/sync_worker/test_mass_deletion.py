"""The mass-deletion guard end to end, with each provider: hold, then apply or restore.

A calendar emptied by hand (seen through an incremental listing, or a full
one), or many activities deleted in CalBridge, must not be copied to the
other side in one run: the account waits for its owner, and nothing on
either side is lost until the owner says "apply".
"""

from __future__ import annotations

import pytest

from bridge.accounts import AccountState
from bridge.store.sync_accounts import AccountError
from bridge.store.sync_runs import RunOutcome
from tests.sync_worker.scene import Scene
from tests.sync_worker.sync_samples import soon

COUNT = 30


def _pushed(scene: Scene) -> list[int]:
    ids = [scene.add(f"Visit {n}", start=soon(1 + n % 20)).id for n in range(COUNT)]
    scene.start()
    scene.sync()
    if scene.side.kind == "microsoft":
        # Graph's delta never reports the removal of an event it has not listed to the
        # bridge yet: the next run reads the pushes back first (see test_microsoft_sync).
        scene.sync()
    assert len(scene.side.events()) == COUNT
    return [activity_id for activity_id in ids if activity_id is not None]


def _empty_the_calendar(scene: Scene) -> None:
    for event in scene.side.events():
        scene.side.remove(event.handle)


def _assert_held(scene: Scene, in_full: bool, deleted_in: str) -> None:
    result = scene.run(in_full=in_full)
    assert result.outcome is RunOutcome.NEEDS_ATTENTION
    account = scene.accounts.account("alice", scene.account_id)
    assert account.state is AccountState.NEEDS_ATTENTION
    assert f"delete {COUNT} of {COUNT}" in (account.last_error or "")
    assert len(account.held_deletions) == COUNT
    assert {held["deleted_in"] for held in account.held_deletions} == {deleted_in}
    assert scene.worker.run_due() == {}, "a held account waits for its owner"


@pytest.mark.parametrize("in_full", [False, True], ids=["incremental", "full"])
def test_an_emptied_calendar_holds_and_restore_pushes_everything_back(
    scene: Scene, in_full: bool
) -> None:
    _pushed(scene)
    _empty_the_calendar(scene)

    _assert_held(scene, in_full, "calendar")
    assert len(scene.activities()) == COUNT

    scene.accounts.restore_deletions("alice", scene.account_id)
    restored = scene.sync()
    assert restored.counts.pushed == COUNT
    assert sorted(e.summary for e in scene.side.events()) == sorted(
        f"Visit {n}" for n in range(COUNT)
    )
    assert len(scene.activities()) == COUNT
    account = scene.accounts.account("alice", scene.account_id)
    assert (account.state, account.held_deletions, account.deletion_choice) == (
        AccountState.ACTIVE,
        (),
        None,
    )
    quiet = scene.sync()
    assert (quiet.counts.pushed, quiet.counts.imported, quiet.counts.deleted) == (0, 0, 0)


@pytest.mark.parametrize("in_full", [False, True], ids=["incremental", "full"])
def test_an_emptied_calendar_holds_until_the_owner_applies_the_deletions(
    scene: Scene, in_full: bool
) -> None:
    _pushed(scene)
    _empty_the_calendar(scene)
    _assert_held(scene, in_full, "calendar")

    scene.accounts.apply_deletions("alice", scene.account_id)
    applied = scene.sync()
    assert applied.counts.deleted == COUNT
    assert scene.activities() == []
    assert scene.accounts.account("alice", scene.account_id).state is AccountState.ACTIVE


def test_many_activities_deleted_in_calendarbridge_hold_and_can_be_restored(
    scene: Scene,
) -> None:
    ids = _pushed(scene)
    for activity_id in ids:
        scene.delete(activity_id)

    _assert_held(scene, False, "crm")
    assert len(scene.side.events()) == COUNT

    scene.accounts.restore_deletions("alice", scene.account_id)
    scene.sync()
    assert sorted(a.id for a in scene.activities()) == sorted(ids)
    assert len(scene.side.events()) == COUNT
    quiet = scene.sync()
    assert (quiet.counts.pushed, quiet.counts.imported, quiet.counts.deleted) == (0, 0, 0)


def test_a_few_deletions_pass_without_asking(scene: Scene) -> None:
    _pushed(scene)
    for event in scene.side.events()[:3]:
        scene.side.remove(event.handle)
    assert scene.sync().counts.deleted == 3
    assert len(scene.activities()) == COUNT - 3


def test_only_a_held_account_takes_a_choice(scene: Scene) -> None:
    _pushed(scene)
    with pytest.raises(AccountError, match="holds no deletions"):
        scene.accounts.apply_deletions("alice", scene.account_id)


def test_a_deletion_applied_in_one_account_does_not_cascade_into_another(
    oauth_scene: Scene, caldav_beside: Scene
) -> None:
    oauth, caldav = oauth_scene, caldav_beside
    _pushed(oauth)
    caldav.start()
    caldav.sync()
    assert len(caldav.side.events()) == COUNT

    _empty_the_calendar(oauth)
    _assert_held(oauth, False, "calendar")
    oauth.accounts.apply_deletions("alice", oauth.account_id)
    oauth.sync()
    assert oauth.activities() == []

    _assert_held(caldav, False, "crm")
    assert len(caldav.side.events()) == COUNT, "the other calendar keeps its events"
