"""What a user can get wrong, by meaning, each with the HTTP status that says so.

Code that refuses a request raises one of these; it does not decide how the
refusal is shown. The web app answers them once for every route
(`bridge.web.errors`), and the `calbridge` command prints them as one line
and exits 1 (`bridge.cli`). Everything else that escapes is a bug: a 500
with an error id on the web, a traceback and exit status 2 on the command
line. Keeping the two apart is the point: a `ValueError` from a mistake in
the code must not pass for the user's fault.

A module's own errors subclass the member that fits (`AccountError` is a
`NotFoundError`, `SettingsError` an `InvalidInput`), so callers can catch
them by name and the doors still know what to answer.

This module imports nothing from `bridge`: every layer may raise these.
"""

from __future__ import annotations

from collections.abc import Mapping


class UserError(Exception):
    """Something the user can get wrong and put right; the message tells them how.

    `http_status` is what the web answers (400 unless a subclass says
    otherwise); the message is shown as it is, so it must not hold secrets.
    """

    http_status = 400

    @property
    def headers(self) -> Mapping[str, str]:
        """HTTP headers the answer needs besides the status (a challenge, a wait)."""
        return {}


class InvalidInput(UserError):
    """The request itself is wrong: a malformed value, an unknown field or setting."""

    http_status = 400


class Unauthorized(UserError):
    """Who is asking is not known: no credentials, wrong ones, or a user since removed."""

    http_status = 401


class Forbidden(UserError):
    """The caller is known but may not do this; use only where saying so leaks nothing.

    When the thing belongs to another user, raise `NotFoundError` instead:
    a 403 would confirm it exists.
    """

    http_status = 403


class NotFoundError(UserError):
    """No such thing, as far as this user is concerned.

    Another user's account, feed or app password is answered exactly like a
    missing one, so ids cannot be probed for what exists.
    """

    http_status = 404


class Conflict(UserError):
    """The request is well formed but clashes with the current state.

    Already connected, already exists, or not possible in the thing's
    current state (a paused account asked to do something only a running
    one does).
    """

    http_status = 409


class TooLarge(UserError):
    """More than the service takes at once: a body, a file, a list of ids."""

    http_status = 413


class Unprocessable(UserError):
    """The request was fine, but what it points at refused or cannot be used.

    A calendar server that refuses the connection or the credentials, or an
    account without a calendar to sync with: the user has to change
    something elsewhere, not in the request.
    """

    http_status = 422


class TooManyRequests(UserError):
    """Asked too often: the caller must wait `retry_after` seconds (when known)."""

    http_status = 429

    def __init__(self, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    @property
    def headers(self) -> Mapping[str, str]:
        return {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}
