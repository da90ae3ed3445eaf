"""Fixtures for driving the Microsoft Graph emulator over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from tests.emulators.microsoft import GraphEmulator
from tests.servers import serve_in_thread


@pytest.fixture
def base_url(graph_url: str) -> str:
    """The emulator's base URL: login base and Graph base at once (`graph` from sync_fixtures)."""
    return graph_url


@pytest.fixture
def api(graph: GraphEmulator, base_url: str) -> Iterator[httpx.Client]:
    """A client for /v1.0 holding a valid access token of the default user."""
    token = graph.state.issue_tokens()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=f"{base_url}/v1.0", headers=headers, timeout=15) as client:
        yield client


class Receiver:
    """A webhook endpoint: answers validation handshakes, keeps every notification body."""

    def __init__(self) -> None:
        self.validations: list[str] = []
        self.notifications: list[dict] = []
        self.echo_validation = True

    async def handle(self, request: Request) -> Response:
        token = request.query_params.get("validationToken")
        if token is not None:
            self.validations.append(token)
            if not self.echo_validation:
                return Response(status_code=500)
            return PlainTextResponse(token)
        self.notifications.append(await request.json())
        return Response(status_code=202)


@pytest.fixture
def receiver() -> Iterator[tuple[str, Receiver]]:
    hook = Receiver()
    app = Starlette(routes=[Route("/hook", hook.handle, methods=["POST"])])
    with serve_in_thread(app) as url:
        yield f"{url}/hook", hook
