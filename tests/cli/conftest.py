"""The CLI runs in-process through `main`, pointed at the test database by environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bridge.config import get_settings
from tests.emulators.google_calendar import GoogleEmulator
from tests.sync_fixtures import LOOPBACK_SETTING


@pytest.fixture
def cli_env(engine: sa.Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Settings as `calbridge` would read them, fresh for each test, in a scratch directory."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CALBRIDGE_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("CALBRIDGE_PUBLIC_URL", "https://cal.example.com")
    # Commands such as `serve --no-worker` pass options on through the environment.
    monkeypatch.setenv("CALBRIDGE_RUN_WORKER", "true")
    # The test CalDAV servers listen on loopback, which accounts may not reach by default.
    monkeypatch.setenv("CALBRIDGE_CALDAV_ALLOWED_NETWORKS", LOOPBACK_SETTING)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def google_cli_env(
    cli_env: None,
    monkeypatch: pytest.MonkeyPatch,
    google: GoogleEmulator,
    google_url: str,
    secret_key: str,
) -> None:
    """`cli_env` pointed at the Google emulator, with the key the sync fixtures encrypt with."""
    values = {
        "CALBRIDGE_SECRET_KEY": secret_key,
        "CALBRIDGE_GOOGLE_CLIENT_ID": google.client_id,
        "CALBRIDGE_GOOGLE_CLIENT_SECRET": google.client_secret,
        "CALBRIDGE_GOOGLE_API_BASE": google_url,
        "CALBRIDGE_GOOGLE_AUTHORIZE_URL": f"{google_url}/o/oauth2/v2/auth",
        "CALBRIDGE_GOOGLE_TOKEN_URL": f"{google_url}/token",
        "CALBRIDGE_WORKER_POLL_SECONDS": "0.05",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
