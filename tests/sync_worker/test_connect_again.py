"""Disconnecting and connecting the same calendar again: nothing doubles, nothing leaks in.

The new connection has no links, so it must find its way back to the
events CalBridge pushed before (by the activity stamped into them) and must
never take the deal/contact block CalBridge wrote into them for the
activity's own text, whatever `include_crm_info` says now.
"""

from __future__ import annotations

from bridge.domain import Deal, Person
from bridge.store import crm
from bridge.store.db import writing
from tests.sync_worker.scene import Scene
from tests.sync_worker.sync_samples import soon

COUNT = 12


def _crm_records(scene: Scene) -> tuple[int | None, int | None]:
    with writing(scene.engine) as conn:
        person = crm.add_person(conn, Person("Ann Lee", "ann@acme.test", "+1 555 0100"))
        deal = crm.add_deal(conn, Deal("Acme renewal", 12500.0, "EUR", "won"))
    return deal.id, person.id


def test_connecting_again_matches_pushed_events_and_keeps_descriptions_clean(
    scene: Scene,
) -> None:
    deal_id, person_id = _crm_records(scene)
    for n in range(COUNT):
        scene.add(
            f"Renewal call {n}",
            start=soon(1 + n),
            public_description=f"Agenda {n}",
            deal_id=deal_id,
            person_id=person_id,
        )
    scene.side.add("Own event", soon(3, 15), description="Bring the forms")
    scene.start(include_crm_info=True)
    scene.sync()
    scene.sync()
    pushed = [e for e in scene.side.events() if e.stamp is not None]
    assert len(pushed) == COUNT
    assert all("Deal: Acme renewal (12,500.00 EUR)" in e.description for e in pushed)
    before = sorted((a.id, a.subject, a.public_description) for a in scene.activities())
    assert len(before) == COUNT + 1

    scene.accounts.disconnect("alice", scene.account_id)
    scene.side.connect_again(scene.accounts, "alice")
    assert not scene.accounts.account("alice", scene.account_id).settings.include_crm_info
    scene.start()
    scene.sync()
    scene.sync_in_full()

    after = sorted((a.id, a.subject, a.public_description) for a in scene.activities())
    assert after == before, "no duplicates, and no deal/contact block in any description"
    assert len(scene.side.events()) == COUNT + 1
    quiet = scene.sync()
    assert (quiet.counts.pushed, quiet.counts.imported, quiet.counts.deleted) == (0, 0, 0)


def test_an_imported_event_finds_its_activity_even_outside_the_window(scene: Scene) -> None:
    """Its link is gone and its activity moved out of the window meanwhile: still one item."""
    scene.side.add("Dentist", soon(2, 11))
    scene.start()
    scene.sync()
    (dentist,) = scene.activities()
    assert [event.stamp for event in scene.side.events()] == [None], "matched by uid alone"

    scene.accounts.disconnect("alice", scene.account_id)
    scene.change(dentist.id, due_date=soon(-60).date())
    scene.side.connect_again(scene.accounts, "alice")
    scene.start()
    run = scene.sync()

    assert [a.subject for a in scene.activities()] == ["Dentist"], "not imported a second time"
    assert run.counts.failed == 0, run.message
    assert scene.sync().counts.failed == 0
