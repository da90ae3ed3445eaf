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
A consent the settings page started (`started_on_page`: the session holds
the digest of the flow's nonce) is answered with that page: 303 back to
it, the outcome or the refusal said there once (`tell_page`).
Every provider whose spec connects by consent (`OAuthConnect`) has one.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute

from bridge.calendar_accounts import CONSENT_LIFETIME, CalendarAccounts, ConnectError, Consented
from bridge.errors import UserError
from bridge.pages import plain_page
from bridge.providers.registry import UnknownProvider, provider_spec
from bridge.providers.spec import CALLBACK_PATH, OAuthConnect, ProviderSpec
from bridge.security import same_secret, token_digest
from bridge.web.api_http import ApiError, answering, resource
from bridge.web.api_json import account_json
from bridge.web.notices import redirect_with_notice

CONSENT_COOKIE = "calbridge_consent"
SETTINGS_PAGE = "/settings"
PAGE_FLOW_KEY = "consent_page"
"""Session key: the digest of the nonce of the consent the settings page started last."""
"""Session key: what the settings page says once, after an action redirected back to it."""


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


def started_on_page(request: Request, nonce: str) -> None:
    """Mark the consent with `nonce` as the settings page's, so its callback answers there."""
    request.session[PAGE_FLOW_KEY] = token_digest(nonce)


def tell_page(request: Request, text: str, *, failed: bool = False) -> RedirectResponse:
    """303 back to the settings page, which shows `text` once."""
    return redirect_with_notice(request, SETTINGS_PAGE, text, failed=failed)


def consented_notice(spec: ProviderSpec, consented: Consented) -> str:
    """What the settings page says after a finished consent."""
    account = consented.account
    if consented.reconnected:
        return f"Reconnected {spec.label}: {account.account_email} — its settings are kept"
    return f"Connected {spec.label}: {account.account_email} — choose a calendar"


def oauth_routes(accounts: CalendarAccounts) -> list[BaseRoute]:
    async def callback(request: Request) -> Response:
        """Finish connecting: 201 with the new account, 200 with a reconnected one; 400 when
        consent was refused or is stale; 409 when it came from another account.
        A consent the settings page started is answered 303 back to it either way."""
        spec = _consenting(request.path_params["provider"])
        params = request.query_params
        state = params.get("state")
        if state and await run_in_threadpool(accounts.pasted_consent, state):
            return _paste_page(spec, granted="error" not in params)
        nonce = request.cookies.get(CONSENT_COOKIE, "")
        if not _from_page(request, nonce):
            consented = await _finish(accounts, spec, params, nonce)
            status = 200 if consented.reconnected else 201
            response: Response = JSONResponse(account_json(consented.account), status_code=status)
        else:
            del request.session[PAGE_FLOW_KEY]
            try:
                consented = await _finish(accounts, spec, params, nonce)
            except UserError as error:
                text = f"{spec.label} was not connected ({error.http_status}): {error}"
                response = tell_page(request, text, failed=True)
            else:
                response = tell_page(request, consented_notice(spec, consented))
        response.delete_cookie(CONSENT_COOKIE, path=callback_path(spec.kind))
        return response

    return [resource(CALLBACK_PATH, {"GET": answering(callback)})]


def _from_page(request: Request, nonce: str) -> bool:
    """Whether the settings page started the consent whose nonce this browser holds."""
    started = request.session.get(PAGE_FLOW_KEY)
    return bool(nonce) and isinstance(started, str) and same_secret(started, token_digest(nonce))


async def _finish(
    accounts: CalendarAccounts, spec: ProviderSpec, params: QueryParams, nonce: str
) -> Consented:
    """The account the provider's answer connects; `ApiError` 400 for a refusal or a bad one."""
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
        return await run_in_threadpool(accounts.finish_consent, spec.kind, state, code, nonce)
    except ConnectError as error:  # here the browser's answer is what is wrong
        raise ApiError(400, str(error)) from None


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
