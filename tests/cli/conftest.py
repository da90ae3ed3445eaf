"""The CLI runs in-process through `main`, pointed at the test database by environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bridge.config import get_settings


@pytest.fixture
def cli_env(engine: sa.Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Settings as `calbridge` would read them, fresh for each test, in a scratch directory."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CALBRIDGE_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("CALBRIDGE_PUBLIC_URL", "https://cal.example.com")
    # Commands such as `serve --no-worker` pass options on through the environment.
    monkeypatch.setenv("CALBRIDGE_RUN_WORKER", "true")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
