"""Fixtures for the web doors: one door at a time on a real socket."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from starlette.applications import Starlette

from bridge.config import Settings
from bridge.domain import User
from bridge.store.db import writing
from bridge.store.users import create_user
from bridge.web.app import create_app
from bridge.web.feeds import feed_routes
from tests.servers import serve_in_thread
from tests.web.api_client import MAX_BODY, Api

FEED_MASKING_KEY = b"the feed server's masking key"


@pytest.fixture
def feed_server(engine: sa.Engine) -> Iterator[str]:
    """The feed routes alone, served by uvicorn on 127.0.0.1; yields the base URL."""
    with serve_in_thread(Starlette(routes=feed_routes(engine, FEED_MASKING_KEY))) as base_url:
        yield base_url


@pytest.fixture
def api(
    engine: sa.Engine, provider_settings: Settings, secret_key: str, crm_user: User
) -> Iterator[Api]:
    """The whole app on a real socket, against the emulators; alice signed in.

    CalDAV accounts may reach loopback, where the test CalDAV servers listen;
    Microsoft is at the Graph emulator for tests that ask for `graph`.
    """
    core = {
        "database_url": engine.url.render_as_string(hide_password=False),
        "secret_key": secret_key,
        "max_body_bytes": MAX_BODY,
    }
    settings = provider_settings.model_copy(update=core)
    with serve_in_thread(create_app(settings)) as base_url:
        client = Api(base_url)
        yield client
        client.client.close()


@pytest.fixture
def bob(engine: sa.Engine) -> User:
    """A colleague of alice's, who must never reach her accounts."""
    with writing(engine) as conn:
        return create_user(conn, "bob", "bob-password")
