"""Fixtures for the web doors: one door at a time on a real socket."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from starlette.applications import Starlette

from bridge.web.feeds import feed_routes
from tests.servers import serve_in_thread


@pytest.fixture
def feed_server(engine: sa.Engine) -> Iterator[str]:
    """The feed routes alone, served by uvicorn on 127.0.0.1; yields the base URL."""
    with serve_in_thread(Starlette(routes=feed_routes(engine))) as base_url:
        yield base_url
