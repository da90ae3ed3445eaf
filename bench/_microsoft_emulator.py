"""The Microsoft Graph emulator on a socket, and CalBridge wired to it as in production.

The Graph twin of `_sync_emulator`: only the URLs differ from a real
installation (the `[microsoft]` settings' `login_base` and `graph_base`
both point at the emulator, which serves the identity platform and Graph
v1.0 on one origin); the worker, the Microsoft provider and the account
connection are CalBridge's own. The emulator comes from the test suite:
its request log is what the benchmark counts, and its outbox holds every
mail Exchange would have sent because of CalBridge's writes (invitations,
updates, cancellations), which must stay empty.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator, Sequence

from bench._sync_report import Row
from bench._sync_service import EmulatedService, missing_activities
from bridge.config import Settings
from bridge.providers.microsoft.events import STAMP_PROPERTY
from bridge.providers.microsoft.settings import MicrosoftSettings
from bridge.providers.oauth import OAuthTokens
from bridge.secrets import generate_key
from tests.emulators.microsoft import GraphEmulator, create_graph_emulator
from tests.emulators.requests import RequestLog
from tests.providers.microsoft_samples import issued_tokens
from tests.servers import serve_in_thread

MAILS_MAX = 0


class GraphService(EmulatedService):
    kind = "microsoft"
    name = "Graph"
    title = "Microsoft Graph sync"
    label = "Graph emulator"
    push_requests_per_1000 = 60
    """At most 600 requests for 10,000 activities, scaled with N."""

    def __init__(self, graph: GraphEmulator, base_url: str) -> None:
        super().__init__(base_url)
        self.graph = graph

    @property
    def requests(self) -> RequestLog:
        return self.graph.requests

    def settings(self, database_url: str) -> Settings:
        """Values given here beat the environment, so only the `CALBRIDGE_WORKER_*`
        variables (not set on a plain machine) could change what is measured."""
        microsoft = MicrosoftSettings(
            client_id=self.graph.client_id,
            client_secret=self.graph.client_secret,
            login_base=self.base_url,
            graph_base=self.base_url,
        )
        return Settings(microsoft=microsoft, database_url=database_url, secret_key=generate_key())

    def tokens(self) -> OAuthTokens:
        return issued_tokens(self.graph)

    def event_ids(self, calendar_id: str, activity_ids: Sequence[int]) -> dict[int, str]:
        """Rendering the whole calendar (`GraphState.events`, every extended property)
        holds the emulator's lock for the length of it."""
        wanted = {str(activity_id): activity_id for activity_id in activity_ids}
        stamp_id = STAMP_PROPERTY.lower()
        found = {}
        for event_id, event in self.graph.state.events(calendar_id).items():
            for prop in event.get("singleValueExtendedProperties", ()):
                if str(prop.get("id", "")).lower() == stamp_id and prop.get("value") in wanted:
                    found[wanted[prop["value"]]] = event_id
        missing_activities(activity_ids, found)
        return found

    def summary(self, calendar_id: str, event_id: str) -> str | None:
        state = self.graph.state
        with state.lock:
            item = state.store.calendars[calendar_id].items.get(event_id)
            return None if item is None else item.fields.get("subject")

    def extra_rows(self) -> list[Row]:
        """The mail Graph would have sent over the whole benchmark: none is the target."""
        mails = self.graph.outbox
        kinds = Counter(mail.kind for mail in mails)
        detail = ", ".join(f"{kind} {count:,}" for kind, count in sorted(kinds.items()))
        return [
            Row(
                "mails sent (the emulator's outbox), whole benchmark",
                f"{len(mails):,}",
                f"= {MAILS_MAX}",
                len(mails) <= MAILS_MAX,
                detail or "outbox empty: no invitation, update or cancellation",
            )
        ]


@contextlib.contextmanager
def served_emulator() -> Iterator[GraphService]:
    """A fresh emulator served on 127.0.0.1; stopped afterwards."""
    graph = create_graph_emulator()
    try:
        with serve_in_thread(graph.app) as base_url:
            yield GraphService(graph, base_url)
    finally:
        graph.close()
