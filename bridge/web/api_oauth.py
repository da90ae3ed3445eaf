"""`GET /oauth/{provider}/callback`: where a provider sends the browser after its consent page.

No sign-in is asked for: the browser arrives from the provider, and the
`state` `CalendarAccounts.consent_url` sealed carries the user, encrypted,
dated and bound to its PKCE verifier, so a forged or stale one is refused.
The answer must also come back to the browser that asked for the consent
page: the API gave it a cookie holding the flow's nonce, which the callback
hands on, so a consent link sent to someone else connects nothing.
A consent the command line started with this callback as its redirect
(`calbridge account connect google --redirect-uri ...`) is finished by the
command: the browser gets a plain page saying to paste its address there.
Every provider whose spec connects by consent (`OAuthConnect`) has one.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute

from bridge.calendar_accounts import CONSENT_LIFETIME, CalendarAccounts, ConnectError
from bridge.pages import plain_page
from bridge.providers.registry import UnknownProvider, provider_spec
from bridge.providers.spec import CALLBACK_PATH, OAuthConnect, ProviderSpec
from bridge.web.api_http import ApiError, answering, resource
from bridge.web.api_json import account_json

CONSENT_COOKIE = "calbridge_consent"


def callback_path(kind: str) -> str:
    return CALLBACK_PATH.format(provider=kind)


def remember_consent(response: Response, kind: str, nonce: str, *, secure: bool) -> None:
    """Give the asking browser the flow's nonce, for the callback only, for the flow's life."""
    response.set_cookie(
        CONSENT_COOKIE,
        nonce,
        max_age=int(CONSENT_LIFETIME.total_seconds()),
        path=callback_path(kind),
        secure=secure,
        httponly=True,
        samesite="lax",
    )


def oauth_routes(accounts: CalendarAccounts) -> list[BaseRoute]:
    async def callback(request: Request) -> Response:
        """Finish connecting: 201 with the new account, 200 with a reconnected one; 400 when
        consent was refused or is stale; 409 when it came from another account."""
        spec = _consenting(request.path_params["provider"])
        params = request.query_params
        state = params.get("state")
        if state and await run_in_threadpool(accounts.pasted_consent, state):
            return _paste_page(spec, granted="error" not in params)
        if "error" in params:
            refused = params["error"][:100]
            if refused == "access_denied":
                message = "access to the calendar was not allowed: connect again and allow it"
            else:
                message = f"{spec.label} refused the consent ({refused}): connect again"
            raise ApiError(400, message)
        code, state = params.get("code"), params.get("state")
        if not code or not state:
            raise ApiError(400, f"the callback needs the code and state {spec.label} sends")
        try:
            nonce = request.cookies.get(CONSENT_COOKIE, "")
            consented = await run_in_threadpool(
                accounts.finish_consent, spec.kind, state, code, nonce
            )
        except ConnectError as error:  # here the browser's answer is what is wrong
            raise ApiError(400, str(error)) from None
        status = 200 if consented.reconnected else 201
        response = JSONResponse(account_json(consented.account), status_code=status)
        response.delete_cookie(CONSENT_COOKIE, path=callback_path(spec.kind))
        return response

    return [resource(CALLBACK_PATH, {"GET": answering(callback)})]


def _consenting(name: str) -> ProviderSpec:
    """The provider whose callback this is; 404 for one without a consent page."""
    try:
        spec = provider_spec(name)
    except UnknownProvider:
        raise ApiError(404, "no such consent callback") from None
    if not isinstance(spec.connect, OAuthConnect):
        raise ApiError(404, "no such consent callback")
    return spec


def _paste_page(spec: ProviderSpec, *, granted: bool) -> Response:
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
        title = f"{spec.label} did not grant access"
        text = (
            "Nothing was connected. Paste this page's address into the terminal to end the "
            "command there, or run it again and allow access."
        )
    return HTMLResponse(
        plain_page(title, text),
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )
