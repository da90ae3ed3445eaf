"""Two-way sync with each provider: pushes, imports, edits and deletes both ways, no echoes."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from bridge.calendar_accounts import CalendarAccounts
from bridge.domain import User
from bridge.worker.scheduler import Worker
from tests.sync_worker.calendar_sides import CalendarSide
from tests.sync_worker.sync_samples import (
    add_activity,
    change_activity,
    delete_activity,
    live_activities,
    soon,
    sync_ok,
)


def _start(calendar_accounts: CalendarAccounts, side: CalendarSide) -> int:
    calendar_accounts.start("alice", side.account.id)
    return side.account.id


def test_round_trip_of_creates_edits_and_deletes(
    engine: sa.Engine,
    side: CalendarSide,
    calendar_accounts: CalendarAccounts,
    crm_user: User,
    worker: Worker,
) -> None:
    meeting = add_activity(engine, crm_user, "Kick-off", location="Room 4")
    account_id = _start(calendar_accounts, side)

    first = sync_ok(worker, account_id)
    (pushed,) = side.events()
    assert (pushed.summary, pushed.location, pushed.stamp) == (
        "Kick-off",
        "Room 4",
        str(meeting.id),
    )
    assert first.counts.pushed == 1

    handle = side.add("Dentist", soon(2, 11), description="Bring the forms")
    assert sync_ok(worker, account_id).counts.imported == 1
    dentist = next(a for a in live_activities(engine, crm_user) if a.subject == "Dentist")
    assert dentist.public_description == "Bring the forms"
    assert dentist.type_key == "meeting"

    change_activity(engine, meeting.id, subject="Kick-off (moved)")
    side.edit(handle, "Dentist, Dr Who")
    sync_ok(worker, account_id)
    assert sorted(event.summary for event in side.events()) == [
        "Dentist, Dr Who",
        "Kick-off (moved)",
    ]
    assert sorted(a.subject for a in live_activities(engine, crm_user)) == [
        "Dentist, Dr Who",
        "Kick-off (moved)",
    ]

    quiet = sync_ok(worker, account_id)
    assert (quiet.counts.pushed, quiet.counts.imported, quiet.counts.deleted) == (0, 0, 0)

    delete_activity(engine, meeting.id)
    side.remove(handle)
    assert sync_ok(worker, account_id).counts.deleted == 2
    assert side.events() == []
    assert live_activities(engine, crm_user) == []


def test_completing_an_activity_keeps_its_event(
    engine: sa.Engine,
    side: CalendarSide,
    calendar_accounts: CalendarAccounts,
    crm_user: User,
    worker: Worker,
) -> None:
    call = add_activity(engine, crm_user, "Call Bob", type_key="call")
    account_id = _start(calendar_accounts, side)
    sync_ok(worker, account_id)

    change_activity(engine, call.id, done=True)
    sync_ok(worker, account_id)

    assert [event.summary for event in side.events()] == ["Call Bob"]
    (activity,) = live_activities(engine, crm_user)
    assert activity.done


def test_recurring_events_arrive_as_occurrences_and_cancelling_one_deletes_it(
    engine: sa.Engine,
    side: CalendarSide,
    calendar_accounts: CalendarAccounts,
    crm_user: User,
    worker: Worker,
) -> None:
    account_id = _start(calendar_accounts, side)
    side.add("Weekly sync", soon(1, 8), weekly=4)

    assert sync_ok(worker, account_id).counts.imported == 4
    activities = live_activities(engine, crm_user)
    assert [a.subject for a in activities] == ["Weekly sync"] * 4
    assert len({a.uid for a in activities}) == 4
    assert len({a.due_date for a in activities}) == 4

    again = sync_ok(worker, account_id)
    assert (again.counts.imported, again.counts.pushed) == (0, 0)

    second = sorted(side.events(), key=lambda event: event.start)[1]
    side.cancel(second)
    assert sync_ok(worker, account_id).counts.deleted == 1
    remaining = sorted(a.due_date for a in live_activities(engine, crm_user))
    assert len(remaining) == 3
    assert _date(second.start) not in remaining


def _date(moment: dt.datetime | dt.date) -> dt.date:
    return moment.date() if isinstance(moment, dt.datetime) else moment


def test_deleting_a_whole_series_deletes_its_occurrences(
    engine: sa.Engine,
    side: CalendarSide,
    calendar_accounts: CalendarAccounts,
    crm_user: User,
    worker: Worker,
) -> None:
    account_id = _start(calendar_accounts, side)
    series = side.add("Weekly sync", soon(1, 8), weekly=3)
    side.add("One-off", soon(2, 8))
    assert sync_ok(worker, account_id).counts.imported == 4

    side.remove(series)

    assert sync_ok(worker, account_id).counts.deleted == 3
    assert [a.subject for a in live_activities(engine, crm_user)] == ["One-off"]
