"""`GET /oauth/google/callback`: where Google sends the browser after the consent page.

No sign-in is asked for: the browser arrives from Google, and the `state`
`CalendarAccounts.google_consent_url` sealed carries the user, encrypted,
dated and bound to its PKCE verifier, so a forged or stale one is refused.
The answer must also come back to the browser that asked for the consent
page: the API gave it a cookie holding the flow's nonce, which the callback
hands on, so a consent link sent to someone else connects nothing.
A consent the command line started with this callback as its redirect
(`calbridge account connect google --redirect-uri ...`) is finished by the
command: the browser gets a plain page saying to paste its address there.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute

from bridge.calendar_accounts import CONSENT_LIFETIME, CalendarAccounts, ConnectError
from bridge.config import Settings
from bridge.store.sync_accounts import AccountError
from bridge.web.api_http import ApiError, answering, resource
from bridge.web.api_json import account_json

CALLBACK_PATH = "/oauth/google/callback"
CONSENT_COOKIE = "calbridge_google_consent"
PLAIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>CalBridge</title></head>
<body><h1>{title}</h1><p>{text}</p></body></html>
"""
"""A heading and a paragraph, for a browser whose consent the command line finishes
(fixed texts only: nothing put in it needs escaping)."""


def remember_consent(response: Response, nonce: str, *, secure: bool) -> None:
    """Give the asking browser the flow's nonce, for the callback only, for the flow's life."""
    response.set_cookie(
        CONSENT_COOKIE,
        nonce,
        max_age=int(CONSENT_LIFETIME.total_seconds()),
        path=CALLBACK_PATH,
        secure=secure,
        httponly=True,
        samesite="lax",
    )


def google_callback_url(settings: Settings) -> str:
    """Where Google sends the browser back to, unless the caller names another address."""
    return f"{settings.base_url}{CALLBACK_PATH}"


def oauth_routes(accounts: CalendarAccounts) -> list[BaseRoute]:
    async def google_callback(request: Request) -> Response:
        """Finish connecting: 201 with the new account, 200 with a reconnected one; 400 when
        consent was refused or is stale; 409 when it came from another Google account."""
        params = request.query_params
        state = params.get("state")
        if state and await run_in_threadpool(accounts.pasted_consent, state):
            return _paste_page(granted="error" not in params)
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
            nonce = request.cookies.get(CONSENT_COOKIE, "")
            consented = await run_in_threadpool(accounts.connect_google, state, code, nonce)
        except ConnectError as error:
            raise ApiError(400, str(error)) from None
        except AccountError as error:
            raise ApiError(409, str(error)) from None
        status = 200 if consented.reconnected else 201
        response = JSONResponse(account_json(consented.account), status_code=status)
        response.delete_cookie(CONSENT_COOKIE, path=CALLBACK_PATH)
        return response

    return [resource(CALLBACK_PATH, {"GET": answering(google_callback)})]


def _paste_page(*, granted: bool) -> Response:
    """The page for a consent the command line finishes: its address is what to paste.

    The code in the address is left unused here, so the command can trade it.
    """
    if granted:
        title = "Almost done: back to the terminal"
        text = (
            "Copy this page's address from the address bar and paste it into the terminal "
            "where calbridge is waiting. Then you can close this tab."
        )
    else:
        title = "Google did not grant access"
        text = (
            "Nothing was connected. Paste this page's address into the terminal to end the "
            "command there, or run it again and allow access."
        )
    return HTMLResponse(
        PLAIN_PAGE.format(title=title, text=text),
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )
