"""The JSON API's plumbing: HTTP Basic sign-in, JSON bodies, and every failure as JSON.

Scripts and the settings page both call the API, and both are better served
by one shape of failure: `{"error": "..."}` with a 4xx status that says
whose fault it was, and a message a person can act on. Exceptions of the
service layer map to statuses here, so endpoints only raise.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Awaitable, Callable, Mapping

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bridge.calendar_accounts import ConnectError
from bridge.config import Settings
from bridge.sign_in import SignIn, Throttled
from bridge.store.sync_accounts import AccountError
from bridge.store.sync_settings import SettingsError
from bridge.store.users import UserError
from bridge.web.client_address import client_address

log = logging.getLogger(__name__)

Endpoint = Callable[[Request], Awaitable[Response]]
SignedInEndpoint = Callable[[Request, str], Awaitable[Response]]

CHALLENGE = {"WWW-Authenticate": 'Basic realm="CalBridge"'}
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class ApiError(Exception):
    """A failure answered as `{"error": message}` with `status` (and `headers`)."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.headers = dict(headers or {})


def error_response(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def answering(endpoint: Endpoint) -> Endpoint:
    """`endpoint` with its failures turned into JSON errors.

    The service's errors are `ValueError`s a caller can fix: a bad setting
    (400), a refused connection (422: the request was fine, the server or the
    credentials were not), an account that is not the caller's (404, the same
    as a missing one). The body limit's 413 is left to its middleware, and
    anything unexpected is logged and answered 500 without details.
    """

    async def answer(request: Request) -> Response:
        try:
            return await endpoint(request)
        except ApiError as error:
            return error_response(error.status, str(error), error.headers)
        except SettingsError as error:
            return error_response(400, str(error))
        except ConnectError as error:
            return error_response(422, str(error))
        except AccountError as error:
            return error_response(404, str(error))
        except UserError as error:  # the signed-in user was removed since the sign-in
            return error_response(401, str(error), CHALLENGE)
        except HTTPException:
            raise
        except Exception:
            log.exception("%s %s failed", request.method, request.url.path)
            return error_response(500, "internal error: the server log has the details")

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
            raise ApiError(401, "sign in with your CalBridge user name and password", CHALLENGE)
        login, password = credentials
        peer = request.client.host if request.client else None
        address = client_address(
            peer, request.headers.get("x-forwarded-for"), self._trusted_proxies
        )
        try:
            signed_in = await run_in_threadpool(self._sign_in.check, login, password, address)
        except Throttled as refused:
            raise ApiError(429, str(refused), {"Retry-After": str(refused.retry_after)}) from None
        if signed_in is None:
            raise ApiError(401, "wrong user name or password", CHALLENGE)
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
        raise ApiError(415, "send the body as application/json")
    try:
        data = json.loads(await request.body())
    except ValueError:
        raise ApiError(400, "the body is not valid JSON") from None
    except RecursionError:
        raise ApiError(400, "the body's JSON is nested too deeply") from None
    if not isinstance(data, dict):
        raise ApiError(400, "the body must be a JSON object")
    return data
