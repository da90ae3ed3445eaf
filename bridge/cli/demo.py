"""`calbridge demo`: the demo workspace `make run` opens on.

The demo's seeding needs the whole store, so it is imported when the command runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from bridge.cli.common import feed_url
from bridge.cli.migrate import migrate_database

if TYPE_CHECKING:
    from bridge.config import Settings

DEMO_FEED_FILE = Path("var/demo-feed-url.txt")
"""Where the demo's feed URL is kept, so `calbridge serve` can show it on every start.

Only the token's digest is in the database; this file is a convenience of
the demo workspace, never written for real users.
"""


def register(commands: argparse._SubParsersAction) -> None:
    commands.add_parser(
        "demo", help="create the demo users and activities (does nothing if they exist)"
    ).set_defaults(handler=run)


def run(_args: argparse.Namespace, settings: Settings) -> int:
    from bridge.demo import DEMO_LOGIN, DEMO_PASSWORD, seed_demo
    from bridge.store.db import create_engine

    migrate_database(settings)
    engine = create_engine(settings.database_url)
    try:
        summary = seed_demo(engine)
    finally:
        engine.dispose()
    users = ", ".join(summary.logins)
    if summary.feed_token is None:
        print(f"demo workspace already there: users {users}, {summary.activities} activities")
        return 0
    print(f"created demo workspace: users {users} (password {DEMO_PASSWORD!r})")
    print(f"{summary.activities} activities")
    url = feed_url(settings, summary.feed_token)
    print(f"feed URL of {DEMO_LOGIN}: {url}")
    DEMO_FEED_FILE.parent.mkdir(parents=True, exist_ok=True)
    DEMO_FEED_FILE.write_text(url + "\n")
    print(f"another one: calbridge feed create --user {DEMO_LOGIN}")
    return 0
