"""The Microsoft sync where Graph differs: its faults, meetings it would mail about, and delta.

Graph mails the attendees of a meeting whenever its organizer's client
changes or deletes it, and has no switch against that: CalBridge leaves
meetings alone (`ItemRejected`, "change it in Outlook") and Graph's outbox
stays empty. Graph's delta reports the removal only of events it listed to
the client before, so an event pushed and deleted again before the next
run is found gone by the next full read.
"""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest

from bridge.accounts import AccountState
from bridge.store.db import writing
from bridge.store.sync_accounts import require_account
from bridge.store.sync_links import item_errors
from bridge.store.sync_runs import RunOutcome
from bridge.sync.run import run_account
from tests.emulators.microsoft import Fault, GraphEmulator
from tests.providers.microsoft_samples import utc_body
from tests.sync_worker.scene import Scene
from tests.sync_worker.sync_samples import soon, sync
from tests.sync_worker.test_live_state_machine import INTERVAL, DyingProvider, Killed

INVITEES = [
    {"emailAddress": {"address": "bob@example.com", "name": "Bob"}, "type": "required"},
    {"emailAddress": {"address": "carol@example.com", "name": "Carol"}, "type": "optional"},
]


@pytest.fixture
def scene(scene_at_microsoft: Scene) -> Scene:
    """These scenarios need Graph: its faults, meetings and delta (no mail: see the fixture)."""
    return scene_at_microsoft


def _mailbox(graph: GraphEmulator) -> dict[str, str]:
    """The default calendar's events as subject by id (series masters and exceptions too)."""
    events = graph.state.events(graph.state.default_calendar())
    return {event_id: event["subject"] for event_id, event in events.items()}


def test_an_expired_delta_token_reads_in_full_without_duplicates(
    scene: Scene, graph: GraphEmulator
) -> None:
    for day in range(1, 4):
        scene.add(f"Visit {day}", start=soon(day))
    scene.start()
    scene.side.add("Own event", soon(5))
    scene.sync()
    scene.sync()  # reads the pushes back
    assert graph.state.expire_delta_tokens() >= 1

    graph.requests.reset()
    resynced = scene.sync()

    assert graph.requests["delta"] >= 2, "the expired round, then a new full one"
    assert (resynced.counts.pushed, resynced.counts.imported, resynced.counts.deleted) == (0, 0, 0)
    assert len(_mailbox(graph)) == 4
    assert len(scene.activities()) == 4
    quiet = scene.sync().counts
    assert (quiet.pushed, quiet.imported, quiet.deleted) == (0, 0, 0)


def test_a_revoked_grant_asks_for_a_reconnect_and_stops_syncing(
    scene: Scene, graph: GraphEmulator
) -> None:
    scene.add("Pushed before the revocation")
    scene.start()
    scene.sync()
    # The user withdraws consent: no refresh token of the app works, and the access
    # token the account holds ends too.
    for refresh_token in list(graph.state.oauth.refresh_tokens):
        graph.state.revoke(refresh_token)
    graph.state.clock.advance(3600)
    scene.add("Never pushed")

    result = sync(scene.worker, scene.account_id)

    assert result.outcome is RunOutcome.NEEDS_RECONNECT
    status = scene.accounts.status("alice", scene.account_id)
    assert status.account.state is AccountState.NEEDS_RECONNECT
    assert "invalid_grant" in (status.account.last_error or "")
    assert scene.worker.run_due() == {}
    assert list(_mailbox(graph).values()) == ["Pushed before the revocation"]


def test_throttling_backs_off_as_long_as_graph_asks(scene: Scene, graph: GraphEmulator) -> None:
    scene.add("Waits for the quota")
    scene.start()
    graph.inject(Fault.throttled(retry_after=600))

    before = dt.datetime.now(dt.UTC)
    result = sync(scene.worker, scene.account_id)

    assert result.outcome is RunOutcome.ERROR
    account = scene.accounts.account("alice", scene.account_id)
    assert account.state is AccountState.ACTIVE
    assert account.next_run_at is not None
    assert account.next_run_at >= before + dt.timedelta(seconds=600)
    assert "RateLimited" in (account.last_error or "")
    assert scene.worker.run_due() == {}
    assert _mailbox(graph) == {}

    recovered = scene.sync()
    assert recovered.counts.pushed == 1
    assert scene.accounts.account("alice", scene.account_id).last_error is None


