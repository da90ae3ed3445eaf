"""Locking by transaction: one per request, writers serialised per user.

Radicale wraps every request in ``acquire_lock``. Here that opens a database
transaction for the request's thread; writers also take a per-user lock (a
PostgreSQL advisory lock, or an in-process lock on SQLite) so that a
precondition check and the write after it see the same state, while other
users' requests go on.
"""

from __future__ import annotations

import contextlib
import threading
import zlib
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from plugins.storage.base import StorageBase

_user_locks: dict[str, threading.Lock] = {}
_user_locks_guard = threading.Lock()


def _process_lock(key: str) -> threading.Lock:
    with _user_locks_guard:
        return _user_locks.setdefault(key, threading.Lock())


class StoragePartLock(StorageBase):
    @contextlib.contextmanager
    def acquire_lock(self, mode: str, user: str = "", *args: Any, **kwargs: Any) -> Iterator[None]:
        """Readers run without a transaction; writers get one, serialised per user.

        A reader reads a collection's revision before the changes since an
        older one, so a write landing in between is reported again next time
        rather than lost; it needs no snapshot, and skipping BEGIN and COMMIT
        is most of the cost of a CTag poll.
        """
        if getattr(self._local, "conn", None) is not None:
            yield
            return
        path = str(kwargs.get("path") or "")
        key = path.strip("/").split("/", 1)[0] or user or "-"
        with contextlib.ExitStack() as stack:
            if mode == "w":
                stack.enter_context(_process_lock(key))
                conn = stack.enter_context(self.engine.connect())
                conn.execution_options(immediate=True)
                stack.enter_context(conn.begin())
                if conn.dialect.name == "postgresql":
                    conn.execute(
                        sa.text("SELECT pg_advisory_xact_lock(:k)"),
                        {"k": zlib.crc32(key.encode())},
                    )
            else:
                conn = stack.enter_context(self.engine.connect())
                conn.execution_options(read_only=True)
            self._local.conn = conn
            self._local.reading = mode != "w"
            try:
                yield
            finally:
                self._local.conn = None
                self._local.reading = False
