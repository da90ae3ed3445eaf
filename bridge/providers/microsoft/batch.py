"""Graph's JSON `$batch`: up to 20 calls in one HTTP request, each answered on its own.

Each call is `{id, method, url, headers, body}` with a URL relative to the
version root; the reply's `responses` come in any order, matched back by
`id`. Graph throttles each call separately, so a part answering 429 (or a
5xx) is sent again alone with the next round, after the longest
Retry-After among those parts (the shared retry policy's budget bounds the
rounds); a 401 part renews the token once. Other parts are final, good or
bad, and come back as `httpx.Response`s for the usual error mapping.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from bridge.providers import AuthExpired, TemporaryFailure
from bridge.providers.http import TRANSIENT, Backoff, RateLimited, RetryPolicy, Transient
from bridge.providers.microsoft.api import GraphApi, prefer
from bridge.providers.microsoft.errors import error_for

MAX_CALLS = 20  # Graph's documented limit of requests per batch


@dataclass(frozen=True)
class BatchCall:
    method: str
    url: str  # relative to the version root, query included: "/me/events/{id}?$expand=..."
    body: dict[str, Any] | None = None
    headers: tuple[tuple[str, str], ...] = ()

    def request(self, number: int) -> dict[str, Any]:
        headers = {"Prefer": prefer(), **dict(self.headers)}
        entry: dict[str, Any] = {"id": str(number), "method": self.method, "url": self.url}
        if self.body is not None:
            entry["body"] = self.body
            headers["Content-Type"] = "application/json"
        return entry | {"headers": headers}


class Batcher:
    def __init__(self, api: GraphApi, retry: RetryPolicy, refresh: Callable[[], None]) -> None:
        self.api = api
        self.retry = retry
        self.refresh = refresh

    def send(self, calls: Sequence[BatchCall]) -> list[httpx.Response]:
        """Each call's final reply, in order: transient failures retried as described above."""
        replies: dict[int, httpx.Response] = {}
        pending = list(range(len(calls)))
        backoff = Backoff(self.retry)
        refreshed = False
        while pending:
            for start in range(0, len(pending), MAX_CALLS):
                chunk = pending[start : start + MAX_CALLS]
                replies.update(zip(chunk, self._one_batch([calls[i] for i in chunk]), strict=True))
            passing = {i: error_for(replies[i]) for i in pending if _passing(replies[i])}
            pending = list(passing)
            if not pending:
                break
            expired = [i for i, error in passing.items() if isinstance(error, AuthExpired)]
            if expired and refreshed:
                break
            if expired:
                refreshed = True
                self.refresh()
            transient = [e for e in passing.values() if isinstance(e, TRANSIENT)]
            if transient:
                try:
                    backoff.wait(max(transient, key=_retry_after))
                except TRANSIENT:
                    break
        return [replies[i] for i in range(len(calls))]

    def _one_batch(self, calls: Sequence[BatchCall]) -> list[httpx.Response]:
        body = {"requests": [call.request(number) for number, call in enumerate(calls)]}
        reply = self.api.call("POST", "/$batch", json=body).json()
        by_id = {str(item.get("id")): item for item in reply.get("responses", ())}
        try:
            return [_response(by_id[str(number)]) for number in range(len(calls))]
        except KeyError as missing:
            raise TemporaryFailure(f"the $batch reply lacks the answer to call {missing}") from None


def _response(item: dict[str, Any]) -> httpx.Response:
    headers = {str(k): str(v) for k, v in (item.get("headers") or {}).items()}
    headers.pop("Content-Length", None)
    body = item.get("body")
    content = b"" if body is None else json.dumps(body).encode()
    return httpx.Response(int(item["status"]), headers=headers, content=content)


def _passing(reply: httpx.Response) -> bool:
    return reply.status_code == 401 or isinstance(error_for(reply), TRANSIENT)


def _retry_after(error: Transient) -> float:
    return (error.retry_after or 0.0) if isinstance(error, RateLimited) else 0.0
