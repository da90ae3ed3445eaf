"""Injected failures: throttling, outages, expired delta tokens, slow or dropped replies.

The bridge must honour Retry-After on 429 and 503, back off on 5xx, restart
a sync on 410 and survive a dying connection; tests queue the failure they
want with `GraphEmulator.inject(...)` and the emulator serves it to the next
matching requests (by path regex, method and count) instead of the real
answer. Batch parts are matched by their own path (`/v1.0/me/events/...`),
so one fault can hit a single part of a `$batch` and leave the others alone.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from tests.emulators.microsoft import errors
from tests.emulators.microsoft.errors import GraphError


@dataclass
class Fault:
    """What to do to the next `times` requests whose path matches `path` (a regex; None: any).

    `error` replaces the reply (a Graph error), `oauth_error` replaces a token
    endpoint reply, `delay` holds the reply back first, `drop` sends a
    fragment of a body and closes the connection.
    """

    error: GraphError | None = None
    oauth_error: tuple[int, dict[str, Any]] | None = None
    delay: float = 0.0
    drop: bool = False
    times: int = 1
    path: str | None = None
    method: str | None = None

    @classmethod
    def throttled(
        cls,
        retry_after: int = 1,
        *,
        times: int = 1,
        path: str | None = None,
        method: str | None = None,
    ) -> Fault:
        """429 ApplicationThrottled (MailboxConcurrency) with Retry-After in seconds."""
        return cls(error=errors.throttled(retry_after), times=times, path=path, method=method)

    too_many_requests = throttled

    @classmethod
    def service_unavailable(
        cls,
        retry_after: int = 1,
        *,
        times: int = 1,
        path: str | None = None,
        method: str | None = None,
    ) -> Fault:
        """503 ServiceNotAvailable with Retry-After."""
        error = GraphError(
            503,
            "ServiceNotAvailable",
            "The service is temporarily unavailable. Please retry later.",
            {"Retry-After": str(retry_after)},
        )
        return cls(error=error, times=times, path=path, method=method)

    @classmethod
    def server_error(
        cls,
        status: int = 500,
        *,
        times: int = 1,
        path: str | None = None,
        method: str | None = None,
    ) -> Fault:
        """500 generalException, 502 BadGateway or 504 GatewayTimeout."""
        code, message = {
            500: ("generalException", "An unspecified error has occurred."),
            502: ("BadGateway", "The server returned an invalid response."),
            504: ("GatewayTimeout", "The operation timed out."),
        }.get(status, ("UnknownError", ""))
        return cls(error=GraphError(status, code, message), times=times, path=path, method=method)

    @classmethod
    def sync_state_not_found(cls, *, times: int = 1, path: str | None = r"/delta$") -> Fault:
        """410 SyncStateNotFound on a delta request: the client must start a full sync."""
        return cls(error=errors.sync_state_not_found(), times=times, path=path)

    @classmethod
    def invalid_grant(cls, *, times: int = 1, path: str | None = r"/oauth2/v2\.0/token$") -> Fault:
        """400 invalid_grant from the token endpoint (a revoked or expired grant)."""
        body = {
            "error": "invalid_grant",
            "error_description": "AADSTS50173: The provided grant has expired due to it being "
            "revoked, a fresh auth token is needed.",
            "error_codes": [50173],
        }
        return cls(oauth_error=(400, body), times=times, path=path)

    @classmethod
    def slow(cls, seconds: float, *, times: int = 1, path: str | None = None) -> Fault:
        """The real reply, after `seconds`."""
        return cls(delay=seconds, times=times, path=path)

    @classmethod
    def dropped_connection(cls, *, times: int = 1, path: str | None = None) -> Fault:
        """A truncated reply, then a closed connection."""
        return cls(drop=True, times=times, path=path)

    def applies_to(self, method: str, path: str) -> bool:
        return (
            self.times > 0
            and (self.method is None or self.method.upper() == method.upper())
            and (self.path is None or re.search(self.path, path) is not None)
        )


@dataclass
class FaultQueue:
    """Faults in injection order; the first one matching a request is spent on it."""

    pending: list[Fault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def inject(self, fault: Fault) -> None:
        with self._lock:
            self.pending.append(fault)

    def take(self, method: str, path: str, *, errors_only: bool = False) -> Fault | None:
        """The fault for this request, if any; batch parts can only receive Graph errors."""
        with self._lock:
            for fault in self.pending:
                if fault.applies_to(method, path) and not (errors_only and fault.error is None):
                    fault.times -= 1
                    if fault.times == 0:
                        self.pending.remove(fault)
                    return fault
            return None

    def clear(self) -> None:
        with self._lock:
            self.pending.clear()
