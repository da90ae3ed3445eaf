"""Migrations run forwards and backwards on both databases and match the schema."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bridge.store.db import downgrade, migrate
from bridge.store.schema import metadata


def _tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade(empty_engine: sa.Engine) -> None:
    migrate(empty_engine)
    assert _tables(empty_engine) == set(metadata.tables)
    downgrade(empty_engine, "base")
    assert _tables(empty_engine) == set()
    migrate(empty_engine)
    assert _tables(empty_engine) == set(metadata.tables)


def test_migrated_schema_matches_the_tables_in_code(empty_engine: sa.Engine) -> None:
    migrate(empty_engine)
    with empty_engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []


def test_seeds_default_types_and_counter(empty_engine: sa.Engine) -> None:
    migrate(empty_engine)
    with empty_engine.connect() as conn:
        keys = set(conn.execute(sa.text("SELECT key FROM activity_types")).scalars())
        counter = conn.execute(sa.text("SELECT value FROM counters")).scalar_one()
    assert keys == {"call", "meeting", "task", "deadline", "email", "lunch"}
    assert counter == 0
