"""Most runs read only what changed on either side; an hourly full read catches the rest."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bridge.domain import Deal
from bridge.store import crm
from bridge.store.db import writing
from bridge.store.schema import deals
from tests.sync_worker.scene import Scene


@pytest.fixture
def scene(oauth_scene: Scene) -> Scene:
    """Google and Microsoft list changes since a cursor; CalDAV lists a collection's."""
    return oauth_scene


def test_a_renamed_deal_reaches_the_calendar_with_the_next_full_read(scene: Scene) -> None:
    with writing(scene.engine) as conn:
        deal = crm.add_deal(conn, Deal("Acme renewal", 1000.0, "EUR"))
    scene.add("Renewal call", type_key="call", deal_id=deal.id)
    scene.start(include_crm_info=True)
    scene.sync()
    scene.sync()  # reads the push back: its echo names the activity, which is then read
    with writing(scene.engine) as conn:
        conn.execute(sa.update(deals).where(deals.c.id == deal.id).values(title="Acme 2027"))

    incremental = scene.sync()

    assert incremental.counts.pushed == 0
    (event,) = scene.side.events()
    assert "Acme renewal" in event.description
    full = scene.sync_in_full()

    assert full.counts.pushed == 1
    (event,) = scene.side.events()
    assert "Acme 2027" in event.description


def test_an_incremental_run_still_deletes_and_updates(scene: Scene) -> None:
    kept = scene.add("Kept")
    moved = scene.add("Moved")
    gone = scene.add("Gone")
    scene.start()
    scene.sync()

    scene.change(moved.id, subject="Moved on")
    scene.delete(gone.id)
    result = scene.sync()

    assert (result.counts.pushed, result.counts.deleted) == (1, 1)
    assert sorted(event.summary for event in scene.side.events()) == ["Kept", "Moved on"]
    assert kept.id is not None
