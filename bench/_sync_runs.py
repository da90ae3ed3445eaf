"""One sync run through the worker, with the HTTP requests it cost as the emulator counted them.

The run is asked for as "Sync now" does (`request_sync`) and run by the
worker's `run_due`, the path `calbridge worker --once` takes. The
emulator's log is reset just before, so every request it then counts is
the run's: a batch counts once (it is one HTTP request) and the calls
inside it are kept apart, as connection and quota costs differ (Google
and Graph alike).
A run that does not end OK stops the benchmark: its counts would mean
nothing.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from bench._sync_service import EmulatedService, RequestLog
from bridge.store.db import writing
from bridge.store.sync_accounts import request_sync
from bridge.store.sync_runs import RunOutcome
from bridge.sync.run import RunResult
from bridge.worker.scheduler import Worker

BATCH = "batch"
"""The emulator's name for the batch endpoint in its request log."""


@dataclass(frozen=True)
class Requests:
    """A copy of the emulator's log: HTTP requests per endpoint, and calls inside batches."""

    by_endpoint: dict[str, int]
    batched: dict[str, int]

    @classmethod
    def of(cls, log: RequestLog) -> Requests:
        return cls(dict(log.by_endpoint), dict(log.batched))

    @property
    def total(self) -> int:
        return sum(self.by_endpoint.values())

    def describe(self) -> str:
        """E.g. "batch 200 (events.insert 10,000 inside), events.list 1"."""
        parts = []
        for name, count in sorted(self.by_endpoint.items()):
            part = f"{_short(name)} {count:,}"
            if name == BATCH and self.batched:
                calls = sorted(self.batched.items())
                part += f" ({', '.join(f'{_short(n)} {c:,}' for n, c in calls)} inside)"
            parts.append(part)
        return ", ".join(parts) or "none"


@dataclass(frozen=True)
class CountedRun:
    requests: Requests
    seconds: float
    result: RunResult


def counted_run(worker: Worker, service: EmulatedService, account_id: int) -> CountedRun:
    """Make the account due, run it, and return what it cost."""
    with writing(worker.engine) as conn:
        request_sync(conn, account_id, dt.datetime.now(dt.UTC))
    service.requests.reset()
    started = time.perf_counter()
    results = worker.run_due()
    seconds = time.perf_counter() - started
    requests = Requests.of(service.requests)
    result = results.get(account_id)
    if result is None or result.outcome is not RunOutcome.OK:
        reason = "did not run" if result is None else f"{result.outcome}: {result.message}"
        raise RuntimeError(f"the sync run of account {account_id} failed ({reason})")
    return CountedRun(requests, seconds, result)


def _short(endpoint: str) -> str:
    """The emulator's "calendar.events.list" as "events.list"."""
    return endpoint.removeprefix("calendar.")
