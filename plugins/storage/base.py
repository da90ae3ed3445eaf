"""What every part of the SQL storage shares: the engine and the request's transaction."""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator

import sqlalchemy as sa
from radicale import config, storage

from bridge.domain import User
from bridge.ical.rule_parts import skip_x_parts
from bridge.store.users import find_user
from plugins.database import engine_for
from plugins.masking import masking_key_for

ACTIVITY_COLLECTIONS = {"activities": "VEVENT", "tasks": "VTODO", "team": "VEVENT,VTODO"}
"""The collections every user gets, by name, with their supported components."""


class StorageBase(storage.BaseStorage):
    """Holds the engine; `acquire_lock` opens one transaction per request and thread."""

    _supports_unicode = True
    _supports_trailing_whitespace = True
    _supports_problematic_chars = True
    _is_collision_free = True

    def __init__(self, configuration: config.Configuration) -> None:
        super().__init__(configuration)
        skip_x_parts()  # a client's X- rule parts must not fail Radicale's checks and searches
        self.engine: sa.Engine = engine_for(configuration, "storage")
        self.max_resource_size: int = configuration.get("server", "max_resource_size")
        """Stored items larger than this (in bytes) are not served, as with the file storage."""
        self._local = threading.local()
        self._users: dict[str, User] = {}

    @functools.cached_property
    def masking_key(self) -> bytes:
        """The key of the UIDs private activities are masked under in team calendars."""
        return masking_key_for(self.configuration, "storage")

    @contextlib.contextmanager
    def connection(self) -> Iterator[sa.Connection]:
        """The request's transaction when inside `acquire_lock`, else a short one."""
        current = getattr(self._local, "conn", None)
        if current is not None:
            yield current
            return
        with self.engine.begin() as conn:
            yield conn

    def reading(self) -> bool:
        """Inside a read-only request, where one read of a revision serves the whole answer."""
        return getattr(self._local, "reading", False)

    def user(self, login: str) -> User | None:
        """The CalBridge user behind a principal path segment (cached: logins never change)."""
        cached = self._users.get(login)
        if cached is None:
            with self.connection() as conn:
                cached = find_user(conn, login)
            if cached is not None:
                self._users[login] = cached
        return cached
