"""Sending Calendar API calls: a fresh token, one renewal on 401, Google errors as contract errors.

A 401 means the access token died before the expiry Google announced
(revoked, or the clocks disagree), so the token is renewed once and the
request sent again; a second 401 is `AuthExpired`. Statuses the caller
handles itself (a 409 duplicate id, a 410 already deleted) are passed
through `expected`. Each call runs under the retry policy: every call the
provider makes is idempotent (see `bridge.providers.http`).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import httpx

from bridge.providers.google.errors import error_for
from bridge.providers.http import RetryPolicy
from bridge.providers.oauth import OAuthSession


class GoogleApi:
    def __init__(self, session: OAuthSession, retry: RetryPolicy) -> None:
        self.session = session
        self.retry = retry

    def call(
        self, method: str, url: str, *, expected: Collection[int] = (), **kwargs: Any
    ) -> httpx.Response:
        """The successful (or `expected`) reply; transient failures retried, others raised."""
        return self.retry.call(lambda: self._attempt(method, url, expected, kwargs))

    def _attempt(
        self, method: str, url: str, expected: Collection[int], kwargs: dict[str, Any]
    ) -> httpx.Response:
        response = self.session.renewing(method, url, **kwargs)
        if response.is_success or response.status_code in expected:
            return response
        raise error_for(response)
