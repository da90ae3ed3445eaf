"""A fresh, migrated CalBridge database for one benchmark run, removed when the run ends.

SQLite in a temporary directory by default; given a PostgreSQL server, a
throwaway database on it (as the test suite does), dropped afterwards even
when the run fails, so a benchmark never touches data it did not create.
"""

from __future__ import annotations

import contextlib
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from bridge.store.db import create_engine, migrate


@dataclass(frozen=True)
class Database:
    engine: sa.Engine
    url: str
    label: str
    """What the table title names, e.g. "SQLite 3.45.1 (temporary file)"."""


@contextlib.contextmanager
def throwaway_database(server_url: str | None) -> Iterator[Database]:
    """SQLite when `server_url` is None, else a new database on that PostgreSQL server."""
    opened = _sqlite() if server_url is None else _postgresql(server_url)
    with opened as url:
        engine = create_engine(url)
        try:
            migrate(engine)
            yield Database(engine, url, _label(engine))
        finally:
            engine.dispose()


def is_postgresql(url: str) -> bool:
    try:
        return sa.make_url(url).get_backend_name() == "postgresql"
    except sa.exc.ArgumentError:
        return False


@contextlib.contextmanager
def _sqlite() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="calbridge-bench-sync-") as tmp:
        yield f"sqlite:///{Path(tmp) / 'calbridge.db'}"


@contextlib.contextmanager
def _postgresql(server_url: str) -> Iterator[str]:
    """CREATE DATABASE on the server, yield its URL, DROP it (forcing out stray sessions)."""
    server = sa.make_url(server_url)
    if server.drivername == "postgresql":
        server = server.set(drivername="postgresql+psycopg")  # the driver CalBridge ships with
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"calbridge_bench_{uuid.uuid4().hex[:12]}"
    try:
        try:
            with admin.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        except sa.exc.OperationalError as error:
            raise SystemExit(f"cannot use PostgreSQL at {server!r}: {error.orig}") from None
        try:
            yield server.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _label(engine: sa.Engine) -> str:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            version = conn.execute(sa.text("SHOW server_version")).scalar_one()
            return f"PostgreSQL {version} at {engine.url.host}:{engine.url.port or 5432}"
        version = conn.execute(sa.text("SELECT sqlite_version()")).scalar_one()
        return f"SQLite {version} (temporary file)"
