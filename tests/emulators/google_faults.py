"""Injected failures: rate limits, backend errors, slow replies and dropped connections.

The bridge must honour Retry-After, back off on 403/429/500 and survive a
connection that dies mid-reply; tests queue the failure they want with
`GoogleEmulator.inject(...)` and the emulator serves it to the next
matching requests instead of the real answer.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

from tests.emulators import google_errors as errors
from tests.emulators.google_errors import ApiError


@dataclass
class Fault:
    """What to do to the next `times` requests whose path matches `path` (a regex; None: any).

    `error` replaces the reply, `delay` holds the reply back first, `drop`
    sends the status line and a fragment of the body, then closes the socket.
    """

    error: ApiError | None = None
    delay: float = 0.0
    drop: bool = False
    times: int = 1
    path: str | None = None

    @classmethod
    def too_many_requests(
        cls, retry_after: int = 1, *, times: int = 1, path: str | None = None
    ) -> Fault:
        """429 rateLimitExceeded with a Retry-After header (seconds)."""
        error = errors.rate_limited(429)
        error.headers["Retry-After"] = str(retry_after)
        return cls(error=error, times=times, path=path)

    @classmethod
    def rate_limit_exceeded(
        cls, reason: str = "rateLimitExceeded", *, times: int = 1, path: str | None = None
    ) -> Fault:
        """403 with reason rateLimitExceeded or userRateLimitExceeded."""
        return cls(error=errors.rate_limited(403, reason), times=times, path=path)

    @classmethod
    def backend_error(cls, *, times: int = 1, path: str | None = None) -> Fault:
        """500 backendError."""
        return cls(error=errors.backend_error(), times=times, path=path)

    @classmethod
    def slow(cls, seconds: float, *, times: int = 1, path: str | None = None) -> Fault:
        """The real reply, after `seconds`; long enough to trip a client's read timeout."""
        return cls(delay=seconds, times=times, path=path)

    @classmethod
    def dropped_connection(cls, *, times: int = 1, path: str | None = None) -> Fault:
        """A truncated reply, then a closed connection (httpx: RemoteProtocolError or ReadError)."""
        return cls(drop=True, times=times, path=path)

    def applies_to(self, path: str) -> bool:
        return self.times > 0 and (self.path is None or re.search(self.path, path) is not None)


@dataclass
class FaultQueue:
    """Faults in injection order; the first one matching a request is spent on it."""

    pending: list[Fault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def inject(self, fault: Fault) -> None:
        with self._lock:
            self.pending.append(fault)

    def take(self, path: str, *, errors_only: bool = False) -> Fault | None:
        """The fault for this request, if any; batch parts can only receive error faults."""
        with self._lock:
            for fault in self.pending:
                if fault.applies_to(path) and not (errors_only and fault.error is None):
                    fault.times -= 1
                    if fault.times == 0:
                        self.pending.remove(fault)
                    return fault
            return None

    def clear(self) -> None:
        with self._lock:
            self.pending.clear()
