"""Each "Calendar sync" setting takes effect, against each provider."""

from __future__ import annotations

import time

import pytest

from bridge.domain import Deal, Person
from bridge.store import crm
from bridge.store.db import writing
from tests.sync_worker.scene import Scene
from tests.sync_worker.sync_samples import (
    add_activity,
    soon,
)


def test_one_way_never_imports_and_keeps_the_calendar_in_step(
    scene: Scene,
) -> None:
    scene.add("Board meeting")
    scene.start(sync_type="one_way")
    scene.sync()
    scene.side.add("Gym", soon(2, 18))
    (pushed,) = [event for event in scene.side.events() if event.stamp is not None]

    scene.side.edit(pushed.handle, "Board meeting (edited in the calendar)")
    result = scene.sync()

    assert result.counts.imported == 0
    assert [a.subject for a in scene.activities()] == ["Board meeting"]
    assert sorted(event.summary for event in scene.side.events()) == ["Board meeting", "Gym"]

    scene.side.remove(pushed.handle)
    scene.sync()
    assert sorted(event.summary for event in scene.side.events()) == ["Board meeting", "Gym"]
    assert [a.subject for a in scene.activities()] == ["Board meeting"]


@pytest.mark.parametrize(("visibility", "private"), [("everyone", False), ("owner_only", True)])
def test_import_visibility(
    scene: Scene,
    visibility: str,
    private: bool,
) -> None:
    scene.start(import_visibility=visibility)
    scene.side.add("Lunch with Ann", soon(1, 12))
    scene.sync()
    (imported,) = scene.activities()
    assert imported.private is private


def test_imported_events_get_the_chosen_type(
    scene: Scene,
) -> None:
    scene.start(import_type_key="lunch")
    scene.side.add("Lunch with Ann", soon(1, 12))
    scene.sync()
    assert [a.type_key for a in scene.activities()] == ["lunch"]


def test_unticking_a_type_removes_its_events_and_ticking_pushes_them(
    scene: Scene,
) -> None:
    scene.add("Call Bob", type_key="call")
    scene.add("Demo", type_key="meeting")
    scene.start()
    scene.side.add("Own event", soon(3, 15))
    scene.sync()
    assert sorted(e.summary for e in scene.side.events()) == ["Call Bob", "Demo", "Own event"]

    scene.accounts.update_settings("alice", scene.account_id, {"pushed_type_keys": ["meeting"]})
    scene.sync()
    assert sorted(e.summary for e in scene.side.events()) == ["Demo", "Own event"]
    assert len(scene.activities()) == 3

    scene.accounts.update_settings(
        "alice", scene.account_id, {"pushed_type_keys": ["meeting", "call"]}
    )
    scene.sync()
    assert sorted(e.summary for e in scene.side.events()) == ["Call Bob", "Demo", "Own event"]


def test_deal_and_contact_info_in_the_description_only_when_asked(
    scene: Scene,
) -> None:
    with writing(scene.engine) as conn:
        person = crm.add_person(conn, Person("Ann Lee", "ann@acme.test", "+1 555 0100"))
        deal = crm.add_deal(conn, Deal("Acme renewal", 12500.0, "EUR", "won"))
    add_activity(
        scene.engine,
        scene.user,
        "Renewal call",
        type_key="call",
        public_description="Agenda: pricing",
        deal_id=deal.id,
        person_id=person.id,
    )
    scene.start()
    scene.sync()
    (plain,) = scene.side.events()
    assert plain.description == "Agenda: pricing"

    scene.accounts.update_settings("alice", scene.account_id, {"include_crm_info": True})
    scene.sync()
    (rich,) = scene.side.events()
    assert rich.description.startswith("Agenda: pricing\n\n")
    assert "Acme renewal (12,500.00 EUR)" in rich.description
    assert "Ann Lee, ann@acme.test, +1 555 0100" in rich.description

    quiet = scene.sync()
    assert (quiet.counts.pushed, quiet.counts.imported) == (0, 0)
    assert [a.public_description for a in scene.activities()] == ["Agenda: pricing"]


def test_the_window_bounds_what_is_synced(
    scene: Scene,
) -> None:
    scene.add("Next week", start=soon(7))
    scene.add("In two months", start=soon(60))
    scene.add("Last month", start=soon(-20))
    scene.start(window_past_days=10, window_future_days=30)
    scene.side.add("Far away", soon(90))
    scene.sync()
    assert sorted(e.summary for e in scene.side.events()) == ["Far away", "Next week"]
    assert len(scene.activities()) == 3

    scene.accounts.update_settings(
        "alice", scene.account_id, {"window_past_days": 30, "window_future_days": 365}
    )
    scene.sync()
    assert sorted(e.summary for e in scene.side.events()) == [
        "Far away",
        "In two months",
        "Last month",
        "Next week",
    ]


@pytest.mark.parametrize(
    ("policy", "winner"),
    [
        ("crm_wins", "CRM edit"),
        ("calendar_wins", "Calendar edit"),
        ("most_recent", "Calendar edit"),
    ],
)
def test_conflict_policy(
    scene: Scene,
    policy: str,
    winner: str,
) -> None:
    meeting = scene.add("Original")
    scene.start(conflict_policy=policy)
    scene.sync()
    (event,) = scene.side.events()

    scene.change(meeting.id, subject="CRM edit")
    _a_second_passes()
    scene.side.edit(event.handle, "Calendar edit")
    scene.sync()

    assert [e.summary for e in scene.side.events()] == [winner]
    assert [a.subject for a in scene.activities()] == [winner]


def test_most_recent_change_wins_also_for_the_crm(
    scene: Scene,
) -> None:
    meeting = scene.add("Original")
    scene.start()
    scene.sync()
    (event,) = scene.side.events()

    scene.side.edit(event.handle, "Calendar edit")
    _a_second_passes()
    scene.change(meeting.id, subject="CRM edit")
    scene.sync()

    assert [e.summary for e in scene.side.events()] == ["CRM edit"]
    assert [a.subject for a in scene.activities()] == ["CRM edit"]


def test_stopped_accounts_do_not_sync_and_disconnect_forgets_links_not_data(
    scene: Scene,
) -> None:
    scene.add("Pushed")
    scene.start()
    scene.sync()
    scene.accounts.stop("alice", scene.account_id)
    scene.add("Not pushed while stopped")
    assert scene.worker.run_due() == {}
    assert [e.summary for e in scene.side.events()] == ["Pushed"]

    scene.accounts.disconnect("alice", scene.account_id)
    assert scene.accounts.accounts("alice") == []
    assert [e.summary for e in scene.side.events()] == ["Pushed"]
    assert len(scene.activities()) == 2


def _a_second_passes() -> None:
    """Change times are compared to the second: let the later edit be later."""
    time.sleep(1.05)


def test_switching_calendars_pushes_into_the_new_one_and_leaves_the_old_alone(
    scene: Scene,
) -> None:
    scene.add("Pushed")
    scene.start()
    scene.sync()
    other = scene.side.add_calendar("projects")

    scene.accounts.update_settings("alice", scene.account_id, {"calendar_id": other})
    moved = scene.sync()

    assert moved.counts.pushed == 1
    assert [event.summary for event in scene.side.events(other)] == ["Pushed"]
    assert [event.summary for event in scene.side.events()] == ["Pushed"]
    assert [activity.subject for activity in scene.activities()] == ["Pushed"]
    quiet = scene.sync()
    assert (quiet.counts.pushed, quiet.counts.imported) == (0, 0)
