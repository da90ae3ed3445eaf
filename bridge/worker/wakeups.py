"""Listening for `bridge.store.wakeups` on PostgreSQL, so a worker acts on changes at once.

The listener holds its own connection in autocommit mode (LISTEN needs no
transaction and must not hold one open) and calls `on_wake` for every
notification. A lost connection is retried with a growing pause; polling
goes on meanwhile, so nothing is missed, only noticed a little later.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg
import sqlalchemy as sa

from bridge.store.wakeups import CHANNEL

log = logging.getLogger(__name__)

MAX_PAUSE = 30.0


class PostgresListener:
    """A daemon thread that LISTENs on the wake-up channel until `stop` is set."""

    def __init__(self, url: sa.URL, on_wake: Callable[[], None], stop: threading.Event) -> None:
        self._conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._on_wake = on_wake
        self._stop = stop
        self._thread = threading.Thread(target=self._run, name="calbridge-listen", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        pause = 1.0
        while not self._stop.is_set():
            try:
                self._listen()
                pause = 1.0
            except psycopg.Error as error:
                log.warning("wake-up listener lost its connection (%s); polling meanwhile", error)
                self._stop.wait(pause)
                pause = min(MAX_PAUSE, pause * 2)

    def _listen(self) -> None:
        with psycopg.connect(self._conninfo, autocommit=True) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            while not self._stop.is_set():
                for _notice in conn.notifies(timeout=1.0):
                    self._on_wake()
