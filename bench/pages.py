"""How fast the web pages answer for a user with 100,000 activities.

    python -m bench.pages [--activities N] [--requests R] [--database-url URL]

Run from the project root. One database holds two users: alice with N
activities (default 100,000, spread over eight years, a tenth of them
private, some done) and a connected Google account, so every page computes
its sync badges; and carol, with a hundred activities and the same kind of
account, as the baseline measured in the same run. A colleague, bob, owns a
few thousand activities, half of them private, for the team views.

CalBridge's app runs in a child process under uvicorn on 127.0.0.1, as in
production; each page is asked R times (default 20) over one kept-alive
connection after a warm-up, signed in through the real sign-in form. The
table shows each page's median and 95th percentile for alice, carol's
median, their ratio, and the target (200 ms for alice). It is a
measurement, not a test: the exit status is 0 either way. SQLite in a
temporary directory by default; `--database-url` names a PostgreSQL server
on which a throwaway database is created and dropped (and analysed after the
load, as autovacuum would be within a minute of it).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx
import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from bench._sync_database import throwaway_database
from bridge.domain import Activity, ProviderKind
from bridge.secrets import generate_key
from bridge.store import activities, crm, sync_accounts
from bridge.store.db import writing
from bridge.store.sync_settings import new_account_settings
from bridge.store.users import create_user

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
TARGET_MS = 200.0
BATCH = 5000
SPREAD_DAYS = 8 * 365
TYPES = ("call", "meeting", "task", "deadline", "email", "lunch")
PAGES = {
    "week": "/",
    "week, with colleagues": "/?team=1",
    "month": "/?view=month",
    "list, first page": "/list",
    "list, page 1,000 (sorted by date)": "/list?offset=49950",
    "list, sorted by subject": "/list?sort=subject",
    "list, open calls": "/list?type=call&done=no",
    "list, not synced": "/list?sync=not-synced",
    "list, everyone, latest first": "/list?owner=all&sort=-start",
}
"""The pages measured; the week and month are the current ones, around today."""
PASSWORD = "bench-password"


def _activities(
    owner_id: int, count: int, today: dt.date, private_every: int
) -> Iterator[Activity]:
    """`count` activities spread evenly over the eight years around `today`.

    Most past ones are done; which, and which are private, is drawn at
    random (seeded, so every run has the same data), independent of type.
    """
    first = today - dt.timedelta(days=SPREAD_DAYS * 3 // 4)
    chance = random.Random(owner_id)
    for number in range(count):
        day = first + dt.timedelta(days=number * SPREAD_DAYS // count)
        yield Activity(
            subject=f"Activity {number} for a customer",
            type_key=TYPES[number % len(TYPES)],
            owner_id=owner_id,
            uid=f"bench-{owner_id}-{number}@calbridge",
            due_date=day,
            due_time=None if number % 9 == 0 else dt.time(8 + number % 10, (number * 7) % 60),
            duration=dt.timedelta(minutes=30),
            private=chance.random() < 1 / private_every,
            done=day < today and chance.random() < 0.8,
            location="Room 4",
            public_description="Agenda: the renewal, the new seats.",
        )


def _seed(engine: sa.Engine, login: str, count: int, private_every: int, account: bool) -> None:
    today = dt.datetime.now(dt.UTC).date()
    with writing(engine) as conn:
        user = create_user(conn, login, PASSWORD)
        types = crm.list_activity_types(conn)
        if account:
            assert user.id is not None
            sync_accounts.add_account(
                conn,
                user_id=user.id,
                provider=ProviderKind.GOOGLE,
                account_email=f"{login}@example.com",
                encrypted_secret="",
                settings=new_account_settings(types, "primary"),
                now=dt.datetime.now(dt.UTC),
            )
    assert user.id is not None
    batch: list[Activity] = []
    for activity in _activities(user.id, count, today, private_every):
        batch.append(activity)
        if len(batch) == BATCH:
            with writing(engine) as conn:
                activities.insert_many(conn, batch, types)
            batch = []
    if batch:
        with writing(engine) as conn:
            activities.insert_many(conn, batch, types)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def _served(database_url: str, workdir: Path) -> Iterator[str]:
    """The app under uvicorn in a child process; stopped however the run ends."""
    port = _free_port()
    env = dict(
        os.environ,
        CALBRIDGE_DATABASE_URL=database_url,
        CALBRIDGE_SECRET_KEY=generate_key(),
        CALBRIDGE_RUN_WORKER="false",
        CALBRIDGE_LOG_LEVEL="warning",
    )
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "bridge.web.app:create_app",
        "--factory",
        "--host",
        HOST,
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    with (workdir / "server.log").open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    base_url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.TransportError):
                httpx.get(f"{base_url}/healthz", timeout=1.0, trust_env=False)
                break
            if process.poll() is not None:
                raise SystemExit((workdir / "server.log").read_text())
            time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def _signed_in(base_url: str, login: str) -> httpx.Client:
    """A client that signed in through the form, as a browser does."""
    client = httpx.Client(base_url=base_url, trust_env=False, timeout=60.0)
    form = client.get("/signin").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None, "the sign-in form has no CSRF field"
    answer = client.post(
        "/signin",
        data={"login": login, "password": PASSWORD, "csrf_token": token.group(1)},
        headers={"Origin": base_url},
    )
    if answer.status_code != 303:
        raise SystemExit(f"signing in as {login} failed: {answer.status_code} {answer.text[:200]}")
    return client


def _timings(client: httpx.Client, path: str, requests: int) -> list[float]:
    client.get(path).raise_for_status()
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(path).raise_for_status()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--activities", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--database-url", default=None)
    options = parser.parse_args(argv)
    console = Console(width=120)
    with (
        throwaway_database(options.database_url) as database,
        tempfile.TemporaryDirectory(prefix="calbridge-bench-pages-") as tmp,
    ):
        started = time.perf_counter()
        _seed(database.engine, "alice", options.activities, 10, account=True)
        _seed(database.engine, "bob", max(100, options.activities // 20), 2, account=False)
        _seed(database.engine, "carol", 100, 10, account=True)
        if database.engine.dialect.name == "postgresql":
            with database.engine.connect() as conn:  # what autovacuum does soon after a load
                conn.execute(sa.text("ANALYZE"))
                conn.commit()
        console.print(f"Seeded in {time.perf_counter() - started:.0f} s on {database.label}.")
        with _served(database.url, Path(tmp)) as base_url:
            alice = _signed_in(base_url, "alice")
            carol = _signed_in(base_url, "carol")
            table = Table(
                title=f"Web pages, {options.activities:,} activities vs 100 "
                f"({options.requests} requests each, {database.label})"
            )
            for column in ("page", "median", "p95", "baseline median", "ratio", "target"):
                table.add_column(column, justify="left" if column == "page" else "right")
            for name, path in PAGES.items():
                big = _timings(alice, path, options.requests)
                small = _timings(carol, path, options.requests)
                median, baseline = statistics.median(big), statistics.median(small)
                p95 = statistics.quantiles(big, n=20)[-1]
                verdict = "met" if p95 < TARGET_MS else "MISSED"
                table.add_row(
                    name,
                    f"{median:.1f} ms",
                    f"{p95:.1f} ms",
                    f"{baseline:.1f} ms",
                    f"{median / baseline:.2f}x",
                    f"<{TARGET_MS:g} ms ({verdict})",
                )
            console.print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
