"""A whole sync world in one process: a migrated SQLite CRM, the memory calendar, one account.

Each `MemoryWorld` is a copy of a template database, migrated with the
project's Alembic migrations once per process and holding the CRM user
alice, so that a world costs a file copy. alice connects one account whose
calendar is the reference `MemoryCalendarProvider` (storing descriptions
with CRLF line ends, the way some APIs do, so echo suppression has to rely
on normalisation), and `run` is the worker's run of it: `run_account`.

The CRM stamps every save with the wall clock (`save_activity`), and "most
recent change wins" compares those stamps with the calendar's `updated`,
so the calendar and the run read the same wall clock (`WallClock`).
"""

from __future__ import annotations

import atexit
import dataclasses
import datetime as dt
import functools
import itertools
import shutil
import tempfile
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bridge.accounts import AccountState, CalendarAccount
from bridge.domain import Activity, ProviderKind, SyncSettings
from bridge.links import Link
from bridge.providers import ExternalEvent
from bridge.providers.memory import MemoryCalendarProvider
from bridge.store import activities as activity_store
from bridge.store import sync_accounts, sync_links
from bridge.store.crm import list_activity_types
from bridge.store.db import create_engine, migrate, writing
from bridge.store.schema import calendar_accounts
from bridge.store.schema import sync_links as sync_links_table
from bridge.store.users import create_user, find_user
from bridge.sync.run import RunResult, run_account

LOGIN = "alice"
INTERVAL = dt.timedelta(minutes=5)
_MICROSECOND = dt.timedelta(microseconds=1)


class WallClock:
    """The wall clock, never read twice alike: what the CRM stamps its saves with."""

    def __init__(self) -> None:
        self._last = dt.datetime.min.replace(tzinfo=dt.UTC)

    def now(self) -> dt.datetime:
        self._last = max(dt.datetime.now(dt.UTC), self._last + _MICROSECOND)
        return self._last


@functools.cache
def _directory() -> Path:
    directory = Path(tempfile.mkdtemp(prefix="calbridge-worlds-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return directory


@functools.cache
def _template() -> Path:
    """The migrated database with alice in it, made once per process."""
    path = _directory() / "template.db"
    engine = create_engine(f"sqlite:///{path}")
    try:
        migrate(engine)
        with writing(engine) as conn:
            create_user(conn, LOGIN, "alice-password", email="alice@example.com")
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
    return path


_worlds = itertools.count()


@dataclasses.dataclass
class MemoryWorld:
    """alice's CRM in a database of its own and her active account on the memory calendar."""

    engine: sa.Engine
    path: Path
    clock: WallClock
    calendar: MemoryCalendarProvider
    user_id: int
    account_id: int

    @classmethod
    def open(cls, settings: SyncSettings) -> MemoryWorld:
        """A fresh world whose account syncs with `settings`, started (active)."""
        path = _directory() / f"world-{next(_worlds)}.db"
        shutil.copyfile(_template(), path)
        engine = create_engine(f"sqlite:///{path}")
        clock = WallClock()
        calendar = MemoryCalendarProvider(clock=clock.now, description_line_end="\r\n")
        with writing(engine) as conn:
            user = find_user(conn, LOGIN)
            assert user is not None and user.id is not None
            user_id = user.id
            account = sync_accounts.add_account(
                conn,
                user_id=user_id,
                provider=ProviderKind.GOOGLE,
                account_email="alice@example.com",
                encrypted_secret="unused: the memory calendar needs no secret",
                settings=settings,
                now=clock.now(),
            )
            sync_accounts.set_state(conn, account.id, AccountState.ACTIVE, clock.now())
        return cls(engine, path, clock, calendar, user_id, account.id)

    def close(self) -> None:
        self.engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    # The worker.

    def run(self) -> RunResult:
        """One run of the account, as the worker makes it."""
        return run_account(
            self.engine,
            self.account_id,
            self.calendar,
            interval=INTERVAL,
            now=self.clock.now,
        )

    def account(self) -> CalendarAccount:
        with self.engine.connect() as conn:
            return sync_accounts.require_account(conn, self.account_id)

    def settings(self) -> SyncSettings:
        return self.account().settings

    def change_settings(self, settings: SyncSettings) -> None:
        """The owner saves new settings on the settings page."""
        with writing(self.engine) as conn:
            sync_accounts.save_settings(conn, self.account_id, settings, self.clock.now())

    def start(self) -> None:
        """The owner starts the account again (after reconnecting it, say)."""
        with writing(self.engine) as conn:
            sync_accounts.set_state(conn, self.account_id, AccountState.ACTIVE, self.clock.now())

    def forget_cursor(self) -> None:
        """The account's saved cursor is lost: its next run lists the calendar in full."""
        calendar_id = self.settings().calendar_id
        with writing(self.engine) as conn:
            sync_accounts.save_cursor(conn, self.account_id, calendar_id, None, self.clock.now())

    def make_full_read_due(self) -> None:
        """The next run reads the CRM in full, as the hourly run does."""
        with writing(self.engine) as conn:
            conn.execute(
                sa.update(calendar_accounts)
                .where(calendar_accounts.c.id == self.account_id)
                .values(crm_full_at=None)
            )

    def forget_links(self) -> None:
        """The link table loses the account's rows (restored from an old backup, say)."""
        with writing(self.engine) as conn:
            conn.execute(
                sa.delete(sync_links_table).where(sync_links_table.c.account_id == self.account_id)
            )

    def links(self) -> list[Link]:
        with self.engine.connect() as conn:
            return sync_links.links_of(conn, self.account_id, self.settings().calendar_id)

    def link_rows(self) -> list[tuple[Any, ...]]:
        """Every column of the account's link rows (synced_at included), in a stable order."""
        table = sync_links_table
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(table)
                .where(table.c.account_id == self.account_id)
                .order_by(table.c.activity_id)
            )
            return [tuple(row) for row in rows]

    def item_errors(self) -> list[str]:
        with self.engine.connect() as conn:
            errors = sync_links.item_errors(conn, account_id=self.account_id)
        return [error.message for error in errors]

    # The CRM, as its users (or a CalDAV client) change it.

    def activities(self) -> dict[int, Activity]:
        """alice's live activities by id."""
        with self.engine.connect() as conn:
            found = activity_store.list_activities(conn, self.user_id)
        return {_id(item): item for item in found}

    def save(self, item: Activity) -> Activity:
        """Create (id None) or update an activity; it comes back as stored."""
        with writing(self.engine) as conn:
            saved = activity_store.save_activity(conn, item, list_activity_types(conn))
            stored = activity_store.get_activity(conn, _id(saved))
        assert stored is not None
        return stored

    def delete(self, activity_id: int) -> None:
        with writing(self.engine) as conn:
            activity_store.delete_activity(conn, activity_id)

    # The calendar, as its owner changes it in the calendar's own app.

    def add_event(self, summary: str, *, private: bool = False) -> ExternalEvent:
        """An event for tomorrow at 12:00 UTC for an hour."""
        start = tomorrow(self.clock.now(), 12)
        return self.calendar.insert_event(
            summary, start, start + dt.timedelta(hours=1), private=private
        )

    def events(self) -> dict[str, ExternalEvent]:
        return self.calendar.events()


def tomorrow(now: dt.datetime, hour: int) -> dt.datetime:
    """`hour` o'clock UTC on the day after `now`: well inside the sync window."""
    day = now.astimezone(dt.UTC).date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def _id(item: Activity) -> int:
    assert item.id is not None
    return item.id
