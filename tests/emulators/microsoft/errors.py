"""Microsoft Graph's error bodies: `{"error": {"code", "message", "innerError"}}`.

Clients branch on `error.code` (ErrorItemNotFound, ErrorIrreparableConflict,
SyncStateNotFound, ...) and on Retry-After, so every failure the emulator
serves goes through `GraphError` with the code the real service uses.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any


@dataclass
class GraphError(Exception):
    status: int
    code: str
    message: str
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(f"{self.status} {self.code}: {self.message}")

    def body(self) -> dict[str, Any]:
        request_id = str(uuid.uuid4())
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "innerError": {"request-id": request_id, "client-request-id": request_id},
            }
        }


def unauthenticated(message: str = "Access token is empty.") -> GraphError:
    return GraphError(
        401,
        "InvalidAuthenticationToken",
        message,
        {"WWW-Authenticate": 'Bearer realm="", error="invalid_token"'},
    )


def not_found() -> GraphError:
    return GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")


def access_denied() -> GraphError:
    return GraphError(
        403, "ErrorAccessDenied", "Access is denied. Check credentials and try again."
    )


def irreparable_conflict() -> GraphError:
    return GraphError(
        412,
        "ErrorIrreparableConflict",
        "The send or update operation could not be performed because the change key passed "
        "in the request does not match the current change key for the item.",
    )


def invalid_request(message: str) -> GraphError:
    return GraphError(400, "ErrorInvalidRequest", message)


def body_read(message: str) -> GraphError:
    """OData's deserialisation failure: unknown property, wrong type, bad enum literal."""
    return GraphError(400, "RequestBodyRead", message)


def bad_request(message: str) -> GraphError:
    return GraphError(400, "BadRequest", message)


def sync_state_not_found() -> GraphError:
    return GraphError(
        410,
        "SyncStateNotFound",
        "The sync state generation is not found. The delta token is expired and data must be "
        "synchronized again.",
    )


def throttled(retry_after: int) -> GraphError:
    return GraphError(
        429,
        "ApplicationThrottled",
        "Application is over its MailboxConcurrency limit.",
        {"Retry-After": str(retry_after)},
    )


def no_route(path: str) -> GraphError:
    """What Graph answers for a path segment it does not know."""
    return GraphError(
        400, "BadRequest", f"Resource not found for the segment '{path.rsplit('/', 1)[-1]}'."
    )
