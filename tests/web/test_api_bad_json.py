"""The JSON API's door: unreadable credentials and bodies are a clear 4xx, nothing stored."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import sqlalchemy as sa

from bridge.store import users
from tests.web.api_client import ACCOUNTS

AUTH = ("dave", "dave-pw")
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def client(live_server: str, engine: sa.Engine) -> Iterator[httpx.Client]:
    with engine.begin() as conn:
        users.create_user(conn, "dave", "dave-pw")
    with httpx.Client(base_url=live_server, auth=AUTH, trust_env=False, timeout=60) as http:
        yield http


def _accounts(client: httpx.Client) -> list[object]:
    answer = client.get(ACCOUNTS)
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.mark.parametrize("authorization", ["Basic", "Basic !!!", "Basic ZGVtbw==", "Basic ZGVtbw"])
def test_unreadable_basic_credentials_are_asked_again(
    client: httpx.Client, authorization: str
) -> None:
    answer = httpx.post(
        f"{client.base_url}{ACCOUNTS}",
        json={"provider": "caldav"},
        headers={"Authorization": authorization},
        trust_env=False,
    )
    assert answer.status_code == 401, answer.text
    assert answer.headers["WWW-Authenticate"] == 'Basic realm="CalBridge"'
    assert "error" in answer.json()
    assert _accounts(client) == []


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"provider": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"provider": "caldav", "settings": ' + '{"a": ' * 50_000 + "1" + "}" * 50_001,
    ],
    ids=["array", "object member", "settings"],
)
def test_deeply_nested_json_is_400(client: httpx.Client, body: str) -> None:
    answer = client.post(ACCOUNTS, content=body, headers=JSON)
    assert answer.status_code == 400, answer.text
    assert answer.json() == {"error": "the body's JSON is nested too deeply"}
    assert _accounts(client) == []
