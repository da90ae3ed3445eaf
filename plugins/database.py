"""The database a plugin uses: its section's ``database_url``, else CalBridge's own.

Radicale's file storage creates its folder on first use; the plugins likewise
bring their database's schema up to date (Alembic, to head) the first time a
process opens it, so ``[storage] type = plugins.storage`` works on a fresh
database without a separate ``calbridge migrate``.
"""

from __future__ import annotations

from functools import lru_cache

import sqlalchemy as sa
from radicale import config

from bridge.config import get_settings
from bridge.store.db import migrate, shared_engine


def engine_for(configuration: config.Configuration, section: str) -> sa.Engine:
    try:
        url = configuration.get(section, "database_url")
    except KeyError:
        url = get_settings().database_url
    return _migrated_engine(url)


@lru_cache(maxsize=8)
def _migrated_engine(url: str) -> sa.Engine:
    """The shared engine for ``url``, its schema migrated once per process."""
    engine = shared_engine(url)
    migrate(engine)
    return engine
