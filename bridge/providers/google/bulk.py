"""Creating many events at once through batch requests, each one still idempotent.

The first sync of an account pushes every activity in the window; one HTTP
request per 50 creates instead of one per event keeps that within minutes
and within Google's per-user rate limits. Every part is judged on its own:
a duplicate id means an earlier attempt already created the event, so it is
fetched instead; parts that hit a rate limit, a 5xx or an expired token
are sent again (after one token renewal, or the retry policy's wait); a
part Google refuses gets its own error without failing the others.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from bridge.providers import AuthExpired, EventDraft, ExternalEvent, ProviderError, RateLimited
from bridge.providers.google.batch import BatchCall, Batcher
from bridge.providers.google.errors import error_for
from bridge.providers.google.events import event_body, event_id_for, external_event
from bridge.providers.http import TRANSIENT, Backoff, RetryPolicy, Transient

PushResult = ExternalEvent | ProviderError


class BulkCreate:
    """One `create_many` run: calls still to make and results so far, by idempotency key."""

    def __init__(
        self,
        batcher: Batcher,
        events_target: str,
        retry: RetryPolicy,
        refresh: Callable[[], None],
    ) -> None:
        self.batcher = batcher
        self.events_target = events_target  # path-only URL of the calendar's events collection
        self.backoff = Backoff(retry)
        self.refresh = refresh
        self.refreshed = False
        self.results: dict[str, PushResult] = {}

    def run(self, drafts: Mapping[str, EventDraft]) -> dict[str, PushResult]:
        pending = {key: self._insert(key, draft) for key, draft in drafts.items()}
        while pending:
            pending = self._round(pending)
        return {key: self.results[key] for key in drafts}

    def _round(self, pending: dict[str, BatchCall]) -> dict[str, BatchCall]:
        """Send `pending`, record what is final, return what must be sent again."""
        replies = self.batcher.send(list(pending.values()))
        seen_at = dt.datetime.now(dt.UTC)
        again: dict[str, BatchCall] = {}
        passing: dict[str, Transient | AuthExpired] = {}
        for (key, call), reply in zip(pending.items(), replies, strict=True):
            if reply.status_code == 409 and call.method == "POST":
                again[key] = BatchCall("GET", self._event_target(key))
            elif reply.is_success:
                self.results[key] = external_event(reply.json(), seen_at)
            elif isinstance(error := error_for(reply), (*TRANSIENT, AuthExpired)):
                again[key], passing[key] = call, error
            else:
                self.results[key] = error
        return again if not passing else self._recover(again, passing)

    def _recover(
        self, again: dict[str, BatchCall], passing: dict[str, Transient | AuthExpired]
    ) -> dict[str, BatchCall]:
        """Renew the token once, or wait as the retry policy says; else give those parts up."""
        try:
            self._prepare_retry(list(passing.values()))
        except (AuthExpired, *TRANSIENT) as error:
            self.results.update(dict.fromkeys(passing, error))
            return {key: call for key, call in again.items() if key not in passing}
        return again

    def _prepare_retry(self, errors: list[Transient | AuthExpired]) -> None:
        expired = [error for error in errors if isinstance(error, AuthExpired)]
        if expired and self.refreshed:
            raise expired[0]
        if expired:
            self.refreshed = True
            self.refresh()
        transient = [error for error in errors if not isinstance(error, AuthExpired)]
        if transient:
            self.backoff.wait(max(transient, key=_retry_after))

    def _insert(self, key: str, draft: EventDraft) -> BatchCall:
        body = {"id": event_id_for(key), **event_body(draft)}
        return BatchCall("POST", f"{self.events_target}?sendUpdates=none", body)

    def _event_target(self, key: str) -> str:
        return f"{self.events_target}/{event_id_for(key)}"


def _retry_after(error: Transient) -> float:
    """How long `error` asks to wait, so the round waits as long as its most demanding part."""
    return (error.retry_after or 0.0) if isinstance(error, RateLimited) else 0.0
