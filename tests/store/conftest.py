"""Fixtures for the store tests: an empty database on each backend, for migrations."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from bridge.store.db import create_engine


@pytest.fixture
def empty_engine(empty_database_url: str) -> Iterator[sa.Engine]:
    engine = create_engine(empty_database_url)
    yield engine
    engine.dispose()
