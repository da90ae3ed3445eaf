"""A scenario's cast: alice, her CRM, her connected calendar and a worker, with short verbs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from bridge.calendar_accounts import CalendarAccounts
from bridge.domain import Activity, User
from bridge.store.db import writing
from bridge.store.schema import calendar_accounts
from bridge.sync.run import FULL_READ_EVERY, RunResult
from bridge.worker.scheduler import Worker
from tests.sync_worker.calendar_sides import CalendarSide
from tests.sync_worker.sync_samples import (
    add_activity,
    change_activity,
    delete_activity,
    live_activities,
    sync,
    sync_ok,
)


@dataclass(frozen=True)
class Scene:
    """alice, her CRM, her connected calendar (`side`) and a worker: what a scenario acts on."""

    engine: sa.Engine
    side: CalendarSide
    accounts: CalendarAccounts
    user: User
    worker: Worker

    @property
    def account_id(self) -> int:
        return self.side.account.id

    def start(self, **settings: object) -> int:
        """Apply `settings` (as the settings page would), start syncing; the account id."""
        if settings:
            self.accounts.update_settings(self.user.login, self.account_id, settings)
        self.accounts.start(self.user.login, self.account_id)
        return self.account_id

    def sync(self) -> RunResult:
        return sync_ok(self.worker, self.account_id)

    def sync_in_full(self) -> RunResult:
        """The next run as the hourly one that reads both sides in full."""
        self.make_full_read_due()
        return self.sync()

    def run(self, *, in_full: bool = False) -> RunResult:
        """The next run, whatever its outcome (`sync` insists on an ok one)."""
        if in_full:
            self.make_full_read_due()
        return sync(self.worker, self.account_id)

    def make_full_read_due(self) -> None:
        an_hour_ago = dt.datetime.now(dt.UTC) - FULL_READ_EVERY
        with writing(self.engine) as conn:
            conn.execute(
                sa.update(calendar_accounts)
                .where(calendar_accounts.c.id == self.account_id)
                .values(crm_full_at=an_hour_ago)
            )

    def add(self, subject: str, **fields: Any) -> Activity:
        return add_activity(self.engine, self.user, subject, **fields)

    def change(self, activity_id: int | None, **fields: Any) -> Activity:
        assert activity_id is not None
        return change_activity(self.engine, activity_id, **fields)

    def delete(self, activity_id: int | None) -> None:
        assert activity_id is not None
        delete_activity(self.engine, activity_id)

    def activities(self) -> list[Activity]:
        return live_activities(self.engine, self.user)
