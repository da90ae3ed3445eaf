"""CalBridge's CalDAV server and iCal feeds against stock Radicale 3.9, on the same calendar.

    python bench/caldav_vs_radicale.py [--events N] [--repeat R] [--feed-events M]

Both servers get the same N deterministic events (`_events`) and run as child
processes on 127.0.0.1; this process only sends HTTP, so both are timed from
the outside in the same way. Each request kind is repeated R times per server
and the median is shown, with CalBridge's target next to it. Everything
started is stopped, and every temporary file removed, however the run ends.
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import _dav
import _feeds
import httpx
from _events import Event, calendar_text, generate
from _report import Goal, Row, Stat, print_table
from _servers import (
    Server,
    finish_calbridge_load,
    start_calbridge,
    start_calbridge_load,
    start_radicale,
    write_radicale_collection,
)
from rich.console import Console

LOGIN = "bench"
FEED_LOGIN = "feeds"
RADICALE_CALENDAR = "calendar"
CALBRIDGE_CALENDAR = "activities"
"""The collection CalBridge gives every user for their event activities."""
REQUEST_TIMEOUT = 900.0
"""Radicale's first PROPFIND over 100,000 items takes minutes; this only stops a hang."""
SLOW_BUDGET_SECONDS = 10.0
RAM_DISK = Path("/dev/shm")
"""Where the servers' files go when it exists; see `_workdir`."""

