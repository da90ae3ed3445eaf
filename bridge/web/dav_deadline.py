"""The CalDAV pool's guard: every request under a deadline, and a count of busy workers.

CalDAV runs as a WSGI app on a fixed pool of threads (`dav_workers`). A
request that walks too long must not keep its thread: each runs under
`bridge.deadline.within(dav_request_seconds)`, the long loops below check
it, and once it passes the work stops and the client gets 503 with
Retry-After. Nothing is half-written: writes happen in transactions that
roll back on the way out. The count of requests in progress tells
`/healthz` when every worker is taken.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from radicale import types
from radicale.log import logger

from bridge import deadline

RETRY_AFTER_SECONDS = 30


class DeadlinePool:
    """A WSGI app run under a per-request deadline, counting the requests in progress."""

    def __init__(self, app: types.WSGIApplication, seconds: float, workers: int) -> None:
        self._app = app
        self._seconds = seconds
        self.workers = workers
        self._busy = 0
        self._lock = threading.Lock()

    @property
    def busy(self) -> int:
        """Requests being answered now."""
        return self._busy

    @property
    def exhausted(self) -> bool:
        """Whether every worker is taken, so a new request would wait."""
        return self._busy >= self.workers

    def __call__(
        self, environ: types.WSGIEnviron, start_response: types.WSGIStartResponse
    ) -> Iterable[bytes]:
        with self._lock:
            self._busy += 1
        try:
            with deadline.within(self._seconds):
                return self._app(environ, start_response)
        except deadline.DeadlinePassed:
            logger.warning(
                "%s %s stopped after its deadline of %s s",
                environ.get("REQUEST_METHOD"),
                environ.get("PATH_INFO"),
                self._seconds,
            )
            body = b"The request took too long and was stopped; try again later.\n"
            start_response(
                "503 Service Unavailable",
                [
                    ("Content-Type", "text/plain; charset=utf-8"),
                    ("Content-Length", str(len(body))),
                    ("Retry-After", str(RETRY_AFTER_SECONDS)),
                ],
            )
            return [body]
        finally:
            with self._lock:
                self._busy -= 1
