"""The worker loop: claim due accounts, sync each in a thread, give them back.

An account is due when its interval has passed, when "Sync now" or a push
notification asked for it, or as soon as its owner's activities changed
(see `bridge.store.sync_leases`). The loop looks every `poll` seconds;
on PostgreSQL it also LISTENs for the NOTIFY every such change sends
(`bridge.store.wakeups`) and looks at once, and `wake()` does the same for
a caller in the same process. Leases keep
several worker processes off each other's accounts and are extended while
a long run lasts.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import sqlalchemy as sa

from bridge.accounts import AccountState, CalendarAccount
from bridge.connections import secret_saver
from bridge.providers import CalendarProvider, GrantRevoked
from bridge.store import sync_accounts, sync_leases
from bridge.store.db import writing
from bridge.sync.guard import DEFAULT_LIMITS, DeletionLimits
from bridge.sync.run import Clock, RunResult, run_account, utc_now
from bridge.worker.wakeups import PostgresListener

log = logging.getLogger(__name__)

ProviderOpener = Callable[[CalendarAccount, Callable[[str], None]], CalendarProvider]
"""Builds the provider for an account; the callable it gets stores renewed secrets."""
AfterRun = Callable[[CalendarAccount, CalendarProvider, RunResult], None]
"""Called after each run with the account as it was before it, e.g. to renew push channels."""


@dataclass(frozen=True)
class Schedule:
    interval: dt.timedelta = dt.timedelta(seconds=60)
    poll: float = 0.5
    concurrency: int = 4
    lease: dt.timedelta = dt.timedelta(minutes=5)
    deletion_limits: DeletionLimits = DEFAULT_LIMITS


def worker_name() -> str:
    """Unique per process and start, readable in the accounts table."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Worker:
    """Runs accounts' syncs for as long as `serve` runs."""

    def __init__(
        self,
        engine: sa.Engine,
        open_provider: ProviderOpener,
        schedule: Schedule = Schedule(),
        *,
        name: str | None = None,
        now: Clock = utc_now,
        after_run: AfterRun | None = None,
    ) -> None:
        self.engine = engine
        self.after_run = after_run
        self.open_provider = open_provider
        self.schedule = schedule
        self.name = name or worker_name()
        self.now = now
        self._wake = threading.Event()
        self._running: dict[int, Future[RunResult | None]] = {}
        self._pool = ThreadPoolExecutor(schedule.concurrency, thread_name_prefix="calbridge-sync")

    def wake(self) -> None:
        """Look for due accounts now instead of at the next poll."""
        self._wake.set()

    def serve(self, stop: threading.Event) -> None:
        """Claim and run due accounts until `stop` is set; waits for running syncs to end."""
        log.info("worker %s started", self.name)
        listener = None
        if self.engine.dialect.name == "postgresql":
            listener = PostgresListener(self.engine.url, self.wake, stop)
            listener.start()
        try:
            while not stop.is_set():
                self.tick()
                self._wake.wait(self.schedule.poll)
                self._wake.clear()
        finally:
            self._pool.shutdown(wait=True)
            if listener is not None:
                listener.join(timeout=5)
            log.info("worker %s stopped", self.name)

    def tick(self) -> list[int]:
        """One round: forget finished runs, extend leases of running ones, claim and start more."""
        self._running = {key: run for key, run in self._running.items() if not run.done()}
        now = self.now()
        with writing(self.engine) as conn:
            for account_id in self._running:
                sync_leases.extend_lease(conn, account_id, self.name, now + self.schedule.lease)
            free = self.schedule.concurrency - len(self._running)
            claimed = (
                sync_leases.claim_due(conn, self.name, now, self.schedule.lease, free)
                if free > 0
                else []
            )
        for account_id in claimed:
            self._running[account_id] = self._pool.submit(self.run_one, account_id)
        return claimed

    def run_due(self) -> dict[int, RunResult | None]:
        """Claim what is due now and wait for those runs ("sync now" from a command line)."""
        claimed = self.tick()
        return {account_id: self._running[account_id].result() for account_id in claimed}

    def run_one(self, account_id: int) -> RunResult | None:
        """Sync one leased account, then release it; None if it could not even start."""
        try:
            with self.engine.connect() as conn:
                account = sync_accounts.require_account(conn, account_id)
            provider = self.open_provider(account, secret_saver(self.engine, account_id, self.now))
            try:
                result = run_account(
                    self.engine,
                    account_id,
                    provider,
                    interval=self.schedule.interval,
                    now=self.now,
                    limits=self.schedule.deletion_limits,
                )
                if self.after_run is not None:
                    self.after_run(account, provider, result)
            finally:
                provider.close()
            log.info("account %s synced: %s %s", account_id, result.outcome, result.counts)
            return result
        except GrantRevoked as error:
            log.warning("account %s cannot be opened: %s", account_id, error)
            with writing(self.engine) as conn:
                sync_accounts.record_failure(
                    conn,
                    account_id,
                    self.now(),
                    str(error),
                    next_run_at=None,
                    state=AccountState.NEEDS_RECONNECT,
                )
            return None
        except Exception:
            log.exception("account %s could not be synced", account_id)
            with writing(self.engine) as conn:
                sync_accounts.record_failure(
                    conn,
                    account_id,
                    self.now(),
                    "the worker could not open the account (see the worker's log)",
                    next_run_at=self.now() + self.schedule.interval,
                )
            return None
        finally:
            with writing(self.engine) as conn:
                sync_leases.release(conn, account_id, self.name)