GOALS: dict[_dav.Probe, Goal] = {
    _dav.ctag: Goal(max_ms=5),
    _dav.week_report: Goal(max_ms=50, min_ratio=50),
    _dav.incremental_sync: Goal(max_ms=20),
    _dav.put_new: Goal(max_ms=20),
}
FEED_COLD_GOAL = Goal(max_ms=500)
FEED_REVALIDATED_GOAL = Goal(max_ms=5)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="CalBridge CalDAV and feeds vs. stock Radicale.")
    parser.add_argument("--events", type=int, default=100_000, help="calendar size (100,000)")
    parser.add_argument("--repeat", type=int, default=5, help="repeats per request (5)")
    parser.add_argument(
        "--feed-events", type=int, default=10_000, help="activities behind the feed (10,000)"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.events < _dav.CHANGES_PER_SYNC * args.repeat:
        parser.error(f"--events must be at least {_dav.CHANGES_PER_SYNC} x --repeat")
    if args.feed_events < args.repeat:
        parser.error("--feed-events must be at least --repeat")
    return args


def _client(server: Server, login: str, password: str) -> httpx.Client:
    """Keep-alive where the server allows it; `trust_env=False` keeps proxies out of the way."""
    return httpx.Client(
        base_url=server.base_url,
        auth=(login, password),
        timeout=REQUEST_TIMEOUT,
        trust_env=False,
    )


def _seconds_since(started: float) -> str:
    return f"{time.perf_counter() - started:,.1f} s"


def prepare_radicale(
    stack: contextlib.ExitStack, workdir: Path, events: list[Event], console: Console
) -> _dav.Target:
    """Radicale with the events written as files, its item cache built by one PROPFIND."""
    folder = workdir / "radicale"
    started = time.perf_counter()
    write_radicale_collection(folder, LOGIN, RADICALE_CALENDAR, events)
    console.print(f"Radicale: wrote {len(events):,} item files in {_seconds_since(started)}")
    server = start_radicale(stack, workdir, folder)
    # `auth type = none` accepts any password; the login still decides the owner's rights.
    client = stack.enter_context(_client(server, LOGIN, "any"))
    target = _dav.Target("Radicale", client, f"/{LOGIN}/{RADICALE_CALENDAR}/", events)
    warm = _dav.etags(target, 0)
    console.print(
        f"Radicale: warm-up PROPFIND took {warm.ms / 1000:,.1f} s "
        "(Radicale builds its item cache on first access)"
    )
    return target


def prepare_calbridge(
    stack: contextlib.ExitStack,
    workdir: Path,
    database_url: str,
    password: str,
    events: list[Event],
    feed_events: list[Event],
    console: Console,
) -> tuple[_dav.Target, _dav.Target]:
    """CalBridge serving the loaded database; the first login creates the user's collections.

    Returns the benchmark user's calendar and the feed user's calendar (for
    the edits that make a feed cold).
    """
    server = start_calbridge(stack, workdir, database_url)
    targets = []
    for login, login_events in ((LOGIN, events), (FEED_LOGIN, feed_events)):
        client = stack.enter_context(_client(server, login, password))
        target = _dav.Target(
            "CalBridge", client, f"/dav/{login}/{CALBRIDGE_CALENDAR}/", login_events
        )
        target.send("PROPFIND", f"/dav/{login}/", headers={"Depth": "0"})
        targets.append(target)
    warm = _dav.etags(targets[0], 0)
    console.print(f"CalBridge: first login done, warm-up PROPFIND took {warm.ms / 1000:,.1f} s")
    return targets[0], targets[1]


def _runs(probe: _dav.Probe, target: _dav.Target, repeat: int) -> Stat:
    """Up to ``repeat`` runs, fewer once they have taken `SLOW_BUDGET_SECONDS` (at least one).

    A full scan of 100,000 Radicale items takes tens of seconds; repeating it
    five times per request kind would take most of an hour and would not
    change a ratio in the hundreds. The table shows how many runs each median has.
    """
    deadline = time.perf_counter() + SLOW_BUDGET_SECONDS
    samples = []
    for n in range(repeat):
        samples.append(probe(target, n))
        if time.perf_counter() > deadline:
            break
    return Stat.of(samples)


def measure_dav(radicale: _dav.Target, calbridge: _dav.Target, repeat: int) -> list[Row]:
    """Every CalDAV probe, on Radicale then on CalBridge, in the same order."""
    return [
        Row(
            label,
            radicale=_runs(probe, radicale, repeat),
            calbridge=_runs(probe, calbridge, repeat),
            goal=GOALS.get(probe),
        )
        for label, probe in _dav.PROBES
    ]


def measure_feed(target: _dav.Target, token: str, repeat: int) -> list[Row]:
    """The feed cold (after an edit) and revalidated (If-None-Match -> 304), R times each."""
    size = len(target.events)
    cold = []
    etag = ""
    for n in range(repeat):
        sample, etag = _feeds.cold(target, token, n)
        cold.append(sample)
    revalidated = [_feeds.revalidated(target, token, etag) for _ in range(repeat)]
    return [
        Row(f"feed {size:,} cold (after a change)", Stat.of(cold), goal=FEED_COLD_GOAL),
        Row(f"feed {size:,} revalidated (304)", Stat.of(revalidated), goal=FEED_REVALIDATED_GOAL),
    ]


def _write_ics(path: Path, events: list[Event]) -> Path:
    path.write_text(calendar_text(events), encoding="utf-8", newline="")
    return path


def _workdir() -> tempfile.TemporaryDirectory[str]:
    """A temporary directory in RAM when the system has one, else the usual one.

    Radicale's first access to an item writes its cache entry with two
    fsyncs; on a virtual machine's disk that alone takes over 20 minutes for
    100,000 items. In RAM both servers are measured on what they compute,
    which is what the ratios are about, and a run fits in minutes.
    """
    parent = RAM_DISK if RAM_DISK.is_dir() else None
    return tempfile.TemporaryDirectory(prefix="calbridge-bench-", dir=parent)


def run(args: argparse.Namespace, console: Console) -> None:
    events = generate(args.events)
    feed_events = generate(args.feed_events)
    recurring = sum(1 for event in events if event.rrule)
    console.print(f"{len(events):,} events ({recurring:,} weekly series), repeats: {args.repeat}")
    password = secrets.token_urlsafe(16)
    with (
        _workdir() as tmp,
        contextlib.ExitStack() as stack,
    ):
        workdir = Path(tmp)
        console.print(f"working directory (both servers' data): {workdir}")
        database_url = f"sqlite:///{workdir / 'calbridge.db'}"
        loader_options = {
            "--login": LOGIN,
            "--feed-login": FEED_LOGIN,
            "--password": password,
            "--ics": str(_write_ics(workdir / "events.ics", events)),
            "--feed-ics": str(_write_ics(workdir / "feed.ics", feed_events)),
        }
        loader_args = [part for option in loader_options.items() for part in option]
        loader = start_calbridge_load(stack, workdir, database_url, loader_args)
        console.print("CalBridge: bulk import (bridge.transfer) runs alongside Radicale's set-up")
        radicale = prepare_radicale(stack, workdir, events, console)
        loaded = finish_calbridge_load(loader, workdir)
        console.print(
            f"CalBridge: imported {len(events):,} events in {loaded['import_seconds']:,.1f} s, "
            f"{len(feed_events):,} for the feed in {loaded['feed_import_seconds']:,.1f} s"
        )
        calbridge, feed_owner = prepare_calbridge(
            stack, workdir, database_url, password, events, feed_events, console
        )
        rows = measure_dav(radicale, calbridge, args.repeat)
        rows += measure_feed(feed_owner, str(loaded["feed_token"]), args.repeat)
        print_table(console, f"{len(events):,} events, median of up to {args.repeat} runs", rows)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # A log file gets the whole table unwrapped; a terminal keeps its own width.
    console = Console(width=None if sys.stdout.isatty() else 160)
    started = time.perf_counter()
    run(args, console)
    console.print(f"total {_seconds_since(started)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
