"""Sending WebDAV requests through the `caldav` library's `DAVClient`, errors as contract errors.

`DAVClient` does the HTTP (niquests), the authentication handshake
(Basic or Digest, whichever the server asks for) and parses XML replies;
its high-level objects hide the headers this provider needs (`If-Match`,
`If-None-Match`, `ETag`), so requests go through `DAVClient.request` and
come back as a plain `Reply` whatever their status. Only what no caller
can handle is raised here: a password the server refuses (`GrantRevoked`:
CalDAV has no token to renew, the user must reconnect), rate limiting,
and dropped connections, timeouts or unreadable replies
(`TemporaryFailure`, naming the host and why: `network`).
`failure` turns any other unsuccessful reply into the contract's error,
the one place statuses get their meaning; `library_errors` maps the
exceptions of calls made through the library's own objects (calendar
discovery) the same way.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from caldav import DAVClient
from caldav.lib import error as dav_error
from caldav.lib.http_sync import requests

from bridge.providers import (
    GrantRevoked,
    ItemRejected,
    NotFound,
    PreconditionFailed,
    ProviderError,
    RateLimited,
    TemporaryFailure,
)
from bridge.providers.caldav.network import host, unreachable
from bridge.providers.caldav.reach import Network, ReachableResolver
from bridge.providers.http import throttled

XML = "application/xml; charset=utf-8"
ICALENDAR = "text/calendar; charset=utf-8"
REJECTED_WRITES = frozenset({400, 403, 409, 413, 415, 422})
"""Statuses by which a server refuses the content of one PUT, not the account."""


@dataclass(frozen=True)
class Reply:
    """A server's answer: status, headers, body as text and, for XML, parsed."""

    status: int
    headers: Mapping[str, str]
    text: str
    tree: Any
    preconditions: tuple[str, ...]
    """The `DAV:error` precondition elements of an error body, in Clark notation."""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


class DavSession:
    """One account's connection: credentials, timeout and a kept-alive HTTP session.

    The session connects only to addresses `allowed_networks` lets accounts
    reach (`reach`), checked at every connection the session opens.
    """

    def __init__(
        self,
        url: str,
        username: str,
        password: str,
        *,
        timeout: float,
        allowed_networks: Sequence[Network],
    ) -> None:
        self.url = url
        self.client = DAVClient(url=url, username=username, password=password, timeout=timeout)
        unchecked = self.client.session
        self.client.session = requests.Session(
            multiplexed=unchecked.multiplexed, resolver=ReachableResolver(allowed_networks)
        )
        unchecked.close()
        self.requests = 0
        """Requests sent through `request` (calendar discovery is not counted)."""

    def close(self) -> None:
        self.client.close()

    def request(
        self, method: str, url: str, body: str = "", headers: Mapping[str, str] | None = None
    ) -> Reply:
        """Send one request; the reply whatever its status, except for the errors above."""
        self.requests += 1
        with library_errors(f"{method} {url}", url):
            try:
                response = self.client.request(url, method, body, dict(headers or {}))
            except dav_error.AuthorizationError as refused:
                if refused.status == 403:  # a refusal, not a failed login: the caller decides
                    return _refusal(refused)
                raise
        raw = response.raw or ""
        failed = not 200 <= response.status < 300
        return Reply(
            status=response.status,
            headers=response.headers,
            text=raw if response.tree is None else "",
            tree=response.tree,
            preconditions=tuple(dav_error.parse_preconditions(raw)) if failed else (),
        )

    def xml(self, method: str, url: str, body: str, depth: int | None) -> Reply:
        """A PROPFIND or REPORT with an XML body (no Depth header when `depth` is None)."""
        headers = {"Content-Type": XML}
        if depth is not None:
            headers["Depth"] = str(depth)
        return self.request(method, url, body, headers)

    def put(self, url: str, text: str, condition: Mapping[str, str]) -> Reply:
        """PUT an iCalendar object under a condition (`If-Match` or `If-None-Match`)."""
        return self.request("PUT", url, text, {"Content-Type": ICALENDAR, **condition})


@contextlib.contextmanager
def library_errors(what: str, url: str) -> Iterator[None]:
    """The `caldav` library's exceptions (and its HTTP library's) as contract errors.

    `url` is the address the block talks to: a refused password and an
    unreachable server are reported by its host, the one thing the user
    can check, and the failed request (`what`) follows for the log.
    """
    try:
        yield
    except dav_error.AuthorizationError as refused:
        if refused.status == 401:
            message = f"the CalDAV server {host(url)} refused the user name or password ({what})"
            raise GrantRevoked(message) from refused
        raise NotFound(f"{what}: the CalDAV server refused access ({refused.status})") from refused
    except dav_error.RateLimitError as limited:
        message = f"{what}: the CalDAV server asks to slow down"
        raise RateLimited(message, limited.retry_after_seconds) from limited
    except requests.exceptions.RequestException as dropped:
        raise TemporaryFailure(f"{unreachable(url, dropped)} ({what})") from dropped
    except SyntaxError as garbled:  # lxml's XMLSyntaxError: a reply that is not the XML it says
        raise TemporaryFailure(f"{what}: unreadable XML reply") from garbled
    except dav_error.NotFoundError as missing:
        raise NotFound(f"{what}: not found") from missing
    except dav_error.DAVError as other:
        if other.status is not None and other.status >= 500:
            raise TemporaryFailure(f"{what}: {other}") from other
        raise ProviderError(f"{what}: {other}") from other


def failure(reply: Reply, what: str, *, write: bool = False) -> ProviderError:
    """The contract error for an unsuccessful reply to `what` (a write of one item or a read).

    A 403 on a read means the account may not see the calendar, which to
    the sync is the same as a calendar that is gone.
    """
    status = reply.status
    message = f"{what}: the CalDAV server answered {status}"
    if status in (429, 503):
        return throttled(message, reply.header("Retry-After"))
    if status >= 500:
        return TemporaryFailure(message)
    if status in (404, 410) or (status == 403 and not write):
        return NotFound(message)
    if status == 412:
        return PreconditionFailed(message)
    if write and status in REJECTED_WRITES:
        return ItemRejected(message)
    return ProviderError(message)


def _refusal(refused: dav_error.AuthorizationError) -> Reply:
    body = refused.body
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body or ""
    return Reply(
        status=403, headers={}, text=text, tree=None, preconditions=tuple(refused.preconditions)
    )
