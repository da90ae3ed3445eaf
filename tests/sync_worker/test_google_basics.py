"""Calendar sync against the Google emulator: pushing, importing, echoes, edits and deletes."""

from __future__ import annotations

import datetime as dt

import pytest

from bridge.domain import Activity
from bridge.store.activities import insert_many
from bridge.store.crm import list_activity_types
from bridge.store.db import writing
from bridge.sync.run import ECHO_PASS_WRITES
from tests.emulators.google_calendar import GoogleEmulator
from tests.sync_worker.scene import Scene
from tests.sync_worker.sync_samples import (
    GOOGLE_CALENDAR,
    google_event,
    live_events,
    soon,
)


@pytest.fixture
def scene(scene_at_google: Scene) -> Scene:
    """These scenarios need Google: they use its faults, batches and request counts."""
    return scene_at_google


def test_start_pushes_activities_once_and_an_idle_run_writes_nothing(
    scene: Scene,
    google: GoogleEmulator,
) -> None:
    meeting = scene.add("Renewal meeting", location="Room 4")
    scene.add("Call Bob", type_key="call", start=soon(3, 14))
    scene.start()

    first = scene.sync()

    events = live_events(google.state.events(GOOGLE_CALENDAR))
    assert sorted(event["summary"] for event in events.values()) == ["Call Bob", "Renewal meeting"]
    pushed = next(e for e in events.values() if e["summary"] == "Renewal meeting")
    assert pushed["location"] == "Room 4"
    assert pushed["extendedProperties"]["private"]["calbridgeActivity"] == str(meeting.id)
    assert first.counts.pushed == 2

    google.requests.reset()
    second = scene.sync()
    assert second.counts.pushed == second.counts.imported == 0
    assert google.requests_total == second.counts.requests == 1

    scene.change(meeting.id, subject="Renewal meeting (moved)")
    google.requests.reset()
    changed = scene.sync()
    assert changed.counts.pushed == 1
    assert google.requests_total == changed.counts.requests == 2
    assert len(live_events(google.state.events(GOOGLE_CALENDAR))) == 2
    assert len(scene.activities()) == 2


def test_edits_and_deletes_travel_both_ways_without_echoes(
    scene: Scene,
    google: GoogleEmulator,
) -> None:
    meeting = scene.add("Kick-off")
    scene.start()
    scene.sync()
    external = google.state.insert_event(GOOGLE_CALENDAR, google_event("Dentist", soon(2, 11)))

    imported = scene.sync()
    assert imported.counts.imported == 1
    by_subject = {a.subject: a for a in scene.activities()}
    assert set(by_subject) == {"Kick-off", "Dentist"}

    scene.change(meeting.id, subject="Kick-off (moved)")
    google.state.patch_event(GOOGLE_CALENDAR, external["id"], {"summary": "Dentist, Dr Who"})
    scene.sync()
    summaries = {e["summary"] for e in live_events(google.state.events(GOOGLE_CALENDAR)).values()}
    assert summaries == {"Kick-off (moved)", "Dentist, Dr Who"}
    assert {a.subject for a in scene.activities()} == summaries

    quiet = scene.sync()
    assert (quiet.counts.pushed, quiet.counts.imported, quiet.counts.deleted) == (0, 0, 0)

    scene.delete(meeting.id)
    google.state.delete_event(GOOGLE_CALENDAR, external["id"])
    done = scene.sync()
    assert done.counts.deleted == 2
    assert live_events(google.state.events(GOOGLE_CALENDAR)) == {}
    assert scene.activities() == []


def test_after_a_big_push_the_next_change_costs_two_requests(
    scene: Scene,
    google: GoogleEmulator,
) -> None:
    count = ECHO_PASS_WRITES + 10
    with writing(scene.engine) as conn:
        insert_many(
            conn,
            [
                Activity(
                    subject=f"Visit {number}",
                    type_key="call",
                    owner_id=scene.user.id,
                    uid=f"visit-{number}@crm.test",
                    due_date=soon(1 + number % 200).date(),
                    due_time=dt.time(9),
                    duration=dt.timedelta(minutes=30),
                )
                for number in range(count)
            ],
            list_activity_types(conn),
        )
    scene.start()
    google.requests.reset()

    pushed = scene.sync()

    batches = -(-count // 50)
    assert pushed.counts.pushed == count
    assert google.requests["calendar.events.list"] == 2
    assert google.requests_total == pushed.counts.requests == 1 + batches + 1
    one = next(a for a in scene.activities() if a.subject == "Visit 7")
    scene.change(one.id, subject="Visit 7 (moved)")
    google.requests.reset()
    assert scene.sync().counts.requests == google.requests_total == 2
