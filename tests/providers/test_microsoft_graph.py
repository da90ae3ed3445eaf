"""What only the Microsoft provider does, against the Graph emulator.

Consent with PKCE and rotated refresh tokens, delta rounds in small pages,
removals that only mean "left the window", links to foreign hosts,
`$batch` with throttled parts, stamps read in batches, writes that never
mail anyone, and subscriptions whose notifications `push.read_push` reads.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bridge.domain import Attendee
from bridge.providers import (
    ExternalEvent,
    GrantRevoked,
    ItemRejected,
    TemporaryFailure,
)
from bridge.providers.microsoft import SPEC
from bridge.providers.microsoft.cursor import DeltaCursor
from bridge.providers.microsoft.endpoints import MicrosoftEndpoints
from bridge.providers.microsoft.provider import MicrosoftCalendarProvider
from bridge.providers.oauth import OAuthTokens, authorization_url, exchange_code
from bridge.providers.spec import Notification, ValidationReply
from tests.emulators.microsoft import Fault, GraphEmulator
from tests.providers import microsoft_samples as samples
from tests.providers.microsoft_samples import ProviderFactory, draft, utc_body
from tests.servers import serve_in_thread

graph_endpoints, open_graph = samples.graph_endpoints, samples.open_graph

UTC = dt.UTC
WINDOW = (dt.datetime(2030, 1, 1, tzinfo=UTC), dt.datetime(2030, 3, 1, tzinfo=UTC))
HOUR = dt.timedelta(hours=1)
REDIRECT = "https://calbridge.example/oauth/microsoft/callback"


def at(month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2030, month, day, hour, tzinfo=UTC)


def by_summary(events: tuple[ExternalEvent, ...]) -> dict[str, ExternalEvent]:
    return {event.summary: event for event in events if event.status == "confirmed"}


# Consent and tokens


def test_consent_with_pkce_then_rotated_refresh_tokens_are_saved_at_once(
    graph: GraphEmulator,
    graph_endpoints: MicrosoftEndpoints,
    saved_tokens: list[OAuthTokens],
) -> None:
    app = graph_endpoints.oauth_app(graph.client_id, graph.client_secret)
    url, verifier = authorization_url(app, REDIRECT, "state-1")
    query = httpx.URL(url).params
    assert query["code_challenge_method"] == "S256"
    assert query["scope"] == "offline_access Calendars.ReadWrite User.Read"

    reply = httpx.get(url, follow_redirects=False)
    assert reply.status_code == 302
    back = httpx.URL(reply.headers["location"]).params
    assert back["state"] == "state-1"
    with pytest.raises(GrantRevoked):
        exchange_code(app, back["code"], "a-verifier-that-is-not-the-one" + "x" * 20, REDIRECT)
    reply = httpx.get(url, follow_redirects=False)
    code = httpx.URL(reply.headers["location"]).params["code"]
    tokens = exchange_code(app, code, verifier, REDIRECT)

    provider = MicrosoftCalendarProvider(
        client_id=graph.client_id,
        client_secret=graph.client_secret,
        tokens=tokens,
        on_tokens=saved_tokens.append,
        endpoints=graph_endpoints,
    )
    try:
        assert SPEC.connect.identify(provider, provider.list_calendars()) == graph.user  # type: ignore[union-attr]
        graph.state.clock.advance(3600)  # the access token runs out: a 401, then a refresh
        assert provider.list_calendars()
    finally:
        provider.close()

    assert len(saved_tokens) == 1
    assert saved_tokens[0].refresh_token not in ("", tokens.refresh_token)
    assert saved_tokens[0].access_token != tokens.access_token


def test_calendars_come_default_first_and_read_only_ones_are_not_writable(
    graph: GraphEmulator, open_graph: ProviderFactory
) -> None:
    shared = graph.state.add_calendar("Shared with me", can_edit=False)
    provider = open_graph()

    calendars = provider.list_calendars()

    assert calendars[0].id == graph.state.default_calendar() and calendars[0].primary
    assert {c.id: c.writable for c in calendars}[shared] is False
    with pytest.raises(ItemRejected):
        provider.create(shared, draft(1), "key-1")


# Listings


def test_delta_follows_next_links_in_small_pages_to_the_delta_link(
    graph: GraphEmulator, open_graph: ProviderFactory
) -> None:
    calendar = graph.state.default_calendar()
    for day in range(1, 8):
        graph.state.insert_event(calendar, utc_body(f"Day {day}", at(1, day), at(1, day) + HOUR))
    provider = open_graph(page_size=2)

    page = provider.list_changes(calendar, None, WINDOW)

    assert page.full_listing
    assert len(by_summary(page.events)) == 7
    assert graph.requests["delta"] == 4  # 2 + 2 + 2 + 1
    assert "deltatoken" in DeltaCursor.decode(page.cursor, calendar).delta_link.lower()
    again = provider.list_changes(calendar, page.cursor, WINDOW)
    assert (again.events, again.full_listing) == ((), False)


def test_owner_events_arrive_in_utc_with_text_bodies(
    graph: GraphEmulator, open_graph: ProviderFactory
) -> None:
    calendar = graph.state.default_calendar()
    body = {
        "subject": "Pacific",
        "body": {"contentType": "html", "content": "<p>About <b>it</b></p>"},
        "start": {"dateTime": "2030-01-07T09:00:00", "timeZone": "Pacific Standard Time"},
        "end": {"dateTime": "2030-01-07T10:00:00", "timeZone": "Pacific Standard Time"},
    }
    graph.state.insert_event(calendar, body)

    event = by_summary(open_graph().list_changes(calendar, None, WINDOW).events)["Pacific"]

    assert event.start == at(1, 7, 17)
    assert event.description == "About it"


def test_a_removal_that_only_left_the_window_is_reported_as_the_event(
    graph: GraphEmulator, open_graph: ProviderFactory
) -> None:
    calendar = graph.state.default_calendar()
    for day, name in ((10, "Moved away"), (11, "Deleted")):
        graph.state.insert_event(calendar, utc_body(name, at(1, day), at(1, day) + HOUR))
    provider = open_graph(window_margin=dt.timedelta(0))
    first = provider.list_changes(calendar, None, WINDOW)
    before = by_summary(first.events)
    later = dt.datetime(2030, 6, 3, 9, tzinfo=UTC)
    moved = utc_body("Moved away", later, later + HOUR)
    graph.state.patch_event(calendar, before["Moved away"].id, moved)
    graph.state.delete_event(calendar, before["Deleted"].id)

    page = provider.list_changes(calendar, first.cursor, WINDOW)

    assert not page.full_listing
    found = {event.id: event for event in page.events}
    assert found[before["Moved away"].id].status == "confirmed"
    assert found[before["Moved away"].id].start == later
    assert found[before["Deleted"].id].status == "cancelled"


def test_a_deleted_occurrence_is_named_by_its_original_start(
    graph: GraphEmulator, open_graph: ProviderFactory
) -> None:
    calendar = graph.state.default_calendar()
    recurrence = {
        "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday"]},
        "range": {"type": "numbered", "startDate": "2030-01-07", "numberOfOccurrences": 3},
    }
    series = graph.state.insert_event(
        calendar, utc_body("Weekly", at(1, 7), at(1, 7) + HOUR, recurrence=recurrence)
    )
    provider = open_graph()
    first = provider.list_changes(calendar, None, WINDOW)
    second = next(e for e in first.events if e.recurrence_id == "20300114T090000Z")

    graph.state.cancel_occurrence(calendar, series["id"], at(1, 14))
    page = provider.list_changes(calendar, first.cursor, WINDOW)

    assert [(e.id, e.recurrence_id, e.status) for e in page.events] == [
        (second.id, "20300114T090000Z", "cancelled")
    ]


def test_an_expired_delta_token_is_cursor_expired(
    graph: GraphEmulator, open_graph: ProviderFactory
) -> None:
    from bridge.providers import CursorExpired

    calendar = graph.state.default_calendar()
    provider = open_graph()
    cursor = provider.list_changes(calendar, None, WINDOW).cursor
    graph.inject(Fault.sync_state_not_found())

    with pytest.raises(CursorExpired):
        provider.list_changes(calendar, cursor, WINDOW)


def test_a_wider_window_starts_a_new_full_delta(
    graph: GraphEmulator, open_graph: ProviderFactory
) -> None:
    calendar = graph.state.default_calendar()
    provider = open_graph(window_margin=dt.timedelta(0))
    cursor = provider.list_changes(calendar, None, WINDOW).cursor

    page = provider.list_changes(calendar, cursor, (WINDOW[0], WINDOW[1] + HOUR))

    assert page.full_listing


class ForeignNextLinks:
    """Graph as a man in the middle would serve it: every nextLink names another host."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].endswith("/delta"):
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def rewrite(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = json.loads(b"".join(chunks))
            if "@odata.nextLink" in body:
                link = urlsplit(body["@odata.nextLink"])
                body["@odata.nextLink"] = f"https://graph.evil.example{link.path}?{link.query}"
            raw = json.dumps(body).encode()
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            await send({**start, "headers": [*headers, (b"content-length", b"%d" % len(raw))]})
            await send({"type": "http.response.body", "body": raw})

        await self.app(scope, receive, rewrite)


def test_a_next_link_to_another_host_is_refused(
    graph: GraphEmulator, open_graph: ProviderFactory
) -> None:
    calendar = graph.state.default_calendar()
    for day in range(1, 4):
        graph.state.insert_event(calendar, utc_body(f"Day {day}", at(1, day), at(1, day) + HOUR))
    with serve_in_thread(ForeignNextLinks(graph.app)) as url:
        provider = open_graph(
            endpoints=MicrosoftEndpoints(login_base=url, graph_base=url), page_size=2
        )
        with pytest.raises(TemporaryFailure, match="not the configured Graph host"):
            provider.list_changes(calendar, None, WINDOW)
    assert provider.requests_made == 1


def test_a_cursor_whose_delta_link_names_another_host_is_refused(
    graph: GraphEmulator, open_graph: ProviderFactory
) -> None:
    calendar = graph.state.default_calendar()
    link = "https://graph.evil.example/v1.0/me/calendarView/delta?$deltatoken=x"
    cursor = DeltaCursor(calendar, WINDOW, link).encode()
    provider = open_graph()

    with pytest.raises(TemporaryFailure):
        provider.list_changes(calendar, cursor, WINDOW)
    assert provider.requests_made == 0


# Stamps and $batch


def test_a_listing_reads_no_stamp_and_read_stamps_reads_them_in_batches_of_twenty(
    graph: GraphEmulator, open_graph: ProviderFactory
) -> None:
    """Delta returns no extended property: the engine asks for the stamps it needs."""
    calendar = graph.state.default_calendar()
    created = open_graph().create_many(calendar, {f"key-{n}": draft(n) for n in range(1, 26)})
    assert all(isinstance(result, ExternalEvent) for result in created.values())
    graph.state.insert_event(calendar, utc_body("Not ours", at(1, 27), at(1, 27) + HOUR))
    fresh = open_graph()  # knows no stamp yet
    graph.requests.reset()

    page = fresh.list_changes(calendar, None, WINDOW)
    assert fresh.lists_stamps is False
    assert all(e.activity_stamp is None for e in page.events)
    assert graph.requests["batch"] == 0

    stamps = fresh.read_stamps(calendar, [e.id for e in page.events])

    assert sorted(stamp or 0 for stamp in stamps.values()) == [0, *range(1, 26)]
    assert graph.requests["batch"] == 2  # 26 reads: 20 + 6
    assert graph.requests["events.get"] == 0
    assert graph.requests.batched["events.get"] == 26
    assert fresh.read_stamps(calendar, list(stamps)) == stamps  # known now: nothing read
    assert graph.requests["batch"] == 2


def test_a_throttled_batch_part_is_sent_again_after_its_retry_after(
    graph: GraphEmulator, open_graph: ProviderFactory, sleeps: list[float]
) -> None:
    calendar = graph.state.default_calendar()
    provider = open_graph()
    graph.inject(Fault.throttled(retry_after=2, path=r"/events$", method="POST"))

    results = provider.create_many(calendar, {f"key-{n}": draft(n) for n in (1, 2, 3)})

    assert {key: result.activity_stamp for key, result in results.items()} == {  # type: ignore[union-attr]
        "key-1": 1,
        "key-2": 2,
        "key-3": 3,
    }
    assert sleeps == [2.0]
    assert graph.requests["batch"] == 2
    assert len(graph.state.events(calendar)) == 3
    again = provider.create_many(calendar, {f"key-{n}": draft(n) for n in (1, 2, 3)})
    assert {k: r.id for k, r in again.items()} == {k: r.id for k, r in results.items()}  # type: ignore[union-attr]
    assert len(graph.state.events(calendar)) == 3


def test_a_refused_draft_fails_alone_in_a_batch(
    graph: GraphEmulator, open_graph: ProviderFactory
) -> None:
    calendar = graph.state.default_calendar()
    backwards = draft(2, end=at(1, 2, 8))  # ends before it starts

    results = open_graph().create_many(calendar, {"good": draft(1), "bad": backwards})

    assert isinstance(results["good"], ExternalEvent)
    assert isinstance(results["bad"], ItemRejected)


# No mail, ever


def test_writes_through_the_provider_send_no_mail(
    graph: GraphEmulator, open_graph: ProviderFactory
) -> None:
    calendar = graph.state.default_calendar()
    provider = open_graph()
    people = (Attendee("ann@example.com", "Ann"), Attendee("bob@example.com"))

    created = provider.create(calendar, draft(3, attendees=people), "key-3")
    updated = provider.update(
        calendar, created.id, draft(3, summary="Moved", attendees=people[:1]), created.etag
    )
    stored = graph.state.events(calendar)[created.id]
    provider.delete(calendar, created.id, updated.etag)
    provider.create_many(calendar, {"key-4": draft(4, attendees=people)})

    assert not stored.get("attendees")
    assert "Ann <ann@example.com>" in html.unescape(stored["body"]["content"])
    assert {a.email for a in created.attendees} == {"ann@example.com", "bob@example.com"}
    assert [a.email for a in updated.attendees] == ["ann@example.com"]
    assert graph.outbox == []


def test_a_meeting_is_neither_changed_nor_deleted(
    graph: GraphEmulator, open_graph: ProviderFactory
) -> None:
    calendar = graph.state.default_calendar()
    invitees = [{"emailAddress": {"address": "bob@example.com"}, "type": "required"}]
    graph.state.insert_event(
        calendar, utc_body("Meeting", at(1, 9), at(1, 9) + HOUR, attendees=invitees)
    )
    provider = open_graph()
    meeting = by_summary(provider.list_changes(calendar, None, WINDOW).events)["Meeting"]

    with pytest.raises(ItemRejected, match="meeting with attendees: change it in Outlook"):
        provider.update(calendar, meeting.id, draft(9), meeting.etag)
    with pytest.raises(ItemRejected, match="meeting with attendees"):
        provider.delete(calendar, meeting.id, meeting.etag)
    with pytest.raises(ItemRejected, match="meeting with attendees"):
        provider.delete(calendar, meeting.id, None)

    assert graph.state.events(calendar)[meeting.id]["subject"] == "Meeting"
    assert graph.outbox == []
    assert graph.requests["events.update"] == graph.requests["events.delete"] == 0


# Push


class Webhook:
    """A webhook reading Graph's messages through the spec's push door, as `/webhooks` does."""

    def __init__(self) -> None:
        self.notifications: list[Notification] = []

    async def handle(self, request: Request) -> Response:
        door = SPEC.push
        assert door is not None
        read = door.read(request.headers, request.query_params, await request.body())
        if isinstance(read, ValidationReply):
            return PlainTextResponse(read.token)
        self.notifications += read
        return Response(status_code=door.accepted)


@pytest.fixture
def webhook() -> Iterator[tuple[str, Webhook]]:
    door = Webhook()
    app = Starlette(routes=[Route("/webhooks/microsoft", door.handle, methods=["POST"])])
    with serve_in_thread(app) as url:
        yield f"{url}/webhooks/microsoft", door


def test_a_subscription_notifies_the_channel_with_its_token(
    graph: GraphEmulator, open_graph: ProviderFactory, webhook: tuple[str, Webhook]
) -> None:
    address, door = webhook
    calendar = graph.state.default_calendar()
    provider = open_graph()
    asked = dt.datetime.now(UTC)

    channel = provider.watch(calendar, address, "channel-1-abc", "secret-token", dt.timedelta(30))

    assert channel.channel_id == "channel-1-abc"
    subscription = graph.state.subscriptions[channel.resource_id]
    assert subscription.client_state == "secret-token"
    assert subscription.change_types == ("created", "updated", "deleted")
    assert asked < channel.expires_at <= asked + dt.timedelta(minutes=10080)

    graph.state.insert_event(calendar, utc_body("New", at(1, 9), at(1, 9) + HOUR))
    assert graph.state.wait_idle()

    assert door.notifications
    assert {(n.channel_id, n.token, n.resource_id, n.changed) for n in door.notifications} == {
        ("channel-1-abc", "secret-token", channel.resource_id, True)
    }

    provider.stop_watch(channel.channel_id, channel.resource_id)
    assert channel.resource_id not in graph.state.subscriptions
    provider.stop_watch(channel.channel_id, channel.resource_id)  # gone is stopped
