"""`calbridge migrate`: bring the database schema up to date."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bridge.config import Settings


def register(commands: argparse._SubParsersAction) -> None:
    commands.add_parser("migrate", help="create or upgrade the database schema").set_defaults(
        handler=run
    )


def run(_args: argparse.Namespace, settings: Settings) -> int:
    migrate_database(settings)
    print("database schema is up to date")
    return 0


def migrate_database(settings: Settings) -> None:
    """Shared with `serve` and `demo`, which must work on a database nobody prepared."""
    from bridge.store.db import create_engine, migrate

    engine = create_engine(settings.database_url)
    try:
        migrate(engine)
    finally:
        engine.dispose()
