"""The Google Calendar API emulator on a socket, and CalBridge wired to it as in production.

Only the URLs differ from a real installation: the settings point the
Google endpoints at the emulator, and everything else (the worker
`calbridge worker` builds, the account connection the web page makes) is
CalBridge's own code. The emulator comes from the test suite; its request
log is what the benchmark counts.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa

from bridge.calendar_accounts import CalendarAccounts
from bridge.config import Settings
from bridge.domain import User
from bridge.secrets import box_from_settings, generate_key
from bridge.store.db import writing
from bridge.store.users import create_user
from tests.emulators.google_calendar import GoogleEmulator, create_google_emulator
from tests.providers.google_provider_samples import issued_tokens
from tests.servers import serve_in_thread
from tests.sync_fixtures import emulator_settings

MAX_BATCH_CALLS = 50
"""What the emulator accepts per batch: Google's advice, and the provider's own limit."""
CRM_LOGIN = "bench"


@dataclass(frozen=True)
class Connected:
    """The CRM user and the started Google account whose calendar receives the pushes."""

    user: User
    account_id: int
    calendar_id: str


@contextlib.contextmanager
def served_emulator() -> Iterator[tuple[GoogleEmulator, str]]:
    """A fresh emulator served on 127.0.0.1, with its base URL; stopped afterwards."""
    google = create_google_emulator(max_batch_calls=MAX_BATCH_CALLS)
    try:
        with serve_in_thread(google.app) as base_url:
            yield google, base_url
    finally:
        google.close()


def settings_for(google: GoogleEmulator, base_url: str, database_url: str) -> Settings:
    """CalBridge's settings with Google at the emulator; the worker's knobs keep their defaults.

    Values given here beat the environment, so only the `CALBRIDGE_WORKER_*`
    variables (not set on a plain machine) could change what is measured.
    """
    return emulator_settings(google, base_url, database_url=database_url, secret_key=generate_key())


def connect_account(engine: sa.Engine, settings: Settings, google: GoogleEmulator) -> Connected:
    """A CRM user whose Google account is connected with granted tokens and started.

    Starting makes the first run (the initial push) due at once, but nothing
    runs until the benchmark calls the worker, so activities loaded after
    this are all in that first run.
    """
    with writing(engine) as conn:
        user = create_user(conn, CRM_LOGIN, generate_key(), email="bench@example.com")
    box = box_from_settings(settings.secret_key, settings.secret_key_file)
    accounts = CalendarAccounts(engine, box, settings)
    account = accounts.connect_tokens(CRM_LOGIN, "google", issued_tokens(google))
    accounts.start(CRM_LOGIN, account.id)
    return Connected(user, account.id, account.settings.calendar_id)
