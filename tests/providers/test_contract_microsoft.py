"""The provider contract, run against the Microsoft provider and the Graph emulator.

The emulator's state hooks play the mailbox owner (Outlook) and Microsoft
itself. Full listings reach `window_margin` past the window (the provider
documents it), so the world declares that margin to the contract.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping

import pytest

from bridge.providers import ExternalEvent
from bridge.providers.microsoft.provider import MicrosoftCalendarProvider
from bridge.providers.oauth import OAuthTokens
from tests.emulators.microsoft import Fault, GraphEmulator
from tests.emulators.microsoft.store import occurrence_id
from tests.providers import microsoft_samples as samples
from tests.providers.contract import HOUR, OutsideWorld, ProviderContract
from tests.providers.microsoft_samples import ProviderFactory, issued_tokens, utc_body

graph_endpoints, open_graph = samples.graph_endpoints, samples.open_graph

MARGIN = dt.timedelta(days=7)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class MicrosoftWorld(OutsideWorld):
    def __init__(
        self, graph: GraphEmulator, provider: MicrosoftCalendarProvider, tokens: OAuthTokens
    ) -> None:
        self.graph = graph
        self.provider = provider
        self.calendar_id = graph.state.default_calendar()
        self.listing_margin = MARGIN
        self.tokens = tokens

    def insert(self, summary: str, start: dt.datetime, end: dt.datetime) -> None:
        self.graph.state.insert_event(self.calendar_id, utc_body(summary, start, end))

    def edit(self, event: ExternalEvent, summary: str) -> None:
        self.graph.state.patch_event(self.calendar_id, event.id, {"subject": summary})

    def remove(self, event: ExternalEvent) -> None:
        self.graph.state.delete_event(self.calendar_id, event.id)

    def insert_weekly(
        self,
        summary: str,
        first: dt.datetime,
        count: int,
        renamed: Mapping[dt.datetime, str],
        cancelled: Collection[dt.datetime],
    ) -> None:
        recurrence = {
            "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": [WEEKDAYS[first.weekday()]]},
            "range": {
                "type": "numbered",
                "startDate": first.date().isoformat(),
                "numberOfOccurrences": count,
            },
        }
        body = utc_body(summary, first, first + HOUR, recurrence=recurrence)
        series_id = self.graph.state.insert_event(self.calendar_id, body)["id"]
        for start, name in renamed.items():
            instance = occurrence_id(series_id, start)
            self.graph.state.patch_event(self.calendar_id, instance, {"subject": name})
        for start in cancelled:
            self.graph.state.cancel_occurrence(self.calendar_id, series_id, start)

    def expire_cursors(self) -> None:
        self.graph.state.expire_delta_tokens()

    def revoke_grant(self) -> None:
        self.graph.state.revoke(self.tokens.refresh_token)
        self.graph.state.clock.advance(3600)  # issued access tokens end too

    def rate_limit(self, retry_after: int) -> None:
        self.graph.inject(Fault.throttled(retry_after=retry_after))


class TestMicrosoftProvider(ProviderContract):
    @pytest.fixture
    def world(self, graph: GraphEmulator, open_graph: ProviderFactory) -> OutsideWorld:
        graph.state.add_calendar("Team")
        tokens = issued_tokens(graph)
        return MicrosoftWorld(graph, open_graph(tokens=tokens, window_margin=MARGIN), tokens)
