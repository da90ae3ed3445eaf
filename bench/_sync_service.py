"""What the sync benchmarks need from an emulated calendar service, and the account on it.

`bench.sync_google` and `bench.sync_microsoft` measure the same things;
only the service differs. Each emulator module (`_sync_emulator` for
Google, `_microsoft_emulator` for Graph) wraps its test-suite emulator in
an `EmulatedService`: how CalBridge's settings point at it, the tokens a
finished consent would have granted, its request log, and how to find and
read the event an activity was pushed as. The CRM user and the connected,
started account are made the same way for both (`connect_account`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import sqlalchemy as sa

from bench._sync_report import Row
from bridge.calendar_accounts import CalendarAccounts
from bridge.config import Settings
from bridge.domain import User
from bridge.providers.oauth import OAuthTokens
from bridge.secrets import box_from_settings, generate_key
from bridge.store.db import writing
from bridge.store.users import create_user

CRM_LOGIN = "bench"


class RequestLog(Protocol):
    """An emulator's request log (both emulators keep one of this shape)."""

    by_endpoint: Counter[str]
    batched: Counter[str]

    def reset(self) -> None: ...


@dataclass(frozen=True)
class Connected:
    """The CRM user and the started account whose calendar receives the pushes."""

    user: User
    account_id: int
    calendar_id: str


class EmulatedService(ABC):
    """One emulated calendar service, served on 127.0.0.1 at `base_url`."""

    kind: str
    """The provider kind CalBridge connects ("google", "microsoft")."""
    name: str
    """How the table names the service's side: "CRM change -> {name} write"."""
    title: str
    """The table's title, before the activity count."""
    label: str
    """The header's name for the emulator, e.g. "Google emulator"."""
    push_requests_per_1000: int
    """The push target: at most this many HTTP requests per 1,000 activities."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    @property
    @abstractmethod
    def requests(self) -> RequestLog:
        """The emulator's log of every HTTP request it received."""

    @abstractmethod
    def settings(self, database_url: str) -> Settings:
        """CalBridge's settings with this service at the emulator; the rest at their defaults."""

    @abstractmethod
    def tokens(self) -> OAuthTokens:
        """Tokens for the signed-in user, as if the consent page had been passed."""

    @abstractmethod
    def event_ids(self, calendar_id: str, activity_ids: Sequence[int]) -> dict[int, str]:
        """The event each activity was pushed as, by the activity id stamped into it.

        Reads the whole calendar: use it once, not while timing.
        """

    @abstractmethod
    def summary(self, calendar_id: str, event_id: str) -> str | None:
        """The event's current title, read under the emulator's lock (cheap: one event)."""

    def extra_rows(self) -> list[Row]:
        """Measures only this service has, appended to the table."""
        return []


def missing_activities(activity_ids: Sequence[int], found: dict[int, str]) -> None:
    """Stop the benchmark when some activities were never pushed (timing them means nothing)."""
    missing = sorted(set(activity_ids) - set(found))
    if missing:
        raise RuntimeError(f"activities {missing} were never pushed to the emulator")


def connect_account(engine: sa.Engine, settings: Settings, service: EmulatedService) -> Connected:
    """A CRM user whose account on `service` is connected with granted tokens and started.

    Starting makes the first run (the initial push) due at once, but nothing
    runs until the benchmark calls the worker, so activities loaded after
    this are all in that first run.
    """
    with writing(engine) as conn:
        user = create_user(conn, CRM_LOGIN, generate_key(), email="bench@example.com")
    box = box_from_settings(settings.secret_key, settings.secret_key_file)
    accounts = CalendarAccounts(engine, box, settings)
    account = accounts.connect_tokens(CRM_LOGIN, service.kind, service.tokens())
    accounts.start(CRM_LOGIN, account.id)
    return Connected(user, account.id, account.settings.calendar_id)
