"""Shared fixtures: a migrated database on SQLite and on PostgreSQL.

PostgreSQL tests use the server on 127.0.0.1:5432 (user ``postgres``, trust
auth) when it answers, in a throwaway database created for this run and
dropped after it; when it does not answer they are skipped with the reason.
Override the server with ``CALBRIDGE_TEST_POSTGRES_URL``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bridge.store.db import create_engine, migrate
from bridge.store.schema import metadata
from tests.servers import serve_in_thread

POSTGRES_SERVER_URL = os.environ.get(
    "CALBRIDGE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ("sqlite", "postgresql")

pytest_plugins = ["tests.sync_fixtures"]


def postgres_admin() -> sa.Engine | None:
    engine = sa.create_engine(POSTGRES_SERVER_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect():
            return engine
    except sa.exc.OperationalError:
        return None


@pytest.fixture(scope="session")
def _database_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str | None]]:
    urls: dict[str, str | None] = {
        "sqlite": f"sqlite:///{tmp_path_factory.mktemp('db') / 'calbridge.db'}"
    }
    admin = postgres_admin()
    name = f"calbridge_test_{uuid.uuid4().hex[:12]}"
    if admin is None:
        urls["postgresql"] = None
    else:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        urls["postgresql"] = (
            sa.make_url(POSTGRES_SERVER_URL)
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    yield urls
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def _migrated_engines(_database_urls: dict[str, str | None]) -> Iterator[dict[str, sa.Engine]]:
    engines: dict[str, sa.Engine] = {}
    for backend, url in _database_urls.items():
        if url is not None:
            engines[backend] = create_engine(url)
            migrate(engines[backend])
    yield engines
    for engine in engines.values():
        engine.dispose()


def _reset(engine: sa.Engine) -> None:
    """Empty every table and put back what the migrations seed."""
    data_tables = [
        t for t in reversed(metadata.sorted_tables) if t.name not in ("counters", "activity_types")
    ]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in data_tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in data_tables:
                conn.execute(table.delete())
        conn.execute(sa.text("UPDATE counters SET value = 0"))
        conn.execute(
            sa.text(
                "DELETE FROM activity_types WHERE key NOT IN "
                "('call', 'meeting', 'task', 'deadline', 'email', 'lunch')"
            )
        )


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, _migrated_engines: dict[str, sa.Engine]) -> sa.Engine:
    """A migrated, empty database; each test runs once per backend."""
    backend = request.param
    if backend not in _migrated_engines:
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_SERVER_URL}")
    db = _migrated_engines[backend]
    _reset(db)
    return db


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a new database with no schema at all, on each backend; dropped after."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    admin = postgres_admin()
    if admin is None:
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_SERVER_URL}")
    name = f"calbridge_fresh_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield admin.url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def live_server(engine: sa.Engine) -> Iterator[str]:
    """`calbridge serve`'s app on a real socket, on the test's database."""
    from bridge.config import Settings
    from bridge.secrets import generate_key
    from bridge.web.app import create_app

    url = engine.url.render_as_string(hide_password=False)
    settings = Settings(database_url=url, secret_key=generate_key())
    with serve_in_thread(create_app(settings)) as base_url:
        yield base_url
