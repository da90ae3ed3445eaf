"""Microsoft Graph error replies turned into the provider contract's errors.

Graph names the failure in `error.code` as well as in the status: a 410
(or a `syncStateNotFound`-like code) on a delta link means the delta token
expired, `ErrorItemNotFound` is a gone event, `ErrorAccessDenied` a write
to a calendar the user may only read, and `ErrorIrresolvableConflict` a
stale change key. Everything else falls back on the shared
`bridge.providers.http.status_error`. The mapping works on an
`httpx.Response`, so plain replies and `$batch` sub-responses share it.
"""

from __future__ import annotations

import httpx

from bridge.providers import (
    CursorExpired,
    GrantRevoked,
    ItemRejected,
    NotFound,
    PreconditionFailed,
    ProviderError,
)
from bridge.providers.http import status_error, throttled

EXPIRED_SYNC_CODES = frozenset(
    {"syncstatenotfound", "syncstateinvalid", "fullsyncrequired", "resyncrequired"}
)
NOT_FOUND_CODES = frozenset({"erroritemnotfound", "itemnotfound", "resourcenotfound"})
STALE_CODES = frozenset(
    {"errorirresolvableconflict", "errorirreparableconflict", "preconditionfailed"}
)
THROTTLE_CODES = frozenset({"applicationthrottled", "toomanyrequests", "errortoomanyrequests"})


def error_for(response: httpx.Response, *, delta: bool = False) -> ProviderError:
    """The contract error for an unsuccessful Graph reply; `delta` for delta-link requests."""
    status = response.status_code
    code = graph_code(response)
    message = f"Microsoft Graph answered {status} {code or response.reason_phrase}"
    retry_after = response.headers.get("retry-after")
    folded = code.lower()
    if folded in EXPIRED_SYNC_CODES or (delta and status == 410):
        return CursorExpired(message)
    if status == 429 or folded in THROTTLE_CODES:
        return throttled(message, retry_after)
    if folded in NOT_FOUND_CODES:
        return NotFound(message)
    if status == 412 or folded in STALE_CODES:
        return PreconditionFailed(message)
    if status == 403 and folded == "erroraccessdenied":
        return ItemRejected(message + ": the calendar does not let this account write")
    if status == 403 and folded in {"authorization_requestdenied", "errorinsufficientpermissions"}:
        return GrantRevoked(message + ": the grant lacks a scope, reconnect the account")
    return status_error(status, message, retry_after)


def graph_code(response: httpx.Response) -> str:
    """`error.code` of a Graph error body, "" if the body has none."""
    try:
        return str(response.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return ""
