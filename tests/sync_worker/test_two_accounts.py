"""One user, two connected calendars: what an import from one does in the other.

An activity imported from one calendar is pushed to the user's other
calendars like any activity, except a private one: it reaches them only as
a busy block (its time and "Busy", nothing else), as colleagues see it, and
what happens to that block there never writes back into the activity.
"""

from __future__ import annotations

import uuid

from tests.sync_worker.scene import Scene
from tests.sync_worker.sync_samples import soon


def test_a_private_import_reaches_the_other_calendar_as_a_busy_block(
    oauth_scene: Scene, caldav_beside: Scene
) -> None:
    oauth, caldav = oauth_scene, caldav_beside
    canary = f"CANARY{uuid.uuid4().hex}"
    oauth.start()
    caldav.start()
    oauth.side.add(f"Therapy {canary}", soon(2, 16), private=True, description=f"Notes {canary}")
    oauth.side.add("Team lunch", soon(3, 12))
    oauth.sync()
    caldav.sync()

    blocks = {event.summary: event for event in caldav.side.events()}
    assert set(blocks) == {"Busy", "Team lunch"}
    block = blocks["Busy"]
    assert (block.description, block.location, block.private) == ("", "", True)
    assert block.start == soon(2, 16)
    stored = "".join(path.read_text() for path in caldav.side.folder.glob("*.ics"))
    assert canary not in stored

    caldav.side.edit(block.handle, f"Renamed in the other calendar {canary}x")
    caldav.sync()
    therapy = next(a for a in caldav.activities() if a.private)
    assert therapy.subject == f"Therapy {canary}"
    assert therapy.public_description == f"Notes {canary}"
    assert "Busy" in [event.summary for event in caldav.side.events()]

    caldav.side.remove(block.handle)
    caldav.sync()
    assert len(caldav.activities()) == 2, "deleting the block deletes no activity"
    assert sorted(e.summary for e in caldav.side.events()) == ["Busy", "Team lunch"]
    quiet = caldav.sync()
    assert (quiet.counts.pushed, quiet.counts.imported, quiet.counts.deleted) == (0, 0, 0)


def test_an_import_turned_private_later_is_masked_in_the_other_calendar(
    oauth_scene: Scene, caldav_beside: Scene
) -> None:
    oauth, caldav = oauth_scene, caldav_beside
    canary = f"CANARY{uuid.uuid4().hex}"
    oauth.start(private_events="everyone")
    caldav.start()
    oauth.side.add(f"Therapy {canary}", soon(2, 16), private=True)
    oauth.sync()
    caldav.sync()
    assert [e.summary for e in caldav.side.events()] == [f"Therapy {canary}"]

    oauth.accounts.update_settings("alice", oauth.account_id, {"private_events": "busy_block"})
    caldav.sync()
    assert [e.summary for e in caldav.side.events()] == ["Busy"]
    stored = "".join(path.read_text() for path in caldav.side.folder.glob("*.ics"))
    assert canary not in stored
