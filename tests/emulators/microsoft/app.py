"""The emulator's HTTP surface: identity platform endpoints and Graph v1.0 on one app.

Paths are Microsoft's own (`/{tenant}/oauth2/v2.0/authorize|token`,
`/v1.0/...`, `/v1.0/$batch`), so a production client differs from its tests
only in its two base URLs (login and Graph), both pointing here. An outer
ASGI layer counts every request and serves injected faults first; Graph
handlers run in a worker thread because subscription validation blocks.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Callable
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from tests.emulators.microsoft.api import GraphApi
from tests.emulators.microsoft.batch import BatchRunner
from tests.emulators.microsoft.faults import FaultQueue
from tests.emulators.microsoft.http import JSON_TYPE, Call, Reply
from tests.emulators.microsoft.oauth import OAuthError
from tests.emulators.microsoft.state import GraphState
from tests.emulators.requests import RequestLog

NO_STORE = {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"}


def build_app(
    state: GraphState,
    api: GraphApi,
    batch: BatchRunner,
    faults: FaultQueue,
    requests: RequestLog,
) -> ASGIApp:
    async def authorize(request: Request) -> Response:
        params = dict(request.query_params)
        try:
            with state.lock:
                hint = params.get("login_hint", "")
                user = hint if hint.lower() in state.store.users else state.current_user
                location = state.oauth.authorize(request.path_params["tenant"], params, user)
        except OAuthError as error:
            return JSONResponse(error.body(state.clock.now()), error.status)
        return RedirectResponse(location, 302)

    async def token(request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode("utf-8")))
        try:
            with state.lock:
                reply = state.oauth.token(
                    request.path_params["tenant"], form, _basic_credentials(request)
                )
        except OAuthError as error:
            return JSONResponse(error.body(state.clock.now()), error.status, headers=NO_STORE)
        return JSONResponse(reply, headers=NO_STORE)

    async def graph(request: Request) -> Response:
        call = await _call(request)
        return _response(await run_in_threadpool(api.handle, call))

    async def run_batch(request: Request) -> Response:
        call = await _call(request)
        return _response(await run_in_threadpool(batch.run, call))

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    routes = [
        Route("/{tenant}/oauth2/v2.0/authorize", authorize, methods=["GET"]),
        Route("/{tenant}/oauth2/v2.0/token", token, methods=["POST"]),
        Route("/v1.0/$batch", run_batch, methods=["POST"]),
        Route("/v1.0/{rest:path}", graph, methods=methods),
    ]

    def endpoint_of(method: str, path: str) -> str:
        if path.endswith("/oauth2/v2.0/authorize"):
            return "oauth.authorize"
        if path.endswith("/oauth2/v2.0/token"):
            return "oauth.token"
        if path == "/v1.0/$batch":
            return "batch"
        return api.endpoint_of(method, path.removeprefix("/v1.0"))

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
        method, path = scope["method"], scope["path"]
        self.requests.record(self.endpoint_of(method, path))
        fault = self.faults.take(method, path)
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)
        if fault is not None and fault.drop:
            await _truncated_reply(send)
        elif fault is not None and fault.oauth_error is not None:
            status, body = fault.oauth_error
            await JSONResponse(body, status, headers=NO_STORE)(scope, receive, send)
        elif fault is not None and fault.error is not None:
            await _response(Reply.error(fault.error))(scope, receive, send)
        else:
            await self.app(scope, receive, send)


async def _truncated_reply(send: Send) -> None:
    """Promise a body, send a fragment, stop: uvicorn then closes the connection mid-reply."""
    headers = [(b"content-type", JSON_TYPE.encode()), (b"content-length", b"4096")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b'{"@odata.context": "', "more_body": True})


async def _call(request: Request) -> Call:
    headers: dict[str, str] = {}
    for key, value in request.headers.items():
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    body = await request.body()
    return Call(
        method=request.method,
        path=request.scope["path"].removeprefix("/v1.0"),
        query=tuple(request.query_params.multi_items()),
        headers=headers,
        body=body or None,
        base_url=str(request.base_url).rstrip("/"),
    )


def _response(reply: Reply) -> Response:
    return Response(reply.encoded(), reply.status, headers=reply.headers)


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, _, secret = base64.b64decode(encoded).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return client_id, secret
