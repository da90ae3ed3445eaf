"""`calbridge worker`: the bridge worker on its own, for machines that only sync.

The worker loads every provider, so it is imported when the command runs.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from typing import TYPE_CHECKING

from bridge.cli.common import database

if TYPE_CHECKING:
    from bridge.config import Settings
    from bridge.worker.scheduler import Worker


def register(commands: argparse._SubParsersAction) -> None:
    worker = commands.add_parser(
        "worker", help="run the calendar sync worker (any number may run against PostgreSQL)"
    )
    worker.add_argument(
        "--once", action="store_true", help="sync the accounts that are due now, then exit"
    )
    worker.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from bridge.worker.setup import build_worker

    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    with database(settings) as engine:
        return _work(build_worker(settings, engine), settings, once=args.once)


def _work(worker: Worker, settings: Settings, *, once: bool) -> int:
    if once:
        results = worker.run_due()
        for account_id, result in sorted(results.items()):
            outcome = "could not start" if result is None else result.outcome.value
            print(f"account {account_id}: {outcome}")
        return 0
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    print(f"worker {worker.name}: syncing every {settings.worker_interval_seconds:.0f} s")
    worker.serve(stop)
    return 0
