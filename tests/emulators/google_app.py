"""The emulator's HTTP surface: Google's OAuth endpoints, the Calendar API and batch.

Paths are Google's own (`/o/oauth2/v2/auth`, `/token`, `/revoke`,
`/calendar/v3/...`, `/batch/calendar/v3`), so the production client differs
from its tests only in base URLs. An outer ASGI layer counts every request
and serves injected faults before the routes see it.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Callable
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from tests.emulators.google_api import CalendarApi
from tests.emulators.google_batch import BatchRunner
from tests.emulators.google_errors import ApiError
from tests.emulators.google_faults import FaultQueue
from tests.emulators.google_http import JSON_TYPE, Call, Reply
from tests.emulators.google_oauth import OAuthError
from tests.emulators.google_state import GoogleState
from tests.emulators.requests import RequestLog

FIXED_ENDPOINTS = {
    "/o/oauth2/v2/auth": "oauth.authorize",
    "/authorize": "oauth.authorize",
    "/token": "oauth.token",
    "/revoke": "oauth.revoke",
    "/batch/calendar/v3": "batch",
}
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def build_app(
    state: GoogleState,
    api: CalendarApi,
    batch: BatchRunner,
    faults: FaultQueue,
    requests: RequestLog,
) -> ASGIApp:
    async def authorize(request: Request) -> Response:
        params = dict(request.query_params)
        user = params.get("login_hint") or state.default_user
        try:
            with state.lock:
                state.add_user(user)
                location = state.oauth.authorize(params, user)
        except OAuthError as error:
            return JSONResponse(error.body(), error.status)
        return RedirectResponse(location, 302)

    async def token(request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode("utf-8")))
        try:
            with state.lock:
                reply = state.oauth.token(form, _basic_credentials(request))
        except OAuthError as error:
            return JSONResponse(error.body(), error.status, headers=NO_STORE)
        return JSONResponse(reply, headers=NO_STORE)

    async def revoke(request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode("utf-8")))
        try:
            state.revoke(request.query_params.get("token") or form.get("token", ""))
        except OAuthError as error:
            return JSONResponse(error.body(), error.status)
        return Response(status_code=200)

    async def calendar(request: Request) -> Response:
        return _response(api.handle(await _call(request)))

    async def run_batch(request: Request) -> Response:
        try:
            return _response(batch.run(await _call(request)))
        except ApiError as error:
            return _response(Reply.error(error))

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    routes = [
        Route("/o/oauth2/v2/auth", authorize, methods=["GET"]),
        Route("/authorize", authorize, methods=["GET"]),
        Route("/token", token, methods=["POST"]),
        Route("/revoke", revoke, methods=["POST"]),
        Route("/batch/calendar/v3", run_batch, methods=["POST"]),
        Route("/calendar/v3/{rest:path}", calendar, methods=methods),
    ]

    def endpoint_of(method: str, path: str) -> str:
        return FIXED_ENDPOINTS.get(path) or api.endpoint_of(method, path)

    return FaultsAndCounts(Starlette(routes=routes), endpoint_of, faults, requests)


class FaultsAndCounts:
    """Counts each HTTP request, then serves the first matching injected fault, if any."""

    def __init__(
        self,
        app: ASGIApp,
        endpoint_of: Callable[[str, str], str],
        faults: FaultQueue,
        requests: RequestLog,
    ) -> None:
        self.app = app
        self.endpoint_of = endpoint_of
        self.faults = faults
        self.requests = requests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.requests.record(self.endpoint_of(scope["method"], scope["path"]))
        fault = self.faults.take(scope["path"])
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)
        if fault is not None and fault.drop:
            await _truncated_reply(send)
        elif fault is not None and fault.error is not None:
            await _response(Reply.error(fault.error))(scope, receive, send)
        else:
            await self.app(scope, receive, send)


async def _truncated_reply(send: Send) -> None:
    """Promise a body, send a fragment, stop: uvicorn then closes the connection mid-reply.

    ASGI cannot close a socket before the status line, so a connection that dies
    mid-response is the closest portable stand-in for a dropped connection
    (uvicorn logs "ASGI callable returned without completing response").
    """
    headers = [(b"content-type", JSON_TYPE.encode()), (b"content-length", b"4096")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b'{"kind": "calendar#', "more_body": True})


async def _call(request: Request) -> Call:
    return Call(
        method=request.method,
        path=request.scope["path"],
        query=tuple(request.query_params.multi_items()),
        headers=dict(request.headers),
        body=await request.body(),
        base_url=str(request.base_url).rstrip("/"),
    )


def _response(reply: Reply) -> Response:
    return Response(reply.body, reply.status, headers=reply.headers)


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    """Client id and secret from an HTTP Basic header, the alternative to form fields."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, _, secret = base64.b64decode(encoded).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return client_id, secret
