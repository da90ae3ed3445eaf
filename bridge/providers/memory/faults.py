"""What the in-memory calendar's API does to calls besides answering them: counting, refusing.

Real APIs count against quotas, throttle and lose grants; the reference
makes each of those something a test can switch on, so the callers'
handling of `RateLimited`, `TemporaryFailure` and `GrantRevoked` can be
checked without a server. Every call is counted as one request, refused
or not, as an HTTP request that got an error answer was still sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bridge.providers import GrantRevoked, ProviderError, RateLimited, TemporaryFailure


@dataclass
class Gate:
    """The door every API call passes: counts it, then lets it through or raises."""

    requests: int = 0
    revoked: bool = False
    _pending: list[ProviderError] = field(default_factory=list)

    def enter(self, what: str) -> None:
        """Count the call `what`; raise the fault it meets, if any.

        A revoked grant outlasts everything (the user must reconnect);
        queued faults are spent one per call, in the order they were queued.
        """
        self.requests += 1
        if self.revoked:
            raise GrantRevoked(f"{what}: the grant was revoked, reconnect the account")
        if self._pending:
            raise self._pending.pop(0)

    def throttle(self, calls: int, retry_after: float | None) -> None:
        for _ in range(calls):
            self._pending.append(RateLimited("too many requests, slow down", retry_after))

    def fail(self, calls: int) -> None:
        for _ in range(calls):
            self._pending.append(TemporaryFailure("the service is unavailable"))
