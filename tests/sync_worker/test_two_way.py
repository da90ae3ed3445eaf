"""Two-way sync with each provider: pushes, imports, edits and deletes both ways, no echoes."""

from __future__ import annotations

import datetime as dt

from tests.sync_worker.scene import Scene
from tests.sync_worker.sync_samples import (
    soon,
)


def test_round_trip_of_creates_edits_and_deletes(
    scene: Scene,
) -> None:
    meeting = scene.add("Kick-off", location="Room 4")
    scene.start()

    first = scene.sync()
    (pushed,) = scene.side.events()
    assert (pushed.summary, pushed.location, pushed.stamp) == (
        "Kick-off",
        "Room 4",
        str(meeting.id),
    )
    assert first.counts.pushed == 1

    handle = scene.side.add("Dentist", soon(2, 11), description="Bring the forms")
    assert scene.sync().counts.imported == 1
    dentist = next(a for a in scene.activities() if a.subject == "Dentist")
    assert dentist.public_description == "Bring the forms"
    assert dentist.type_key == "meeting"

    scene.change(meeting.id, subject="Kick-off (moved)")
    scene.side.edit(handle, "Dentist, Dr Who")
    scene.sync()
    assert sorted(event.summary for event in scene.side.events()) == [
        "Dentist, Dr Who",
        "Kick-off (moved)",
    ]
    assert sorted(a.subject for a in scene.activities()) == [
        "Dentist, Dr Who",
        "Kick-off (moved)",
    ]

    quiet = scene.sync()
    assert (quiet.counts.pushed, quiet.counts.imported, quiet.counts.deleted) == (0, 0, 0)

    scene.delete(meeting.id)
    scene.side.remove(handle)
    assert scene.sync().counts.deleted == 2
    assert scene.side.events() == []
    assert scene.activities() == []


def test_completing_an_activity_keeps_its_event(
    scene: Scene,
) -> None:
    call = scene.add("Call Bob", type_key="call")
    scene.start()
    scene.sync()

    scene.change(call.id, done=True)
    scene.sync()

    assert [event.summary for event in scene.side.events()] == ["Call Bob"]
    (activity,) = scene.activities()
    assert activity.done


def test_recurring_events_arrive_as_occurrences_and_cancelling_one_deletes_it(
    scene: Scene,
) -> None:
    scene.start()
    scene.side.add("Weekly sync", soon(1, 8), weekly=4)

    assert scene.sync().counts.imported == 4
    activities = scene.activities()
    assert [a.subject for a in activities] == ["Weekly sync"] * 4
    assert len({a.uid for a in activities}) == 4
    assert len({a.due_date for a in activities}) == 4

    again = scene.sync()
    assert (again.counts.imported, again.counts.pushed) == (0, 0)

    second = sorted(scene.side.events(), key=lambda event: event.start)[1]
    scene.side.cancel(second)
    assert scene.sync().counts.deleted == 1
    remaining = sorted(a.due_date for a in scene.activities())
    assert len(remaining) == 3
    assert _date(second.start) not in remaining


def _date(moment: dt.datetime | dt.date) -> dt.date:
    return moment.date() if isinstance(moment, dt.datetime) else moment


def test_deleting_a_whole_series_deletes_its_occurrences(
    scene: Scene,
) -> None:
    scene.start()
    series = scene.side.add("Weekly sync", soon(1, 8), weekly=3)
    scene.side.add("One-off", soon(2, 8))
    assert scene.sync().counts.imported == 4

    scene.side.remove(series)

    assert scene.sync().counts.deleted == 3
    assert [a.subject for a in scene.activities()] == ["One-off"]


def test_shortening_a_series_deletes_the_occurrences_it_dropped(scene: Scene) -> None:
    scene.start()
    series = scene.side.add("Weekly sync", soon(1, 8), weekly=4)
    assert scene.sync().counts.imported == 4

    scene.side.shorten(series, 2)
    scene.sync()  # CalDAV lists a changed series whole: the dropped ones go at once
    scene.sync_in_full()  # otherwise the hourly full read finds them gone

    assert len(scene.activities()) == 2
    assert len(scene.side.events()) == 2
