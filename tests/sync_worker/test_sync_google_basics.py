"""Calendar sync against the Google emulator: pushing, importing, echoes, edits and deletes."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from bridge.calendar_accounts import CalendarAccounts
from bridge.domain import Activity, User
from bridge.store.activities import insert_many
from bridge.store.crm import list_activity_types
from bridge.store.db import writing
from bridge.store.sync_accounts import CalendarAccount
from bridge.sync.run import ECHO_PASS_WRITES
from bridge.worker.scheduler import Worker
from tests.emulators.google_calendar import GoogleEmulator
from tests.sync_worker.sync_samples import (
    GOOGLE_CALENDAR,
    add_activity,
    change_activity,
    delete_activity,
    google_event,
    live_activities,
    live_events,
    soon,
    sync_ok,
)


def _started(accounts: CalendarAccounts, account: CalendarAccount) -> int:
    accounts.start("alice", account.id)
    return account.id


def test_start_pushes_activities_once_and_an_idle_run_writes_nothing(
    engine: sa.Engine,
    google: GoogleEmulator,
    calendar_accounts: CalendarAccounts,
    google_account: CalendarAccount,
    crm_user: User,
    worker: Worker,
) -> None:
    meeting = add_activity(engine, crm_user, "Renewal meeting", location="Room 4")
    add_activity(engine, crm_user, "Call Bob", type_key="call", start=soon(3, 14))
    account_id = _started(calendar_accounts, google_account)

    first = sync_ok(worker, account_id)

    events = live_events(google.state.events(GOOGLE_CALENDAR))
    assert sorted(event["summary"] for event in events.values()) == ["Call Bob", "Renewal meeting"]
    pushed = next(e for e in events.values() if e["summary"] == "Renewal meeting")
    assert pushed["location"] == "Room 4"
    assert pushed["extendedProperties"]["private"]["calbridgeActivity"] == str(meeting.id)
    assert first.counts.pushed == 2

    google.requests.reset()
    second = sync_ok(worker, account_id)
    assert second.counts.pushed == second.counts.imported == 0
    assert google.requests_total == second.counts.requests == 1

    change_activity(engine, meeting.id, subject="Renewal meeting (moved)")
    google.requests.reset()
    changed = sync_ok(worker, account_id)
    assert changed.counts.pushed == 1
    assert google.requests_total == changed.counts.requests == 2
    assert len(live_events(google.state.events(GOOGLE_CALENDAR))) == 2
    assert len(live_activities(engine, crm_user)) == 2


def test_edits_and_deletes_travel_both_ways_without_echoes(
    engine: sa.Engine,
    google: GoogleEmulator,
    calendar_accounts: CalendarAccounts,
    google_account: CalendarAccount,
    crm_user: User,
    worker: Worker,
) -> None:
    meeting = add_activity(engine, crm_user, "Kick-off")
    account_id = _started(calendar_accounts, google_account)
    sync_ok(worker, account_id)
    external = google.state.insert_event(GOOGLE_CALENDAR, google_event("Dentist", soon(2, 11)))

    imported = sync_ok(worker, account_id)
    assert imported.counts.imported == 1
    by_subject = {a.subject: a for a in live_activities(engine, crm_user)}
    assert set(by_subject) == {"Kick-off", "Dentist"}

    change_activity(engine, meeting.id, subject="Kick-off (moved)")
    google.state.patch_event(GOOGLE_CALENDAR, external["id"], {"summary": "Dentist, Dr Who"})
    sync_ok(worker, account_id)
    summaries = {e["summary"] for e in live_events(google.state.events(GOOGLE_CALENDAR)).values()}
    assert summaries == {"Kick-off (moved)", "Dentist, Dr Who"}
    assert {a.subject for a in live_activities(engine, crm_user)} == summaries

    quiet = sync_ok(worker, account_id)
    assert (quiet.counts.pushed, quiet.counts.imported, quiet.counts.deleted) == (0, 0, 0)

    delete_activity(engine, meeting.id)
    google.state.delete_event(GOOGLE_CALENDAR, external["id"])
    done = sync_ok(worker, account_id)
    assert done.counts.deleted == 2
    assert live_events(google.state.events(GOOGLE_CALENDAR)) == {}
    assert live_activities(engine, crm_user) == []


def test_after_a_big_push_the_next_change_costs_two_requests(
    engine: sa.Engine,
    google: GoogleEmulator,
    calendar_accounts: CalendarAccounts,
    google_account: CalendarAccount,
    crm_user: User,
    worker: Worker,
) -> None:
    count = ECHO_PASS_WRITES + 10
    with writing(engine) as conn:
        insert_many(
            conn,
            [
                Activity(
                    subject=f"Visit {number}",
                    type_key="call",
                    owner_id=crm_user.id,
                    uid=f"visit-{number}@crm.test",
                    due_date=soon(1 + number % 200).date(),
                    due_time=dt.time(9),
                    duration=dt.timedelta(minutes=30),
                )
                for number in range(count)
            ],
            list_activity_types(conn),
        )
    account_id = _started(calendar_accounts, google_account)
    google.requests.reset()

    pushed = sync_ok(worker, account_id)

    batches = -(-count // 50)
    assert pushed.counts.pushed == count
    assert google.requests["calendar.events.list"] == 2
    assert google.requests_total == pushed.counts.requests == 1 + batches + 1
    one = next(a for a in live_activities(engine, crm_user) if a.subject == "Visit 7")
    change_activity(engine, one.id, subject="Visit 7 (moved)")
    google.requests.reset()
    assert sync_ok(worker, account_id).counts.requests == google.requests_total == 2
