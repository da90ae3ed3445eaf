"""How long a CRM edit takes to reach the calendar service, with the worker running its real loop.

The worker serves in a background thread exactly as `calbridge worker`
runs it (`Worker.serve`, polling every `Schedule.poll` seconds). Each
change renames one activity through the store, then watches the emulator
until the event carries the new title; the delay runs from the commit of
the save to the moment the emulator holds the write.

The watch reads the one event it waits for, under the emulator's lock,
every `WATCH_EVERY` seconds (`EmulatedService.summary`). Copying the
whole calendar to look for it takes about a second for 10,000 events and
holds that same lock, which would both blur the figure and delay the very
write being timed, so it is done once, up front, to find which event each
changed activity became (`EmulatedService.event_ids`). Between changes the
benchmark waits for the run to be over and then a random part of a poll
interval, so changes land at every point of the worker's poll cycle.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from bench import _sync_activities as crm
from bench._sync_runs import Requests
from bench._sync_service import Connected, EmulatedService
from bridge.store import sync_runs
from bridge.store.schema import calendar_accounts
from bridge.worker.scheduler import Worker

WATCH_EVERY = 0.005
GIVE_UP_AFTER = 60.0
"""Seconds a change may take before it counts as lost (far above the target)."""
STOP_TIMEOUT = 60.0
_SEED = 7


@dataclass(frozen=True)
class Latency:
    delays: list[float | None]
    """Seconds per change, in order; None for a change that never arrived."""
    requests: Requests
    """Every request the worker made while the changes were timed."""
    run_seconds: list[float]
    """How long each sync run of that time took, start to finish, as the run log says."""


def measure_latency(
    worker: Worker, service: EmulatedService, target: Connected, activity_ids: Sequence[int]
) -> Latency:
    """Rename each activity in turn with the worker serving; the delay of each."""
    events = service.event_ids(target.calendar_id, activity_ids)
    rng = random.Random(_SEED)
    runs_before = _last_run_id(worker.engine, target.account_id)
    stop = threading.Event()
    loop = threading.Thread(target=worker.serve, args=(stop,), name="bench-worker", daemon=True)
    service.requests.reset()
    loop.start()
    delays: list[float | None] = []
    try:
        for number, activity_id in enumerate(activity_ids, start=1):
            _wait_until_idle(worker.engine, target.account_id)
            time.sleep(rng.uniform(0, worker.schedule.poll))
            subject = f"Changed in the CRM, change {number}"
            crm.rename(worker.engine, activity_id, subject)
            saved_at = time.perf_counter()
            arrived_at = _wait_for(service, target.calendar_id, events[activity_id], subject)
            delays.append(None if arrived_at is None else arrived_at - saved_at)
        _wait_until_idle(worker.engine, target.account_id)
    finally:
        stop.set()
        worker.wake()
        loop.join(STOP_TIMEOUT)
    return Latency(
        delays,
        Requests.of(service.requests),
        _run_seconds(worker.engine, target.account_id, runs_before),
    )


def _wait_for(
    service: EmulatedService, calendar_id: str, event_id: str, summary: str
) -> float | None:
    """When the emulator's copy of the event first carries `summary`; None after the limit."""
    deadline = time.perf_counter() + GIVE_UP_AFTER
    while time.perf_counter() < deadline:
        if service.summary(calendar_id, event_id) == summary:
            return time.perf_counter()
        time.sleep(WATCH_EVERY)
    return None


def _last_run_id(engine: sa.Engine, account_id: int) -> int:
    with engine.connect() as conn:
        latest = sync_runs.recent_runs(conn, account_id, limit=1)
    return latest[0].id if latest else 0


def _run_seconds(engine: sa.Engine, account_id: int, after_id: int) -> list[float]:
    """The durations of the account's runs logged after run `after_id`."""
    with engine.connect() as conn:
        runs = sync_runs.recent_runs(conn, account_id, limit=1000)  # far more than a phase has
    return [
        (run.finished_at - run.started_at).total_seconds()
        for run in runs
        if run.id > after_id and run.finished_at is not None
    ]


def _wait_until_idle(engine: sa.Engine, account_id: int) -> None:
    """Until the account's latest run has finished and no worker holds its lease."""
    lease_owner = calendar_accounts.c.lease_owner
    deadline = time.perf_counter() + GIVE_UP_AFTER
    while time.perf_counter() < deadline:
        with engine.connect() as conn:
            latest = sync_runs.recent_runs(conn, account_id, limit=1)
            leased = conn.execute(
                sa.select(lease_owner).where(calendar_accounts.c.id == account_id)
            ).scalar_one()
        if leased is None and all(run.finished_at is not None for run in latest):
            return
        time.sleep(0.05)
    raise RuntimeError(f"account {account_id} was still syncing after {GIVE_UP_AFTER:.0f} s")
