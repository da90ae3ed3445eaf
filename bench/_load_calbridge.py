"""Child process of the benchmark: fills a fresh CalBridge database, prints what it made as JSON.

Run as ``python -m bench._load_calbridge`` from the project root with
``CALBRIDGE_DATABASE_URL`` set. The benchmark itself only speaks HTTP and
imports nothing of CalBridge, so it times CalBridge from the outside exactly
as it times Radicale; loading in a child also lets the import run on one core
while Radicale builds its cache on the other.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from bridge.config import Settings
from bridge.store.db import create_engine, migrate, writing
from bridge.store.feeds import create_feed
from bridge.store.users import create_user
from bridge.transfer import import_calendar


def _import(engine: sa.Engine, login: str, ics: Path) -> float:
    """Seconds the bulk import of ``ics`` took; any refused event stops the benchmark."""
    started = time.perf_counter()
    report = import_calendar(engine, ics.read_text(encoding="utf-8"), login=login)
    elapsed = time.perf_counter() - started
    if report.failed or report.skipped:
        first = report.failed[0].reason if report.failed else "duplicate UIDs"
        raise SystemExit(
            f"import for {login}: {len(report.failed)} failed, {report.skipped} skipped ({first})"
        )
    return elapsed


def load(engine: sa.Engine, args: argparse.Namespace) -> dict[str, object]:
    migrate(engine)
    with writing(engine) as conn:
        create_user(conn, args.login, args.password)
        feed_user = create_user(conn, args.feed_login, args.password)
    seconds = _import(engine, args.login, args.ics)
    feed_seconds = _import(engine, args.feed_login, args.feed_ics)
    with writing(engine) as conn:
        assert feed_user.id is not None
        token = create_feed(conn, feed_user.id)
    return {"import_seconds": seconds, "feed_import_seconds": feed_seconds, "feed_token": token}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--login", required=True)
    parser.add_argument("--feed-login", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--ics", type=Path, required=True)
    parser.add_argument("--feed-ics", type=Path, required=True)
    args = parser.parse_args(argv)
    engine = create_engine(Settings().database_url)
    try:
        print(json.dumps(load(engine, args)))
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
