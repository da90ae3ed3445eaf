"""Graph resources and drafts shared by the Microsoft provider tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bridge.providers import EventDraft
from bridge.providers.http import RetryPolicy
from bridge.providers.microsoft.endpoints import SCOPES, MicrosoftEndpoints
from bridge.providers.microsoft.events import STAMP_PROPERTY
from bridge.providers.microsoft.provider import MicrosoftCalendarProvider
from bridge.providers.oauth import OAuthTokens
from tests.emulators.microsoft import GraphEmulator


def resource(event_id: str = "AAMkAGevent1", **fields: Any) -> dict[str, Any]:
    """A timed single event as Graph returns it with UTC and text preferences."""
    base: dict[str, Any] = {
        "id": event_id,
        "@odata.etag": 'W/"DwAAABYAAAA1"',
        "iCalUId": "040000008200E00074C5B7101A82E008",
        "type": "singleInstance",
        "subject": "Call",
        "body": {"contentType": "text", "content": "Bring the prices"},
        "location": {"displayName": "Room 1"},
        "start": {"dateTime": "2030-01-07T09:00:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": "2030-01-07T10:00:00.0000000", "timeZone": "UTC"},
        "isAllDay": False,
        "isCancelled": False,
        "sensitivity": "normal",
        "showAs": "busy",
        "attendees": [],
        "lastModifiedDateTime": "2030-01-02T08:30:15.1234567Z",
    }
    return base | fields


def stamped(stamp: int) -> dict[str, Any]:
    return {"singleValueExtendedProperties": [{"id": STAMP_PROPERTY, "value": str(stamp)}]}


def draft(stamp: int = 1, **fields: Any) -> EventDraft:
    """A one-hour draft stamped `stamp`, at 09:00 UTC on January `stamp`, 2030."""
    start = dt.datetime(2030, 1, stamp, 9, tzinfo=dt.UTC)
    values: dict[str, Any] = {
        "uid": f"activity-{stamp}@calbridge",
        "summary": f"Activity {stamp}",
        "description": "Call about the renewal",
        "location": "Room 1",
        "start": start,
        "end": start + dt.timedelta(hours=1),
        "all_day": False,
        "private": False,
        "busy": True,
        "attendees": (),
        "activity_stamp": stamp,
        **fields,
    }
    return EventDraft(**values)


# The Graph emulator on a real socket, and providers bound to it.

ProviderFactory = Callable[..., MicrosoftCalendarProvider]


def issued_tokens(graph: GraphEmulator) -> OAuthTokens:
    """Tokens for the signed-in user, as if the consent flow had run."""
    reply = graph.state.issue_tokens(scopes=SCOPES, client_id=graph.client_id)
    expires_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=reply["expires_in"])
    return OAuthTokens(reply["access_token"], reply["refresh_token"], expires_at)


@pytest.fixture
def graph_endpoints(graph: GraphEmulator, graph_url: str) -> MicrosoftEndpoints:
    return MicrosoftEndpoints(login_base=graph_url, tenant="common", graph_base=graph_url)


@pytest.fixture
def open_graph(
    graph: GraphEmulator,
    graph_endpoints: MicrosoftEndpoints,
    sleeps: list[float],
    saved_tokens: list[OAuthTokens],
) -> Iterator[ProviderFactory]:
    """Make a provider for the signed-in user; keyword arguments override the constructor's."""
    made: list[MicrosoftCalendarProvider] = []

    def make(**overrides: Any) -> MicrosoftCalendarProvider:
        arguments: dict[str, Any] = {
            "client_id": graph.client_id,
            "client_secret": graph.client_secret,
            "tokens": issued_tokens(graph),
            "on_tokens": saved_tokens.append,
            "endpoints": graph_endpoints,
            "retry": RetryPolicy(sleep=sleeps.append, jitter=lambda: 0.5),
            **overrides,
        }
        made.append(MicrosoftCalendarProvider(**arguments))
        return made[-1]

    yield make
    for provider in made:
        provider.close()


def utc_body(summary: str, start: dt.datetime, end: dt.datetime, **extra: Any) -> dict[str, Any]:
    """An event body in UTC, as another client would send it."""
    return {
        "subject": summary,
        "start": {"dateTime": start.strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"},
        "end": {"dateTime": end.strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"},
        **extra,
    }
