"""The Microsoft provider's parts that need no server: cursor, errors, links, push, spec."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
import pytest

from bridge.domain import ProviderKind
from bridge.providers import (
    AuthExpired,
    CursorExpired,
    GrantRevoked,
    ItemRejected,
    NotFound,
    PreconditionFailed,
    RateLimited,
    TemporaryFailure,
)
from bridge.providers.http import RetryPolicy
from bridge.providers.microsoft import SPEC
from bridge.providers.microsoft.api import GraphApi, prefer
from bridge.providers.microsoft.batch import BatchCall, Batcher
from bridge.providers.microsoft.cursor import DeltaCursor
from bridge.providers.microsoft.endpoints import SCOPES
from bridge.providers.microsoft.errors import error_for
from bridge.providers.microsoft.push import notification_url, read_push
from bridge.providers.spec import Notification, ValidationReply

UTC = dt.UTC
WINDOW = (dt.datetime(2030, 1, 1, tzinfo=UTC), dt.datetime(2030, 3, 1, tzinfo=UTC))
LINK = "https://graph.microsoft.com/v1.0/me/calendars/c1/calendarView/delta?$deltatoken=abc"


# The cursor


def test_a_cursor_keeps_the_whole_delta_link_and_its_window() -> None:
    cursor = DeltaCursor("c1", WINDOW, LINK, {"x": "20300107T090000Z"})

    decoded = DeltaCursor.decode(cursor.encode(), "c1")

    assert decoded == cursor
    assert decoded.delta_link == LINK
    assert cursor.encode().startswith("microsoft1:")


def test_a_cursor_covers_only_windows_inside_its_own() -> None:
    cursor = DeltaCursor("c1", WINDOW, LINK)
    later = (WINDOW[0] + dt.timedelta(days=1), WINDOW[1])

    assert cursor.covers(WINDOW) and cursor.covers(later)
    assert not cursor.covers((WINDOW[0], WINDOW[1] + dt.timedelta(days=1)))
    assert not cursor.covers((WINDOW[0] - dt.timedelta(days=1), WINDOW[1]))


@pytest.mark.parametrize("text", ["google1:abc", "microsoft1:%%%", "microsoft1:e30="])
def test_a_foreign_or_damaged_cursor_is_expired(text: str) -> None:
    with pytest.raises(CursorExpired):
        DeltaCursor.decode(text, "c1")


def test_a_cursor_of_another_calendar_is_expired() -> None:
    with pytest.raises(CursorExpired):
        DeltaCursor.decode(DeltaCursor("c1", WINDOW, LINK).encode(), "c2")


# Errors


def reply(status: int, code: str = "", **headers: str) -> httpx.Response:
    body = {"error": {"code": code, "message": "m"}} if code else {}
    return httpx.Response(status, json=body, headers=headers)


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (reply(403, "ErrorAccessDenied"), ItemRejected),
        (reply(404, "ErrorItemNotFound"), NotFound),
        (reply(400, "ErrorItemNotFound"), NotFound),
        (reply(410, "SyncStateNotFound"), CursorExpired),
        (reply(400, "fullSyncRequired"), CursorExpired),
        (reply(412, "ErrorIrreparableConflict"), PreconditionFailed),
        (reply(409, "ErrorIrresolvableConflict"), PreconditionFailed),
        (reply(401, "InvalidAuthenticationToken"), AuthExpired),
        (reply(403, "Authorization_RequestDenied"), GrantRevoked),
        (reply(400, "ErrorInvalidRequest"), ItemRejected),
        (reply(500), TemporaryFailure),
        (reply(504), TemporaryFailure),
    ],
)
def test_graph_errors_become_contract_errors(response: httpx.Response, expected: type) -> None:
    assert type(error_for(response)) is expected


def test_a_410_on_a_delta_link_is_an_expired_cursor_and_elsewhere_gone() -> None:
    assert isinstance(error_for(reply(410), delta=True), CursorExpired)
    assert isinstance(error_for(reply(410)), NotFound)


@pytest.mark.parametrize("status", [429, 503])
def test_throttling_carries_retry_after(status: int) -> None:
    error = error_for(reply(status, "TooManyRequests", **{"Retry-After": "7"}))

    assert isinstance(error, RateLimited)
    assert error.retry_after == 7


# Requests


def test_every_request_prefers_immutable_ids_text_bodies_and_utc() -> None:
    assert (
        prefer() == 'IdType="ImmutableId", outlook.body-content-type="text", outlook.timezone="UTC"'
    )
    assert prefer(5).endswith(", odata.maxpagesize=5")


def test_a_link_to_another_host_is_refused_before_sending() -> None:
    api = GraphApi(
        None, RetryPolicy(), "https://graph.microsoft.com/v1.0", ("https", "graph.microsoft.com")
    )  # type: ignore[arg-type]

    assert api.checked(LINK) == LINK
    for foreign in (
        "https://evil.example/v1.0/me/events?$skiptoken=x",
        "http://graph.microsoft.com/v1.0/me/events",
        "https://graph.microsoft.com.evil.example/v1.0/me",
    ):
        with pytest.raises(TemporaryFailure, match="not the configured Graph host"):
            api.call("GET", foreign)


# $batch, against a scripted Graph


class ScriptedBatchApi:
    """Answers each $batch POST with the next scripted statuses, by sub-request id."""

    def __init__(self, rounds: list[dict[str, tuple[int, dict[str, str]]]]) -> None:
        self.rounds = rounds
        self.bodies: list[dict[str, Any]] = []

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        assert (method, path) == ("POST", "/$batch")
        body = kwargs["json"]
        self.bodies.append(body)
        script = self.rounds[len(self.bodies) - 1]
        responses = []
        for request in body["requests"]:
            status, headers = script[request["url"]]
            payload = {"id": request["url"]} if status < 300 else {"error": {"code": "x"}}
            responses.append(
                {"id": request["id"], "status": status, "headers": headers, "body": payload}
            )
        return httpx.Response(200, json={"responses": list(reversed(responses))})


def test_a_throttled_part_is_sent_again_alone_after_its_retry_after() -> None:
    ok: tuple[int, dict[str, str]] = (200, {})
    api = ScriptedBatchApi(
        [
            {"/a": ok, "/b": (429, {"Retry-After": "3"}), "/c": (400, {})},
            {"/b": ok},
        ]
    )
    waits: list[float] = []
    batcher = Batcher(api, RetryPolicy(sleep=waits.append), lambda: None)  # type: ignore[arg-type]

    replies = batcher.send([BatchCall("GET", "/a"), BatchCall("GET", "/b"), BatchCall("GET", "/c")])

    assert [r.status_code for r in replies] == [200, 200, 400]
    assert replies[1].json() == {"id": "/b"}
    assert waits == [3.0]
    assert [[r["url"] for r in body["requests"]] for body in api.bodies] == [
        ["/a", "/b", "/c"],
        ["/b"],
    ]
    assert all(r["headers"]["Prefer"] == prefer() for r in api.bodies[0]["requests"])


def test_a_batch_holds_at_most_twenty_calls() -> None:
    urls = [f"/e{n}" for n in range(45)]
    api = ScriptedBatchApi([dict.fromkeys(urls, (200, {}))] * 3)
    batcher = Batcher(api, RetryPolicy(), lambda: None)  # type: ignore[arg-type]

    replies = batcher.send([BatchCall("GET", url) for url in urls])

    assert [r.json()["id"] for r in replies] == urls
    assert [len(body["requests"]) for body in api.bodies] == [20, 20, 5]


# Push


def test_the_channel_travels_in_the_notification_urls_query() -> None:
    assert notification_url("https://cb.example/webhooks/microsoft", "ch-1") == (
        "https://cb.example/webhooks/microsoft?channel=ch-1"
    )
    assert notification_url("https://cb.example/hook?a=1", "ch-1").endswith("?a=1&channel=ch-1")


def test_a_validation_request_is_echoed() -> None:
    assert read_push({}, {"validationToken": "Validation: token"}, b"") == ValidationReply(
        "Validation: token"
    )


def test_notifications_name_the_channel_token_and_subscription() -> None:
    body = {
        "value": [
            {
                "subscriptionId": "sub-1",
                "clientState": "secret",
                "changeType": "updated",
                "resource": "Users/u/Events/e",
            },
            {"subscriptionId": "sub-1", "clientState": "secret", "lifecycleEvent": "missed"},
            {
                "subscriptionId": "sub-1",
                "clientState": "secret",
                "lifecycleEvent": "reauthorizationRequired",
            },
            {
                "subscriptionId": "sub-1",
                "clientState": "secret",
                "lifecycleEvent": "subscriptionRemoved",
            },
        ]
    }

    found = SPEC.push.read({}, {"channel": "ch-1"}, json.dumps(body).encode())  # type: ignore[union-attr]

    assert isinstance(found, list)
    assert [(n.channel_id, n.token, n.resource_id) for n in found] == [
        ("ch-1", "secret", "sub-1")
    ] * 4
    assert [(n.changed, n.replace_channel) for n in found] == [
        (True, False),
        (True, False),
        (False, True),
        (True, True),
    ]
    assert SPEC.push.accepted == 202  # type: ignore[union-attr]
    assert all(isinstance(n, Notification) for n in found)


def test_a_body_that_is_no_notification_yields_none() -> None:
    assert read_push({}, {"channel": "c"}, b"not json") == []
    assert read_push({}, {"channel": "c"}, b'{"value": 3}') == []


# The spec


def test_the_spec_declares_the_oauth_app_and_loads_lazily() -> None:
    settings = SPEC.settings()(client_id="id", client_secret="s", tenant="organizations")
    app = SPEC.connect.app(settings)  # type: ignore[union-attr]

    assert SPEC.kind is ProviderKind.MICROSOFT and SPEC.label == "Microsoft"
    assert app.authorize_url == (
        "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize"
    )
    assert app.token_url == "https://login.microsoftonline.com/organizations/oauth2/v2.0/token"
    assert " ".join(app.scopes) == "offline_access Calendars.ReadWrite User.Read"
    assert app.scopes == SCOPES
    assert SPEC.connect.app(SPEC.settings()()) is None  # type: ignore[union-attr]
    assert "client_secret" not in repr(settings)
