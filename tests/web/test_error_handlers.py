"""The app answers a user's mistake with its class's status, and a bug with 500 and an error id.

The whole app on a real socket, with a few routes added that raise: the
handlers are the app's own, registered once for every route.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest
import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bridge.config import Settings
from bridge.errors import Conflict, NotFoundError, TooManyRequests
from bridge.web.app import create_app
from tests.servers import serve_in_thread


class Bug(RuntimeError):
    """What a mistake in the code raises: nothing the user can fix."""


async def _bug(_request: Request) -> Response:
    raise Bug("the secret detail a caller must not see")


async def _conflict(_request: Request) -> Response:
    raise Conflict("account 7 is paused: start it first")


async def _missing(_request: Request) -> Response:
    raise NotFoundError("no such thing")


async def _throttled(_request: Request) -> Response:
    raise TooManyRequests("slow down", retry_after=7)


@pytest.fixture
def client(engine: sa.Engine, secret_key: str) -> Iterator[httpx.Client]:
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False), secret_key=secret_key
    )
    app = create_app(settings)
    app.router.routes[:0] = [
        Route("/api/v1/test/bug", _bug),
        Route("/api/v1/test/conflict", _conflict),
        Route("/api/v1/test/throttled", _throttled),
        Route("/test/bug", _bug),
        Route("/test/missing", _missing),
    ]
    with serve_in_thread(app) as base_url, httpx.Client(base_url=base_url, trust_env=False) as c:
        yield c


def test_a_bug_under_the_api_is_a_json_500_with_the_id_of_its_log_line(
    client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="bridge.web.errors"):
        response = client.get("/api/v1/test/bug")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    error_id = body["error_id"]
    assert len(error_id) == 8
    assert body == {
        "error": f"internal error {error_id}: the server log has the details",
        "error_id": error_id,
    }
    assert "secret detail" not in response.text
    (record,) = [r for r in caplog.records if r.name == "bridge.web.errors"]
    assert error_id in record.getMessage()
    assert "GET /api/v1/test/bug" in record.getMessage()
    assert record.exc_info is not None
    assert record.exc_info[0] is Bug


def test_every_bug_has_its_own_id(client: httpx.Client) -> None:
    ids = {client.get("/api/v1/test/bug").json()["error_id"] for _ in range(3)}
    assert len(ids) == 3


def test_a_bug_elsewhere_is_a_plain_text_500_with_the_id(
    client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="bridge.web.errors"):
        response = client.get("/test/bug")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/plain")
    (record,) = [r for r in caplog.records if r.name == "bridge.web.errors"]
    error_id = record.args[-1]  # type: ignore[index]
    assert response.text == f"internal error {error_id}: the server log has the details\n"


def test_a_user_error_under_the_api_answers_its_status_as_json(client: httpx.Client) -> None:
    response = client.get("/api/v1/test/conflict")
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"error": "account 7 is paused: start it first"}


def test_a_user_error_keeps_its_headers(client: httpx.Client) -> None:
    response = client.get("/api/v1/test/throttled")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"
    assert response.json() == {"error": "slow down"}


def test_a_user_error_elsewhere_is_plain_text(client: httpx.Client) -> None:
    response = client.get("/test/missing")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == "no such thing\n"


def test_the_api_still_refuses_a_stranger_with_a_challenge(client: httpx.Client) -> None:
    response = client.get("/api/v1/app-passwords")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Basic realm="CalBridge"'
    assert response.json() == {"error": "sign in with your CalBridge user name and password"}


def test_caldav_answers_as_before(client: httpx.Client) -> None:
    response = client.request("PROPFIND", "/dav/", headers={"Depth": "0"})
    assert response.status_code == 401
    assert not response.headers.get("content-type", "").startswith("application/json")
