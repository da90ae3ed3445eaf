"""A worker configured from the settings, as `calbridge worker` and `calbridge serve` run it."""

from __future__ import annotations

import datetime as dt
import logging
import threading

import sqlalchemy as sa

from bridge.config import Settings
from bridge.connections import open_provider
from bridge.secrets import box_from_settings
from bridge.sync.guard import DeletionLimits
from bridge.worker.channels import ChannelKeeper
from bridge.worker.scheduler import Schedule, Worker

log = logging.getLogger(__name__)


def build_worker(settings: Settings, engine: sa.Engine) -> Worker:
    box = box_from_settings(settings.secret_key, settings.secret_key_file)
    schedule = Schedule(
        interval=dt.timedelta(seconds=settings.worker_interval_seconds),
        poll=settings.worker_poll_seconds,
        concurrency=settings.worker_concurrency,
        lease=dt.timedelta(seconds=settings.worker_lease_seconds),
        deletion_limits=DeletionLimits(
            minimum=settings.deletion_hold_minimum,
            share=settings.deletion_hold_share,
            ceiling=settings.deletion_hold_ceiling,
        ),
    )
    return Worker(
        engine,
        lambda account, save: open_provider(account, box, settings, save),
        schedule,
        after_run=ChannelKeeper(engine, settings.public_url or None),
    )


class BackgroundWorker:
    """A worker on a daemon thread, for `calbridge serve`'s process: start, then stop."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=worker.serve, args=(self._stop,), name="calbridge-worker", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the loop to end and wait for running syncs (each commits item by item)."""
        self._stop.set()
        self.worker.wake()
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("sync worker still busy after %.0f s; leaving it to the lease", timeout)
