"""The JSON API's plumbing: HTTP Basic sign-in, JSON bodies, and every failure as JSON.

Scripts and the settings page both call the API, and both are better served
by one shape of failure: `{"error": "..."}` with a 4xx status that says
whose fault it was, and a message a person can act on. Endpoints only
raise: a `bridge.errors.UserError` carries its status, and the app's
exception handlers (`bridge.web.errors`) answer it, and any bug, in that
shape.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Mapping

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bridge.config import Settings
from bridge.errors import InvalidInput, Unauthorized, UserError
from bridge.sign_in import SignIn
from bridge.store.users import NoSuchUser
from bridge.web.client_address import client_address

Endpoint = Callable[[Request], Awaitable[Response]]
SignedInEndpoint = Callable[[Request, str], Awaitable[Response]]

CHALLENGE = {"WWW-Authenticate": 'Basic realm="CalBridge"'}
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class ApiError(UserError):
    """A refusal whose status is chosen where it is raised, with any `headers` it needs.

    Prefer a class of `bridge.errors`, which says what went wrong; this is
    for the rare status the hierarchy has no class for.
    """

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.http_status = status
        self._headers = dict(headers or {})

    @property
    def headers(self) -> Mapping[str, str]:
        return self._headers


class SignInNeeded(Unauthorized):
    """No valid credentials: 401 with the challenge that makes clients ask for them."""

    @property
    def headers(self) -> Mapping[str, str]:
        return CHALLENGE


class NotJson(InvalidInput):
    """A body in another media type than JSON."""

    http_status = 415


def error_response(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def answering(endpoint: Endpoint) -> Endpoint:
    """`endpoint`, with the service errors that need the API's own meaning translated.

    The app's exception handlers answer every `UserError` with its status,
    and a bug with 500 (`bridge.web.errors`). Here a signed-in user removed
    since the sign-in is asked to sign in again (401, not 404).
    """

    async def answer(request: Request) -> Response:
        try:
            return await endpoint(request)
        except NoSuchUser as error:
            raise SignInNeeded(str(error)) from None

    return answer


def resource(path: str, handlers: Mapping[str, Endpoint]) -> Route:
    """A route answering its methods through `handlers` and any other method with a JSON 405."""
    allowed = ", ".join(handlers)

    async def dispatch(request: Request) -> Response:
        handler = handlers.get(request.method)
        if handler is None:
            message = f"{request.method} is not allowed here; allowed: {allowed}"
            return error_response(405, message, {"Allow": allowed})
        return await handler(request)

    return Route(path, dispatch, methods=METHODS)


class BasicAuth:
    """Signs API callers in as CalDAV clients are: login and password or app password.

    The check is `SignIn`'s, shared with CalDAV (throttling, cache of
    recent successes); it reads the database, so it runs in a thread.
    """

    def __init__(self, engine: sa.Engine, settings: Settings) -> None:
        self._sign_in = SignIn(engine, settings)
        self._trusted_proxies = settings.trusted_proxies

    def __call__(self, endpoint: SignedInEndpoint) -> Endpoint:
        """`endpoint`, called with the signed-in login; 401 without valid credentials."""

        async def signed_in(request: Request) -> Response:
            return await endpoint(request, await self.login(request))

        return answering(signed_in)

    async def login(self, request: Request) -> str:
        credentials = _basic_credentials(request.headers.get("authorization", ""))
        if credentials is None:
            raise SignInNeeded("sign in with your CalBridge user name and password")
        login, password = credentials
        peer = request.client.host if request.client else None
        address = client_address(
            peer, request.headers.get("x-forwarded-for"), self._trusted_proxies
        )
        # `Throttled`, a 429 with Retry-After, is answered by the app's handlers.
        signed_in = await run_in_threadpool(self._sign_in.check, login, password, address)
        if signed_in is None:
            raise SignInNeeded("wrong user name or password")
        return signed_in


def _basic_credentials(header: str) -> tuple[str, str] | None:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    login, colon, password = decoded.partition(":")
    return (login, password) if colon and login else None


async def json_object(request: Request) -> dict[str, object]:
    """The request's body as a JSON object: 415 for another media type, 400 if malformed.

    Nesting deep enough to exhaust Python's recursion is malformed too: no
    request of this API nests more than a few levels.
    """
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise NotJson("send the body as application/json")
    try:
        data = json.loads(await request.body())
    except ValueError:
        raise InvalidInput("the body is not valid JSON") from None
    except RecursionError:
        raise InvalidInput("the body's JSON is nested too deeply") from None
    if not isinstance(data, dict):
        raise InvalidInput("the body must be a JSON object")
    return data
