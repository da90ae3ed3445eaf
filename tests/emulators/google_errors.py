"""Google Calendar API v3 errors, in the JSON shape of the "Handle API errors" guide.

The production client branches on `code` and `errors[0].reason` (410
fullSyncRequired means resync, 412 conditionNotMet means refetch, 403/429
rateLimitExceeded means back off), so every error the emulator raises is
built here with the documented domain, reason and message.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error reply of the Calendar API; raise it anywhere in a handler."""

    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        *,
        domain: str = "global",
        location: str | None = None,
        location_type: str | None = None,
        status: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{code} {reason}: {message}")
        self.code = code
        self.reason = reason
        self.message = message
        self.domain = domain
        self.location = location
        self.location_type = location_type
        self.status = status
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        detail: dict[str, Any] = {"domain": self.domain, "reason": self.reason}
        detail["message"] = self.message
        if self.location is not None:
            detail["locationType"] = self.location_type or "parameter"
            detail["location"] = self.location
        error: dict[str, Any] = {"errors": [detail], "code": self.code, "message": self.message}
        if self.status is not None:
            error["status"] = self.status
        return {"error": error}


def invalid(message: str, location: str) -> ApiError:
    """400 for a malformed parameter or field value."""
    return ApiError(400, "invalid", message, location=location)


def required(message: str, location: str) -> ApiError:
    """400 for a missing mandatory parameter or field."""
    return ApiError(400, "required", message, location=location)


def time_range_empty(location: str) -> ApiError:
    return ApiError(
        400,
        "timeRangeEmpty",
        "The specified time range is empty.",
        domain="calendar",
        location=location,
    )


def auth_error() -> ApiError:
    """401: missing, unknown, expired or revoked access token."""
    return ApiError(
        401,
        "authError",
        "Invalid Credentials",
        location="Authorization",
        location_type="header",
        status="UNAUTHENTICATED",
        headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'},
    )


def insufficient_scopes() -> ApiError:
    """403 when the grant is too narrow, e.g. only calendar.events for calendarList.list."""
    return ApiError(
        403,
        "insufficientPermissions",
        "Request had insufficient authentication scopes.",
        status="PERMISSION_DENIED",
    )


def rate_limited(code: int, reason: str = "rateLimitExceeded") -> ApiError:
    """403 or 429 usageLimits errors; reason is rateLimitExceeded or userRateLimitExceeded."""
    message = {"userRateLimitExceeded": "User Rate Limit Exceeded"}.get(
        reason, "Rate Limit Exceeded"
    )
    return ApiError(code, reason, message, domain="usageLimits")


def not_found() -> ApiError:
    return ApiError(404, "notFound", "Not Found")


def duplicate() -> ApiError:
    return ApiError(409, "duplicate", "The requested identifier already exists.")


def deleted() -> ApiError:
    """410 for deleting an event that is already deleted."""
    return ApiError(410, "deleted", "Resource has been deleted")


def full_sync_required() -> ApiError:
    return ApiError(
        410,
        "fullSyncRequired",
        "Sync token is no longer valid, a full sync is required.",
        domain="calendar",
        location="syncToken",
    )


def condition_not_met() -> ApiError:
    """412 when If-Match names an etag the resource no longer has."""
    return ApiError(
        412, "conditionNotMet", "Precondition Failed", location="If-Match", location_type="header"
    )


def backend_error() -> ApiError:
    return ApiError(500, "backendError", "Backend Error")
