"""Engines and migrations: the only place that knows which database we are on.

Alembic is imported by the functions that migrate: every command line
invocation imports this module, and only a few of them change the schema.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def _sqlite_file(url: sa.URL) -> Path | None:
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def _tune_sqlite(dbapi_connection, _record) -> None:
    """WAL lets CalDAV readers run while a writer works; busy_timeout queues writers.

    The driver's own transaction handling is switched off so that `_begin_sqlite`
    can start writers with BEGIN IMMEDIATE.
    """
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _begin_sqlite(conn: sa.Connection) -> None:
    """A writer takes the write lock up front: upgrading a read transaction later
    fails at once in WAL mode when another writer got in between. A connection
    marked ``read_only`` runs each statement on its own, with no BEGIN at all."""
    options = conn.get_execution_options()
    if options.get("read_only", False):
        return
    conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get("immediate", False) else "BEGIN")


@contextlib.contextmanager
def writing(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A transaction that will write: use it for every read-then-write sequence."""
    with engine.connect() as conn:
        conn.execution_options(immediate=True)
        with conn.begin():
            yield conn


@lru_cache(maxsize=8)
def shared_engine(database_url: str) -> sa.Engine:
    """One engine (one pool) per URL for everything in this process."""
    return create_engine(database_url)


def create_engine(database_url: str) -> sa.Engine:
    """An engine for the URL, with the directory of a SQLite file created first."""
    url = sa.make_url(database_url)
    if url.get_backend_name() == "postgresql" and url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    sqlite_file = _sqlite_file(url)
    if sqlite_file is not None:
        sqlite_file.parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"check_same_thread": False})
        sa.event.listen(engine, "connect", _tune_sqlite)
        sa.event.listen(engine, "begin", _begin_sqlite)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def alembic_config(database_url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


MIGRATION_LOCK = 0x63616C62
"""The PostgreSQL advisory lock key that serialises migrations (``calb`` in ASCII)."""


def migrate(engine: sa.Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (Alembic ``upgrade``) on this engine.

    Several processes may start on one fresh database at once, so the upgrade
    runs under a database-wide lock: on SQLite the write lock BEGIN IMMEDIATE
    takes, on PostgreSQL a transaction-level advisory lock. The others wait,
    then find the schema at ``revision`` and do nothing.
    """
    from alembic import command

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with _changing_schema(engine) as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
            )
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: sa.Engine, revision: str) -> None:
    from alembic import command

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with _changing_schema(engine) as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


@contextlib.contextmanager
def _changing_schema(engine: sa.Engine) -> Iterator[sa.Connection]:
    """The write transaction a migration runs in; on SQLite, with foreign keys off.

    SQLite changes a column by rebuilding its table: the old table is dropped,
    and with foreign keys on that drop deletes every row referring to it
    (ON DELETE CASCADE), e.g. all activities when `users` is rebuilt. The
    pragma only takes effect outside a transaction, so it is set on the
    driver's connection before BEGIN and set back after the commit.
    """
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            connection.execution_options(immediate=True)
            with connection.begin():
                yield connection
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
