"""An emulator's notion of "now", which tests can move forward.

Access tokens, authorization codes, watch channels and subscriptions expire;
a clock that tests advance lets them exercise expiry without sleeping or
timing anything.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class Clock:
    """Real UTC time plus an offset that only grows."""

    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    def advance(self, seconds: float) -> None:
        """Jump forward, e.g. past `expires_in` to make every access token stale."""
        with self._lock:
            self._offset += timedelta(seconds=seconds)
