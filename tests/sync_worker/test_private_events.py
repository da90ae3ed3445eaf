"""Private external events in each of the three modes, with canaries checked in bob's doors.

alice imports a private event from her calendar; bob, a colleague, must never
see its details through any door: the CalDAV team calendar (PROPFIND, GET,
REPORT, sync-collection), the team feed, and the JSON API. With "busy block"
he sees an unidentified "Busy"; with "not imported" nothing at all; with
"everyone" the event is imported like any other, on purpose.
"""

from __future__ import annotations

import uuid

import caldav
import httpx
import pytest
import sqlalchemy as sa

from bridge.domain import Activity, User
from bridge.store.db import writing
from bridge.store.feeds import create_feed
from bridge.store.users import create_user
from tests.sync_worker.scene import Scene
from tests.sync_worker.sync_samples import soon

BOB = ("bob", "bob-password")


@pytest.fixture
def bob(engine: sa.Engine) -> User:
    with writing(engine) as conn:
        return create_user(conn, *BOB)


def _bobs_doors(live_server: str, engine: sa.Engine, bob: User, alices: list[int]) -> str:
    """Everything bob can fetch about his colleagues' activities, concatenated.

    `alices` are the ids of alice's activities, which bob asks the API about.
    """
    with writing(engine) as conn:
        token = create_feed(conn, bob.id, scope="team")
    team = f"{live_server}/dav/bob/team/"
    with httpx.Client(auth=BOB, trust_env=False) as http:
        bodies = [
            http.request("PROPFIND", team, headers={"Depth": "1"}).text,
            http.get(team).text,
            http.get(f"{live_server}/feeds/{token}.ics").text,
            http.get(f"{live_server}/api/v1/calendar-accounts").text,
            http.get(
                f"{live_server}/api/v1/activities/sync-status",
                params={"ids": ",".join(map(str, alices))},
            ).text,
        ]
    client = caldav.DAVClient(url=f"{live_server}/dav/", username=BOB[0], password=BOB[1])
    calendar = client.calendar(url=team)
    bodies += [obj.data for obj in calendar.objects_by_sync_token(load_objects=True)]
    bodies += [obj.data for obj in calendar.events()]
    return "\n".join(bodies)


@pytest.mark.parametrize("mode", ["busy_block", "skip", "everyone"])
def test_private_event_modes(
    scene: Scene,
    bob: User,
    live_server: str,
    mode: str,
) -> None:
    canary = f"CANARY{uuid.uuid4().hex}"
    scene.start(private_events=mode)
    scene.side.add(f"Therapy {canary}", soon(2, 16), private=True, description=f"Notes {canary}")
    scene.side.add("Team lunch", soon(3, 12))

    scene.sync()

    mine = {activity.subject: activity for activity in scene.activities()}
    doors = _bobs_doors(live_server, scene.engine, bob, [_id(a) for a in mine.values()])
    assert "Team lunch" in doors
    if mode == "skip":
        assert set(mine) == {"Team lunch"}
        assert canary not in doors
        return
    own = mine[f"Therapy {canary}"]
    assert own.public_description == f"Notes {canary}"
    if mode == "busy_block":
        assert own.private
        assert canary not in doors
        assert "Busy" in doors
    else:
        assert not own.private
        assert canary in doors

    again = scene.sync()
    assert (again.counts.pushed, again.counts.imported) == (0, 0)
    event_summaries = [event.summary for event in scene.side.events()]
    assert sorted(event_summaries) == sorted(["Team lunch", f"Therapy {canary}"])


def _id(activity: Activity) -> int:
    assert activity.id is not None
    return activity.id


@pytest.mark.parametrize(
    "change",
    [
        {"private_events": "busy_block"},
        {"private_events": "skip"},
        {"import_visibility": "owner_only"},
    ],
    ids=["busy_block", "skip", "owner_only"],
)
def test_a_stricter_setting_applies_at_once_to_earlier_imports(
    scene: Scene,
    bob: User,
    live_server: str,
    change: dict[str, str],
) -> None:
    canary = f"CANARY{uuid.uuid4().hex}"
    scene.start(private_events="everyone")
    scene.side.add(f"Therapy {canary}", soon(2, 16), private=True, description=f"Notes {canary}")
    scene.side.add("Team lunch", soon(3, 12))
    scene.sync()
    ids = [_id(a) for a in scene.activities()]
    assert canary in _bobs_doors(live_server, scene.engine, bob, ids)

    scene.accounts.update_settings("alice", scene.account_id, change)

    assert canary not in _bobs_doors(live_server, scene.engine, bob, ids), "before any run"
    scene.sync()
    assert canary not in _bobs_doors(live_server, scene.engine, bob, ids), "after the run"
    mine = {activity.subject: activity for activity in scene.activities()}
    if change.get("private_events") == "skip":
        assert set(mine) == {"Team lunch"}
    else:
        assert mine[f"Therapy {canary}"].private
        assert mine["Team lunch"].private is (change.get("import_visibility") == "owner_only")
    assert len(scene.side.events()) == 2, "the calendar keeps its events"
    quiet = scene.sync()
    assert (quiet.counts.pushed, quiet.counts.imported, quiet.counts.deleted) == (0, 0, 0)


def test_a_looser_setting_shows_earlier_imports_again(
    scene: Scene,
    bob: User,
    live_server: str,
) -> None:
    scene.start(import_visibility="owner_only")
    scene.side.add("Team lunch", soon(3, 12))
    scene.sync()
    (lunch,) = scene.activities()
    assert lunch.private

    scene.accounts.update_settings("alice", scene.account_id, {"import_visibility": "everyone"})

    (lunch,) = scene.activities()
    assert not lunch.private
    assert "Team lunch" in _bobs_doors(live_server, scene.engine, bob, [_id(lunch)])
