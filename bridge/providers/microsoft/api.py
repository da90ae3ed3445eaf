"""Sending Graph calls: a fresh token, one renewal on 401, Graph's preferences, Graph's errors.

Every request asks (RFC 7240 `Prefer`, several preferences comma-separated
in one header, as Graph documents) for immutable ids, which survive an
event moving between folders, for bodies as plain text and for times in
UTC. Listings add `odata.maxpagesize`. A 401 renews the token once and
sends again; a second 401 is `AuthExpired`. Each call runs under the retry
policy, which honours Retry-After on 429 and 503 (see
`bridge.providers.http`): every call made through here is idempotent
(reads, `If-Match` writes, creates with a `transactionId`).

Links Graph hands out (`@odata.nextLink`, `@odata.deltaLink`) are absolute
URLs, followed as given; one naming another scheme or host than the
configured Graph is refused before anything (the bearer token above all)
is sent.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from bridge.providers import TemporaryFailure
from bridge.providers.http import RetryPolicy
from bridge.providers.microsoft.errors import error_for
from bridge.providers.oauth import OAuthSession

PREFERENCES = (
    'IdType="ImmutableId"',
    'outlook.body-content-type="text"',
    'outlook.timezone="UTC"',
)


def prefer(page_size: int | None = None) -> str:
    """The `Prefer` header value: CalBridge's preferences, and a page size for listings."""
    extra = () if page_size is None else (f"odata.maxpagesize={page_size}",)
    return ", ".join((*PREFERENCES, *extra))


class GraphApi:
    def __init__(
        self, session: OAuthSession, retry: RetryPolicy, root: str, origin: tuple[str, str]
    ) -> None:
        self.session = session
        self.retry = retry
        self.root = root
        self.origin = origin

    def call(
        self,
        method: str,
        path: str,
        *,
        expected: Collection[int] = (),
        headers: Mapping[str, str] | None = None,
        page_size: int | None = None,
        delta: bool = False,
        **kwargs: Any,
    ) -> httpx.Response:
        """`path` under the v1.0 root, or an absolute link Graph gave (checked first)."""
        url = self.checked(path) if "://" in path else self.root + path
        sent = {"Prefer": prefer(page_size), **(headers or {})}
        return self.retry.call(
            lambda: self._attempt(method, url, expected, delta, {"headers": sent, **kwargs})
        )

    def checked(self, link: str) -> str:
        """`link` if it points at the configured Graph; otherwise refused."""
        parts = urlsplit(link)
        if (parts.scheme.lower(), parts.netloc.lower()) != self.origin:
            raise TemporaryFailure(
                f"refused to follow a Graph link to {parts.scheme}://{parts.netloc}: "
                "not the configured Graph host"
            )
        return link

    def _attempt(
        self,
        method: str,
        url: str,
        expected: Collection[int],
        delta: bool,
        kwargs: dict[str, Any],
    ) -> httpx.Response:
        response = self.session.renewing(method, url, **kwargs)
        if response.is_success or response.status_code in expected:
            return response
        raise error_for(response, delta=delta)
