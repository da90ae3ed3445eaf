"""Migrations run forwards and backwards on both databases and match the schema."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bridge.store.db import create_engine, downgrade, migrate
from bridge.store.schema import metadata
from tests.conftest import BACKENDS, postgres_admin


@pytest.fixture(params=BACKENDS)
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
        yield engine
        engine.dispose()
        return
    admin = postgres_admin()
    if admin is None:
        pytest.skip("PostgreSQL not reachable")
    name = f"calbridge_migrations_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine = create_engine(admin.url.set(database=name).render_as_string(hide_password=False))
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


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
