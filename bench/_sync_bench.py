"""The sync benchmarks' common course: the runs measured, the table's rows, the command line.

`bench.sync_google` and `bench.sync_microsoft` differ only in the
`EmulatedService` they serve; what is measured, in order, on one account
holding N activities, is the same:

1. the initial push of all N: HTTP requests and wall time;
2. a run after one activity changed, the first after the push;
3. an idle run (nothing changed);
4. a run after one activity changed, once the push's echoes are behind;
5. with the worker serving in the background: the delay from saving a
   change in the CRM to the write arriving at the service, over K changes;

then whatever the service adds (`EmulatedService.extra_rows`).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import math
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence

from rich.console import Console

from bench import _sync_activities as crm
from bench._sync_database import Database, is_postgresql, throwaway_database
from bench._sync_latency import Latency, measure_latency
from bench._sync_report import Row, print_table
from bench._sync_runs import CountedRun, counted_run
from bench._sync_service import EmulatedService, connect_account
from bridge.worker.setup import build_worker

INCREMENTAL_MAX_REQUESTS = 2
IDLE_MAX_REQUESTS = 1
LATENCY_MAX_SECONDS = 2.0

Serve = Callable[[], contextlib.AbstractContextManager[EmulatedService]]


def parse_args(argv: Sequence[str] | None, description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--activities", type=int, default=10_000, help="activities to push (10,000)"
    )
    parser.add_argument("--changes", type=int, default=10, help="timed CRM changes (10)")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server URL; a throwaway database is made on it (default: SQLite)",
    )
    args = parser.parse_args(argv)
    if args.changes < 1:
        parser.error("--changes must be at least 1")
    if args.activities < args.changes + 2:
        parser.error("--activities must be at least --changes + 2")
    if args.database_url is not None and not is_postgresql(args.database_url):
        parser.error("--database-url must name a PostgreSQL server (SQLite is the default)")
    return args


def push_target(activities: int, per_thousand: int) -> int:
    return math.ceil(activities * per_thousand / 1000)


def _run_detail(run: CountedRun) -> str:
    counts = run.result.counts
    return f"{run.requests.describe()}; run {run.seconds:.2f} s, pushed {counts.pushed:,}"


def push_rows(
    run: CountedRun, activities: int, load_seconds: float, per_thousand_target: int
) -> list[Row]:
    total = run.requests.total
    per_thousand = total * 1000 / activities
    target = push_target(activities, per_thousand_target)
    return [
        Row(
            f"push of {activities:,} activities: requests",
            f"{total:,}",
            f"<= {target:,}",
            total <= target,
            _run_detail(run),
        ),
        Row(
            "push: requests per 1,000 activities",
            f"{per_thousand:.1f}",
            f"<= {per_thousand_target}",
            per_thousand <= per_thousand_target,
        ),
        Row(
            "push: wall time",
            f"{run.seconds:.1f} s",
            detail=(
                f"{activities / run.seconds:,.0f} activities/s; "
                f"loading them into the CRM (bulk insert) took {load_seconds:.1f} s"
            ),
        ),
    ]


def request_row(measure: str, run: CountedRun, limit: int) -> Row:
    total = run.requests.total
    return Row(measure, f"{total:,}", f"<= {limit}", total <= limit, _run_detail(run))


def latency_rows(latency: Latency, poll: float, service_name: str) -> list[Row]:
    arrived = [delay for delay in latency.delays if delay is not None]
    lost = len(latency.delays) - len(arrived)
    changes = len(latency.delays)
    target = f"< {LATENCY_MAX_SECONDS:g} s"
    runs = latency.run_seconds
    run_detail = (
        f"worker poll {poll:g} s; its {len(runs)} runs took {min(runs, default=0):.2f}"
        f"-{max(runs, default=0):.2f} s (median {statistics.median(runs or [0]):.2f} s)"
    )
    detail = f"{latency.requests.total:,} requests: {latency.requests.describe()}"
    if lost:
        detail += f"; {lost} change(s) never arrived"
    median = statistics.median(arrived) if arrived else math.inf
    worst = math.inf if lost else max(arrived)
    return [
        Row(
            f"CRM change -> {service_name} write, median of {changes}",
            _seconds(median),
            target,
            median < LATENCY_MAX_SECONDS,
            run_detail,
        ),
        Row(
            f"CRM change -> {service_name} write, max of {changes}",
            _seconds(worst),
            target,
            worst < LATENCY_MAX_SECONDS,
            detail,
        ),
    ]


def _seconds(value: float) -> str:
    return "lost" if math.isinf(value) else f"{value:.2f} s"


def measure(
    args: argparse.Namespace, db: Database, service: EmulatedService, console: Console
) -> list[Row]:
    settings = service.settings(db.url)
    target = connect_account(db.engine, settings, service)
    assert target.user.id is not None
    today = dt.datetime.now(dt.UTC).date()
    load_seconds = crm.load(db.engine, crm.generate(target.user.id, args.activities, today))
    console.print(f"loaded {args.activities:,} activities in {load_seconds:.1f} s")
    worker = build_worker(settings, db.engine)

    console.print(f"initial push of {args.activities:,} activities ...")
    push = counted_run(worker, service, target.account_id)
    first, steady, *timed = crm.spread_ids(db.engine, target.user.id, args.changes + 2)
    crm.rename(db.engine, first, "Changed right after the push")
    after_push = counted_run(worker, service, target.account_id)
    idle = counted_run(worker, service, target.account_id)
    crm.rename(db.engine, steady, "Changed in steady state")
    incremental = counted_run(worker, service, target.account_id)

    poll = worker.schedule.poll
    console.print(f"timing {args.changes} CRM changes with the worker serving (poll {poll:g} s)")
    latency = measure_latency(worker, service, target, timed)
    return [
        *push_rows(push, args.activities, load_seconds, service.push_requests_per_1000),
        request_row("1 change: first run after the push", after_push, INCREMENTAL_MAX_REQUESTS),
        request_row("idle run (nothing changed)", idle, IDLE_MAX_REQUESTS),
        request_row("1 change: steady state", incremental, INCREMENTAL_MAX_REQUESTS),
        *latency_rows(latency, poll, service.name),
        *service.extra_rows(),
    ]


def _load() -> str:
    """The machine's load: timings are only comparable between runs on a quiet machine."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min)"


def main(serve: Serve, description: str, argv: Sequence[str] | None = None) -> int:
    """Parse the command line, measure on a fresh database and emulator, print the table."""
    args = parse_args(argv, description)
    # A log file gets the whole table unwrapped; a terminal keeps its own width.
    console = Console(width=None if sys.stdout.isatty() else 160)
    started = time.perf_counter()
    with throwaway_database(args.database_url) as db, serve() as service:
        console.print(f"database: {db.label}; {service.label} at {service.base_url}; {_load()}")
        rows = measure(args, db, service, console)
        title = f"{service.title}, {args.activities:,} activities, {db.label}"
    print_table(console, title, rows)
    console.print(f"total {time.perf_counter() - started:,.1f} s; {_load()}")
    return 0
