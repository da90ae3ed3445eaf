"""The web app's answers to exceptions, installed once in `bridge.web.app`.

A `bridge.errors.UserError` is answered with its class's status and its
message, shaped for where it happened: `{"error": message}` under the JSON
API (and the OAuth callbacks it starts), plain text elsewhere. Anything else
is a bug: it is answered 500 with a short random error id and logged once
with its traceback and the same id, so a user's report ("error 3f9c20ab")
finds the log line.

User errors go through Starlette's exception handlers. Bugs go through a
middleware instead: Starlette hands a handler for `Exception` to its
outermost middleware, which answers and then raises the exception again, so
the server logs it a second time and drops the connection (a client's next
request on it fails). The middleware answers and is done.

How an answer looks is a `Renderer`, picked by path prefix: HTML pages, when
there are some, add their own renderer without touching the handlers.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bridge.errors import UserError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refusal:
    """What an answer says: the status, a message a person can act on, headers, a bug's id."""

    status: int
    message: str
    headers: Mapping[str, str] = field(default_factory=dict)
    error_id: str | None = None


Renderer = Callable[[Request, Refusal], Response]


def json_answer(_request: Request, refusal: Refusal) -> Response:
    """`{"error": message}`, and `"error_id"` for a bug: the API's one shape of failure."""
    body: dict[str, str] = {"error": refusal.message}
    if refusal.error_id is not None:
        body["error_id"] = refusal.error_id
    return JSONResponse(body, status_code=refusal.status, headers=dict(refusal.headers))


def text_answer(_request: Request, refusal: Refusal) -> Response:
    """The message as one line of plain text."""
    return PlainTextResponse(
        f"{refusal.message}\n", status_code=refusal.status, headers=dict(refusal.headers)
    )


JSON_PATHS: tuple[tuple[str, Renderer], ...] = (("/api/", json_answer), ("/oauth/", json_answer))
"""The JSON API and the OAuth callbacks the API's connect calls send browsers to."""


@dataclass(frozen=True)
class ErrorAnswers:
    """The exception handlers, answering with the renderer of the first matching path prefix."""

    renderers: Sequence[tuple[str, Renderer]] = JSON_PATHS
    default: Renderer = text_answer

    def handlers(self) -> dict[Any, Callable[[Request, Exception], Any]]:
        """For `Starlette(exception_handlers=...)`: every `UserError`, by its class."""
        return {UserError: self.user_error}

    def middleware(self) -> Middleware:
        """For the first of `Starlette(middleware=...)`: every bug, wherever it is raised."""
        return Middleware(AnsweringBugs, answers=self)

    def render(self, request: Request, refusal: Refusal) -> Response:
        path = request.url.path
        for prefix, renderer in self.renderers:
            if path.startswith(prefix):
                return renderer(request, refusal)
        return self.default(request, refusal)

    async def user_error(self, request: Request, error: Exception) -> Response:
        assert isinstance(error, UserError)
        refusal = Refusal(error.http_status, str(error), error.headers)
        return self.render(request, refusal)

    async def bug(self, request: Request, error: Exception) -> Response:
        error_id = secrets.token_hex(4)
        log.exception(
            "%s %s failed: error %s", request.method, request.url.path, error_id, exc_info=error
        )
        message = f"internal error {error_id}: the server log has the details"
        return self.render(request, Refusal(500, message, error_id=error_id))


class AnsweringBugs:
    """ASGI middleware: an exception escaping the app is answered as a bug, once.

    When the answer has begun already, it is too late for a 500: the bug is
    logged with its id and raised on, and the server ends the connection.
    """

    def __init__(self, app: ASGIApp, answers: ErrorAnswers) -> None:
        self.app = app
        self.answers = answers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as error:
            response = await self.answers.bug(Request(scope), error)
            if started:
                raise
            await response(scope, receive, send)
