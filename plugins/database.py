"""The database a plugin uses: its section's ``database_url``, else CalBridge's own."""

from __future__ import annotations

import sqlalchemy as sa
from radicale import config

from bridge.config import get_settings
from bridge.store.db import shared_engine


def engine_for(configuration: config.Configuration, section: str) -> sa.Engine:
    try:
        url = configuration.get(section, "database_url")
    except KeyError:
        url = get_settings().database_url
    return shared_engine(url)
