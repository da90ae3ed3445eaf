"""How long a CRM edit takes to reach Google, with the worker running its real loop.

The worker serves in a background thread exactly as `calbridge worker`
runs it (`Worker.serve`, polling every `Schedule.poll` seconds). Each
change renames one activity through the store, then watches the emulator
until the event carries the new summary; the delay runs from the commit of
the save to the moment the emulator holds the write.

The watch reads the one event it waits for, under the emulator's lock,
every `WATCH_EVERY` seconds. Copying the whole calendar
(`GoogleState.events`) to look for it takes about a second for 10,000
events and holds that same lock, which would both blur the figure and
delay the very write being timed, so it is used once, up front, to find
which event each changed activity became. Between changes the benchmark
waits for the run to be over and then a random part of a poll interval,
so changes land at every point of the worker's poll cycle.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from bench import _sync_activities as crm
from bench._sync_emulator import Connected
from bench._sync_runs import Requests
from bridge.providers.google.events import STAMP_PROPERTY
from bridge.store import sync_runs
from bridge.store.schema import calendar_accounts
from bridge.worker.scheduler import Worker
from tests.emulators.google_calendar import GoogleEmulator

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
    worker: Worker, google: GoogleEmulator, target: Connected, activity_ids: Sequence[int]
) -> Latency:
    """Rename each activity in turn with the worker serving; the delay of each."""
    events = _event_ids(google, target.calendar_id, activity_ids)
    rng = random.Random(_SEED)
    runs_before = _last_run_id(worker.engine, target.account_id)
    stop = threading.Event()
    loop = threading.Thread(target=worker.serve, args=(stop,), name="bench-worker", daemon=True)
    google.requests.reset()
    loop.start()
    delays: list[float | None] = []
    try:
        for number, activity_id in enumerate(activity_ids, start=1):
            _wait_until_idle(worker.engine, target.account_id)
            time.sleep(rng.uniform(0, worker.schedule.poll))
            subject = f"Changed in the CRM, change {number}"
            crm.rename(worker.engine, activity_id, subject)
            saved_at = time.perf_counter()
            arrived_at = _wait_for(google, target.calendar_id, events[activity_id], subject)
            delays.append(None if arrived_at is None else arrived_at - saved_at)
        _wait_until_idle(worker.engine, target.account_id)
    finally:
        stop.set()
        worker.wake()
        loop.join(STOP_TIMEOUT)
    return Latency(
        delays,
        Requests.of(google.requests),
        _run_seconds(worker.engine, target.account_id, runs_before),
    )


def _event_ids(
    google: GoogleEmulator, calendar_id: str, activity_ids: Sequence[int]
) -> dict[int, str]:
    """The event each activity was pushed as, by the activity id stamped into it."""
    wanted = {str(activity_id): activity_id for activity_id in activity_ids}
    found = {}
    for event_id, event in google.state.events(calendar_id).items():
        stamp = event.get("extendedProperties", {}).get("private", {}).get(STAMP_PROPERTY)
        if stamp in wanted:
            found[wanted[stamp]] = event_id
    missing = sorted(set(activity_ids) - set(found))
    if missing:
        raise RuntimeError(f"activities {missing} were never pushed to the emulator")
    return found


def _wait_for(
    google: GoogleEmulator, calendar_id: str, event_id: str, summary: str
) -> float | None:
    """When the emulator's copy of the event first carries `summary`; None after the limit."""
    events = google.state.calendars[calendar_id].events
    deadline = time.perf_counter() + GIVE_UP_AFTER
    while time.perf_counter() < deadline:
        with google.state.lock:
            current = events[event_id].resource.get("summary")
        if current == summary:
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