@pytest.mark.parametrize(
    "fault",
    [Fault.server_error(500), Fault.server_error(502), Fault.service_unavailable(retry_after=1)],
    ids=["500", "502", "503"],
)
def test_a_passing_outage_is_retried_within_the_run(
    scene: Scene, graph: GraphEmulator, fault: Fault
) -> None:
    scene.add("Pushed despite the outage")
    scene.start()
    graph.inject(fault)

    assert scene.sync().counts.pushed == 1
    assert list(_mailbox(graph).values()) == ["Pushed despite the outage"]


def test_a_meeting_is_imported_but_never_changed_or_deleted_from_the_crm(
    scene: Scene, graph: GraphEmulator
) -> None:
    calendar = graph.state.default_calendar()
    start = soon(2, 10)
    body = utc_body("Quarterly review", start, start + dt.timedelta(hours=1), attendees=INVITEES)
    meeting_id = graph.state.insert_event(calendar, body)["id"]
    scene.add("Own activity")
    scene.start()
    assert scene.sync().counts.imported == 1
    review = next(a for a in scene.activities() if a.subject == "Quarterly review")
    own = next(a for a in scene.activities() if a.subject == "Own activity")

    scene.change(review.id, subject="Quarterly review (renamed in the CRM)")
    scene.change(own.id, subject="Own activity, edited")
    changed = scene.sync()

    assert (changed.counts.pushed, changed.counts.failed) == (1, 1)
    assert _mailbox(graph)[meeting_id] == "Quarterly review"
    with scene.engine.connect() as conn:
        errors = item_errors(conn, account_id=scene.account_id)
    assert [error.activity_id for error in errors] == [review.id]
    assert "meeting with attendees: change it in Outlook" in errors[0].message

    scene.delete(review.id)
    scene.sync()
    assert _mailbox(graph)[meeting_id] == "Quarterly review", "a meeting is never deleted"
    assert sorted(_mailbox(graph).values()) == ["Own activity, edited", "Quarterly review"]
    assert graph.outbox == []


def test_an_event_pushed_and_deleted_before_the_next_run_goes_with_the_full_read(
    scene: Scene, graph: GraphEmulator
) -> None:
    kept = scene.add("Kept")
    scene.add("Deleted in Outlook at once")
    scene.start()
    scene.sync()
    (gone,) = [e for e in scene.side.events() if e.summary == "Deleted in Outlook at once"]
    scene.side.remove(gone.handle)

    incremental = scene.sync()
    assert incremental.counts.deleted == 0, "delta never listed it, so reports no removal"

    assert scene.sync_in_full().counts.deleted == 1
    assert [a.id for a in scene.activities()] == [kept.id]
    assert [e.summary for e in scene.side.events()] == ["Kept"]
    quiet = scene.sync()
    assert (quiet.counts.pushed, quiet.counts.imported, quiet.counts.deleted) == (0, 0, 0)


def _killed_after_first_write(scene: Scene) -> None:
    """A run whose process dies right after its first calendar write returned."""
    with writing(scene.engine) as conn:
        account = require_account(conn, scene.account_id)
    provider = DyingProvider(scene.worker.open_provider(account, lambda _secret: None), 0)
    try:
        with contextlib.suppress(Killed):
            run_account(scene.engine, scene.account_id, provider, interval=INTERVAL)
    finally:
        provider.close()


@pytest.mark.parametrize("kills", [1, 2])
def test_a_push_killed_after_graph_created_the_event_is_not_imported_back(
    scene: Scene, graph: GraphEmulator, kills: int
) -> None:
    scene.add("Pushed by a dying run")
    scene.start()
    for _ in range(kills):
        _killed_after_first_write(scene)

    scene.sync()

    assert [a.subject for a in scene.activities()] == ["Pushed by a dying run"]
    assert list(_mailbox(graph).values()) == ["Pushed by a dying run"]
