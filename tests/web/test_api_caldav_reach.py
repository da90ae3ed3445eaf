"""Connecting a CalDAV account at an internal address: refused with a clear 422, nothing stored.

The app runs with the default settings, under which accounts reach public
addresses only; the CalDAV server is stock Radicale on 127.0.0.1.
"""

from __future__ import annotations

import pathlib
from collections.abc import Iterator

import httpx
import pytest
import sqlalchemy as sa

from bridge.config import Settings
from bridge.domain import User
from bridge.store.schema import calendar_accounts
from bridge.web.app import create_app
from tests.servers import serve_in_thread
from tests.stock_radicale import RadicaleServer, running_radicale
from tests.sync_fixtures import CRM_LOGIN, CRM_PASSWORD
from tests.web.api_client import ACCOUNTS, assert_error


@pytest.fixture
def radicale(tmp_path: pathlib.Path) -> Iterator[RadicaleServer]:
    with running_radicale(tmp_path / "radicale") as server:
        server.make_calendar("alice", "work")
        yield server


@pytest.fixture
def public_only(engine: sa.Engine, secret_key: str, crm_user: User) -> Iterator[str]:
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False), secret_key=secret_key
    )
    with serve_in_thread(create_app(settings)) as base_url:
        yield base_url


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_the_default_refuses_a_loopback_server_and_stores_nothing(
    public_only: str, radicale: RadicaleServer, engine: sa.Engine, host: str
) -> None:
    body = {
        "provider": "caldav",
        "url": radicale.url.replace("127.0.0.1", host) + "/",
        "username": radicale.user,
        "password": radicale.password,
    }
    refused = httpx.post(f"{public_only}{ACCOUNTS}", json=body, auth=(CRM_LOGIN, CRM_PASSWORD))
    assert_error(refused, 422, "is not one CalDAV accounts may reach here")
    assert "CALBRIDGE_CALDAV_ALLOWED_NETWORKS" in refused.json()["error"]
    with engine.connect() as conn:
        assert conn.execute(sa.select(calendar_accounts)).first() is None
