"""Settings → Calendar sync: connecting an account, and reconnecting one, from the page.

What the page offers comes from the provider registry, never from a list of
names here: a provider that connects by consent (`OAuthConnect`) gets a
button that sends the browser to its consent page, the same flow as the
JSON API's (`CalendarAccounts.consent_url`, the nonce in the callback's
cookie), marked as the page's so the callback answers 303 back to the page
(`api_oauth.started_on_page`). A provider that takes typed credentials
(`CredentialConnect`) gets a form of its fields; the service checks them
against the server before anything is stored. A secret typed into a form
is never written back into a page, not even when the form comes back with
an error.

Reconnecting runs the same flow for an account the provider stopped
accepting; the service keeps its settings, links and cursor.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bridge.calendar_accounts import CalendarAccounts, Consented
from bridge.config import Settings
from bridge.domain import User
from bridge.errors import UserError
from bridge.providers.registry import PROVIDERS, UnknownProvider, provider_spec
from bridge.providers.spec import (
    CredentialConnect,
    CredentialField,
    OAuthConnect,
    ProviderSpec,
    callback_url,
)
from bridge.web.api_oauth import consented_notice, remember_consent, started_on_page, tell_page
from bridge.web.pages.forms import parse_form
from bridge.web.pages.session import Page, PageEndpoint

Typed = dict[str, dict[str, str]]
"""What the user typed into each provider's form, by provider kind; secrets left out."""
ShowPage = Callable[..., Awaitable[Response]]
"""Draws the settings page: `(request, user, *, error, status_code, typed)`."""


@dataclass(frozen=True)
class ConnectOffer:
    """One provider as the "Connect a calendar" section offers it.

    `unavailable` says why its button is disabled (the operator has not set
    up CalBridge's client at the provider); `fields` are what a credential
    provider's form asks for, empty for one that connects by consent.
    """

    spec: ProviderSpec
    consent: bool
    unavailable: str
    fields: tuple[CredentialField, ...]


def connect_offers(settings: Settings) -> list[ConnectOffer]:
    """Every provider of the registry, in its order; the page draws a button for each consent
    one and a form for each credential one."""
    offers = []
    for spec in PROVIDERS:
        connect = spec.connect
        if isinstance(connect, OAuthConnect):
            set_up = connect.app(settings.section(spec.kind)) is not None
            hint = "" if set_up else f"Not set up on this server: {connect.setup_hint}"
            offers.append(ConnectOffer(spec, True, hint, ()))
        else:
            offers.append(ConnectOffer(spec, False, "", connect.fields))
    return offers


class SyncConnectPages:
    """`POST /settings/connect/{provider}` and `POST /settings/accounts/{id}/reconnect`."""

    def __init__(self, accounts: CalendarAccounts, base_url: str, show: ShowPage) -> None:
        self.accounts = accounts
        self.base_url = base_url
        self.show = show

    def routes(self, guard: Callable[[PageEndpoint], Page]) -> list[Route]:
        """The routes, each behind `guard` (the sign-in check)."""
        return [
            Route("/settings/connect/{provider:str}", guard(self.connect), methods=["POST"]),
            Route("/settings/accounts/{id:int}/reconnect", guard(self.reconnect), methods=["POST"]),
        ]

    async def connect(self, request: Request, user: User) -> Response:
        """A consent provider: 303 to its consent page. Credentials: checked, stored, 303 back."""
        try:
            spec = provider_spec(request.path_params["provider"])
        except UnknownProvider:
            return Response("Not Found", status_code=404)
        connect = spec.connect
        if isinstance(connect, OAuthConnect):
            return await self._consent(request, user, spec, None)
        form = parse_form(await request.body())
        values = {field.name: form.get(field.name, "").strip() for field in connect.fields}
        values[connect.secret] = form.get(connect.secret, "")
        try:
            account = await run_in_threadpool(self.accounts.connect, user.login, spec.kind, values)
        except UserError as error:
            typed = {spec.kind.value: _shown(connect, values)}
            return await self.show(
                request, user, error=str(error), status_code=error.http_status, typed=typed
            )
        return tell_page(request, consented_notice(spec, Consented(account, reconnected=False)))

    async def reconnect(self, request: Request, user: User) -> Response:
        """A consent provider: 303 to its consent page for this account. Credentials: the new
        secret, checked against the account's server, then 303 back."""
        account_id = request.path_params["id"]
        try:
            account = await run_in_threadpool(self.accounts.account, user.login, account_id)
            spec = provider_spec(account.provider)
            connect = spec.connect
            if isinstance(connect, OAuthConnect):
                return await self._consent(request, user, spec, account_id)
            form = parse_form(await request.body())
            secret = {connect.secret: form.get(connect.secret, "")}
            renew = functools.partial(self.accounts.reconnect, values=secret)
            renewed = await run_in_threadpool(renew, user.login, account_id)
        except UserError as error:
            return await self.show(request, user, error=str(error), status_code=error.http_status)
        return tell_page(request, consented_notice(spec, Consented(renewed, reconnected=True)))

    async def _consent(
        self, request: Request, user: User, spec: ProviderSpec, account_id: int | None
    ) -> Response:
        """303 to the provider's consent page; the callback brings the browser back here."""
        redirect_uri = callback_url(self.base_url, spec.kind)
        consent = functools.partial(
            self.accounts.consent_url, kind=spec.kind, account_id=account_id
        )
        try:
            url, nonce = await run_in_threadpool(consent, user.login, redirect_uri=redirect_uri)
        except UserError as error:
            return await self.show(request, user, error=str(error), status_code=error.http_status)
        started_on_page(request, nonce)
        response = RedirectResponse(url, status_code=303)
        remember_consent(response, spec.kind, nonce, secure=redirect_uri.startswith("https:"))
        return response


def _shown(connect: CredentialConnect, values: dict[str, str]) -> dict[str, str]:
    """The typed values a form may show again: every one but the secret."""
    return {name: value for name, value in values.items() if name != connect.secret}
