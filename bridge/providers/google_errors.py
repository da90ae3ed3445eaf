"""Google Calendar API error replies turned into the provider contract's errors.

Google says what went wrong in `error.errors[0].reason` as well as in the
status (the "Handle API errors" guide): a 403 is a rate limit only for the
usage-limit reasons, a 410 is an expired sync token for `fullSyncRequired`
but an already deleted event otherwise. The mapping works on an
`httpx.Response` so plain replies and batch parts share it.
"""

from __future__ import annotations

import datetime as dt
import email.utils

import httpx

from bridge.providers import (
    AuthExpired,
    CursorExpired,
    GrantRevoked,
    ItemRejected,
    NotFound,
    PreconditionFailed,
    ProviderError,
    RateLimited,
    TemporaryFailure,
)

RATE_LIMIT_REASONS = frozenset(
    {"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded", "dailyLimitExceeded"}
)


def error_for(response: httpx.Response) -> ProviderError:
    """The contract error for an unsuccessful Calendar API reply."""
    status = response.status_code
    reason = _reason(response)
    message = f"Google Calendar answered {status} {reason or response.reason_phrase}"
    if status == 429 or (status == 403 and reason in RATE_LIMIT_REASONS):
        retry_after = retry_after_seconds(response.headers.get("retry-after"), _now())
        return RateLimited(message, retry_after)
    if status >= 500:
        return TemporaryFailure(message)
    return _client_error(status, reason, message)


def _client_error(status: int, reason: str, message: str) -> ProviderError:
    if status == 401:
        return AuthExpired(message)
    if status == 403 and reason == "insufficientPermissions":
        return GrantRevoked(message + ": the grant lacks a scope, reconnect the account")
    if status == 404 or (status == 410 and reason == "deleted"):
        return NotFound(message)
    if status == 410:  # fullSyncRequired, updatedMinTooLongAgo: the listing must start over
        return CursorExpired(message)
    if status == 412:
        return PreconditionFailed(message)
    return ItemRejected(message)


def retry_after_seconds(value: str | None, now: dt.datetime) -> float | None:
    """Retry-After as seconds from `now`: it is either a number of seconds or an HTTP-date."""
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - now).total_seconds())


def _reason(response: httpx.Response) -> str:
    try:
        details = response.json()["error"]["errors"]
        return str(details[0]["reason"])
    except (ValueError, KeyError, IndexError, TypeError):
        return ""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
