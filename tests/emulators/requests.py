"""Request counting, so tests can assert how many calls a sync run cost.

An API bills quota per call, batch parts included (Google), or throttles
them (Graph), while connection overhead is per HTTP request; the log keeps
both views: `log[endpoint]` and
`log.total` count HTTP requests (a batch is one, under "batch"), and
`log.batched[endpoint]` counts the calls carried inside batches.
"""

from __future__ import annotations

import threading
from collections import Counter


class RequestLog:
    def __init__(self) -> None:
        self.by_endpoint: Counter[str] = Counter()
        self.batched: Counter[str] = Counter()
        self.total = 0
        self._lock = threading.Lock()

    def __getitem__(self, endpoint: str) -> int:
        return self.by_endpoint[endpoint]

    def record(self, endpoint: str) -> None:
        with self._lock:
            self.by_endpoint[endpoint] += 1
            self.total += 1

    def record_batched(self, endpoint: str) -> None:
        with self._lock:
            self.batched[endpoint] += 1

    def reset(self) -> None:
        with self._lock:
            self.by_endpoint.clear()
            self.batched.clear()
            self.total = 0
