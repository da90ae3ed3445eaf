"""Google Calendar API error replies turned into the provider contract's errors.

Google says what went wrong in `error.errors[0].reason` as well as in the
status (the "Handle API errors" guide): a 403 is a rate limit only for the
usage-limit reasons, a 410 is an expired sync token for `fullSyncRequired`
but an already deleted event otherwise. The mapping works on an
`httpx.Response` so plain replies and batch parts share it.
"""

from __future__ import annotations

import httpx

from bridge.providers import CursorExpired, GrantRevoked, ItemRejected, ProviderError
from bridge.providers.http import status_error, throttled

RATE_LIMIT_REASONS = frozenset(
    {"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded", "dailyLimitExceeded"}
)


def error_for(response: httpx.Response) -> ProviderError:
    """The contract error for an unsuccessful Calendar API reply."""
    status = response.status_code
    reason = _reason(response)
    message = f"Google Calendar answered {status} {reason or response.reason_phrase}"
    retry_after = response.headers.get("retry-after")
    if status == 403 and reason in RATE_LIMIT_REASONS:
        return throttled(message, retry_after)
    if status == 403 and reason == "insufficientPermissions":
        return GrantRevoked(message + ": the grant lacks a scope, reconnect the account")
    if status == 410 and reason != "deleted":  # fullSyncRequired, updatedMinTooLongAgo
        return CursorExpired(message)
    if status == 403:
        return ItemRejected(message)
    return status_error(status, message, retry_after)


def _reason(response: httpx.Response) -> str:
    try:
        details = response.json()["error"]["errors"]
        return str(details[0]["reason"])
    except (ValueError, KeyError, IndexError, TypeError):
        return ""
