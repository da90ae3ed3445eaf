"""Each "Calendar sync" setting takes effect, against each provider."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from bridge.calendar_accounts import CalendarAccounts
from bridge.domain import Deal, Person, User
from bridge.store import crm
from bridge.store.db import writing
from bridge.worker.scheduler import Worker
from tests.sync_worker.calendar_sides import CalendarSide
from tests.sync_worker.sync_samples import (
    add_activity,
    change_activity,
    live_activities,
    soon,
    sync_ok,
)


def _configure(calendar_accounts: CalendarAccounts, side: CalendarSide, **changes: object) -> int:
    calendar_accounts.update_settings("alice", side.account.id, changes)
    calendar_accounts.start("alice", side.account.id)
    return side.account.id


def test_one_way_never_imports_and_keeps_the_calendar_in_step(
    engine: sa.Engine,
    side: CalendarSide,
    calendar_accounts: CalendarAccounts,
    crm_user: User,
    worker: Worker,
) -> None:
    add_activity(engine, crm_user, "Board meeting")
    account_id = _configure(calendar_accounts, side, sync_type="one_way")
    sync_ok(worker, account_id)
    side.add("Gym", soon(2, 18))
    (pushed,) = [event for event in side.events() if event.stamp is not None]

    side.edit(pushed.handle, "Board meeting (edited in the calendar)")
    result = sync_ok(worker, account_id)

    assert result.counts.imported == 0
    assert [a.subject for a in live_activities(engine, crm_user)] == ["Board meeting"]
    assert sorted(event.summary for event in side.events()) == ["Board meeting", "Gym"]

    side.remove(pushed.handle)
    sync_ok(worker, account_id)
    assert sorted(event.summary for event in side.events()) == ["Board meeting", "Gym"]
    assert [a.subject for a in live_activities(engine, crm_user)] == ["Board meeting"]


@pytest.mark.parametrize(("visibility", "private"), [("everyone", False), ("owner_only", True)])
def test_import_visibility(
    engine: sa.Engine,
    side: CalendarSide,
    calendar_accounts: CalendarAccounts,
    crm_user: User,
    worker: Worker,
    visibility: str,
    private: bool,
) -> None:
    account_id = _configure(calendar_accounts, side, import_visibility=visibility)
    side.add("Lunch with Ann", soon(1, 12))
    sync_ok(worker, account_id)
    (imported,) = live_activities(engine, crm_user)
    assert imported.private is private


def test_imported_events_get_the_chosen_type(
    engine: sa.Engine,
    side: CalendarSide,
    calendar_accounts: CalendarAccounts,
    crm_user: User,
    worker: Worker,
) -> None:
    account_id = _configure(calendar_accounts, side, import_type_key="lunch")
    side.add("Lunch with Ann", soon(1, 12))
    sync_ok(worker, account_id)
    assert [a.type_key for a in live_activities(engine, crm_user)] == ["lunch"]


def test_unticking_a_type_removes_its_events_and_ticking_pushes_them(
    engine: sa.Engine,
    side: CalendarSide,
    calendar_accounts: CalendarAccounts,
    crm_user: User,
    worker: Worker,
) -> None:
    add_activity(engine, crm_user, "Call Bob", type_key="call")
    add_activity(engine, crm_user, "Demo", type_key="meeting")
    account_id = _configure(calendar_accounts, side)
    side.add("Own event", soon(3, 15))
    sync_ok(worker, account_id)
    assert sorted(e.summary for e in side.events()) == ["Call Bob", "Demo", "Own event"]

    calendar_accounts.update_settings("alice", account_id, {"pushed_type_keys": ["meeting"]})
    sync_ok(worker, account_id)
    assert sorted(e.summary for e in side.events()) == ["Demo", "Own event"]
    assert len(live_activities(engine, crm_user)) == 3

    calendar_accounts.update_settings(
        "alice", account_id, {"pushed_type_keys": ["meeting", "call"]}
    )
    sync_ok(worker, account_id)
    assert sorted(e.summary for e in side.events()) == ["Call Bob", "Demo", "Own event"]


def test_deal_and_contact_info_in_the_description_only_when_asked(
    engine: sa.Engine,
    side: CalendarSide,
    calendar_accounts: CalendarAccounts,
    crm_user: User,
    worker: Worker,
) -> None:
    with writing(engine) as conn:
        person = crm.add_person(conn, Person("Ann Lee", "ann@acme.test", "+1 555 0100"))
        deal = crm.add_deal(conn, Deal("Acme renewal", 12500.0, "EUR", "won"))
    add_activity(
        engine,
        crm_user,
        "Renewal call",
        type_key="call",
        public_description="Agenda: pricing",
        deal_id=deal.id,
        person_id=person.id,
    )
    account_id = _configure(calendar_accounts, side)
    sync_ok(worker, account_id)
    (plain,) = side.events()
    assert plain.description == "Agenda: pricing"

    calendar_accounts.update_settings("alice", account_id, {"include_crm_info": True})
    sync_ok(worker, account_id)
    (rich,) = side.events()
    assert rich.description.startswith("Agenda: pricing\n\n")
    assert "Acme renewal (12,500.00 EUR)" in rich.description
    assert "Ann Lee, ann@acme.test, +1 555 0100" in rich.description

    quiet = sync_ok(worker, account_id)
    assert (quiet.counts.pushed, quiet.counts.imported) == (0, 0)
    assert [a.public_description for a in live_activities(engine, crm_user)] == ["Agenda: pricing"]


def test_the_window_bounds_what_is_synced(
    engine: sa.Engine,
    side: CalendarSide,
    calendar_accounts: CalendarAccounts,
    crm_user: User,
    worker: Worker,
) -> None:
    add_activity(engine, crm_user, "Next week", start=soon(7))
    add_activity(engine, crm_user, "In two months", start=soon(60))
    add_activity(engine, crm_user, "Last month", start=soon(-20))
    account_id = _configure(calendar_accounts, side, window_past_days=10, window_future_days=30)
    side.add("Far away", soon(90))
    sync_ok(worker, account_id)
    assert sorted(e.summary for e in side.events()) == ["Far away", "Next week"]
    assert len(live_activities(engine, crm_user)) == 3

    calendar_accounts.update_settings(
        "alice", account_id, {"window_past_days": 30, "window_future_days": 365}
    )
    sync_ok(worker, account_id)
    assert sorted(e.summary for e in side.events()) == [
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
    engine: sa.Engine,
    side: CalendarSide,
    calendar_accounts: CalendarAccounts,
    crm_user: User,
    worker: Worker,
    policy: str,
    winner: str,
) -> None:
    meeting = add_activity(engine, crm_user, "Original")
    account_id = _configure(calendar_accounts, side, conflict_policy=policy)
    sync_ok(worker, account_id)
    (event,) = side.events()

    change_activity(engine, meeting.id, subject="CRM edit")
    _a_second_passes()
    side.edit(event.handle, "Calendar edit")
    sync_ok(worker, account_id)

    assert [e.summary for e in side.events()] == [winner]
    assert [a.subject for a in live_activities(engine, crm_user)] == [winner]


def test_most_recent_change_wins_also_for_the_crm(
    engine: sa.Engine,
    side: CalendarSide,
    calendar_accounts: CalendarAccounts,
    crm_user: User,
    worker: Worker,
) -> None:
    meeting = add_activity(engine, crm_user, "Original")
    account_id = _configure(calendar_accounts, side)
    sync_ok(worker, account_id)
    (event,) = side.events()

    side.edit(event.handle, "Calendar edit")
    _a_second_passes()
    change_activity(engine, meeting.id, subject="CRM edit")
    sync_ok(worker, account_id)

    assert [e.summary for e in side.events()] == ["CRM edit"]
    assert [a.subject for a in live_activities(engine, crm_user)] == ["CRM edit"]


def test_stopped_accounts_do_not_sync_and_disconnect_forgets_links_not_data(
    engine: sa.Engine,
    side: CalendarSide,
    calendar_accounts: CalendarAccounts,
    crm_user: User,
    worker: Worker,
) -> None:
    add_activity(engine, crm_user, "Pushed")
    account_id = _configure(calendar_accounts, side)
    sync_ok(worker, account_id)
    calendar_accounts.stop("alice", account_id)
    add_activity(engine, crm_user, "Not pushed while stopped")
    assert worker.run_due() == {}
    assert [e.summary for e in side.events()] == ["Pushed"]

    calendar_accounts.disconnect("alice", account_id)
    assert calendar_accounts.accounts("alice") == []
    assert [e.summary for e in side.events()] == ["Pushed"]
    assert len(live_activities(engine, crm_user)) == 2


def _a_second_passes() -> None:
    """Change times are compared to the second: let the later edit be later."""
    time.sleep(1.05)
