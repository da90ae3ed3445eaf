"""`GET /oauth/google/callback`: where Google sends the browser after the consent page.

No sign-in is asked for: the browser arrives from Google, and the `state`
`CalendarAccounts.google_consent_url` sealed carries the user, encrypted,
dated and bound to its PKCE verifier, so a forged or stale one is refused.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from bridge.calendar_accounts import CalendarAccounts, ConnectError
from bridge.config import Settings
from bridge.store.sync_accounts import AccountError
from bridge.web.api_http import ApiError, answering, resource
from bridge.web.api_json import account_json

CALLBACK_PATH = "/oauth/google/callback"


def google_callback_url(settings: Settings) -> str:
    """Where Google sends the browser back to, unless the caller names another address."""
    return f"{settings.base_url}{CALLBACK_PATH}"


def oauth_routes(accounts: CalendarAccounts) -> list[BaseRoute]:
    async def google_callback(request: Request) -> Response:
        """Finish connecting: 201 with the account; 400 when consent was refused or is stale."""
        params = request.query_params
        if "error" in params:
            refused = params["error"][:100]
            if refused == "access_denied":
                message = "access to the calendar was not allowed: connect again and allow it"
            else:
                message = f"Google refused the consent ({refused}): connect again"
            raise ApiError(400, message)
        code, state = params.get("code"), params.get("state")
        if not code or not state:
            raise ApiError(400, "the callback needs the code and state Google sends")
        try:
            account = await run_in_threadpool(accounts.connect_google, state, code)
        except ConnectError as error:
            raise ApiError(400, str(error)) from None
        except AccountError as error:
            raise ApiError(409, str(error)) from None
        return JSONResponse(account_json(account), status_code=201)

    return [resource(CALLBACK_PATH, {"GET": answering(google_callback)})]
