"""Migrations run forwards and backwards on both databases and match the schema."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bridge.domain import (
    Activity,
    ImportVisibility,
    PrivateEventPolicy,
    ProviderKind,
    SyncSettings,
    SyncType,
)
from bridge.links import Link, Side
from bridge.store.activities import save_activity
from bridge.store.crm import list_activity_types
from bridge.store.db import downgrade, migrate, writing
from bridge.store.schema import metadata
from bridge.store.sync_accounts import add_account
from bridge.store.sync_links import save_link
from bridge.store.users import create_user


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


def test_downgrading_loses_no_rows(empty_engine: sa.Engine) -> None:
    """SQLite rebuilds a table to drop a column; rows that refer to it must survive."""
    migrate(empty_engine)
    _seed(empty_engine)
    before = _counts(empty_engine)
    assert all(before.values()), before

    downgrade(empty_engine, "0003")
    assert _counts(empty_engine) == before
    migrate(empty_engine)
    assert _counts(empty_engine) == before


def _seed(engine: sa.Engine) -> None:
    """A user with an activity, a calendar account and a link between them."""
    now = dt.datetime.now(dt.UTC)
    with writing(engine) as conn:
        user = create_user(conn, "alice", "pw")
        assert user.id is not None
        activity = save_activity(
            conn,
            Activity(subject="Call", type_key="call", owner_id=user.id, uid="a@test"),
            list_activity_types(conn),
        )
        settings = SyncSettings(
            sync_type=SyncType.TWO_WAY,
            import_visibility=ImportVisibility.EVERYONE,
            private_events=PrivateEventPolicy.BUSY_BLOCK,
            import_type_key="meeting",
            pushed_type_keys=frozenset({"call"}),
            include_crm_info=False,
            calendar_id="cal",
        )
        account = add_account(
            conn,
            user_id=user.id,
            provider=ProviderKind.CALDAV,
            account_email="alice@dav.test",
            encrypted_secret="sealed",
            settings=settings,
            now=now,
        )
        assert activity.id is not None
        link = Link(activity.id, "e1", "etag", "h1", "h2", None, Side.CRM)
        save_link(conn, account.id, "cal", link, now)


def _counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table: conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("users", "activities", "calendar_accounts", "sync_links")
        }
