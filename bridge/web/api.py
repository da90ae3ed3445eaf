"""The JSON API under `/api/v1/`: calendar accounts and the sync status of activities.

Callers sign in with HTTP Basic like CalDAV clients (`api_http.BasicAuth`),
and act only on their own accounts and activities: another user's account
answers 404 exactly like a missing one. The work is `CalendarAccounts`'s,
the same service as `calbridge account`; its blocking calls (the database,
the provider's server) run in the thread pool.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bridge.calendar_accounts import CalendarAccounts
from bridge.config import Settings
from bridge.providers.registry import PROVIDERS, UnknownProvider, provider_spec
from bridge.providers.spec import OAuthConnect, ProviderSpec, callback_url
from bridge.store.sync_settings import settings_to_json
from bridge.web.api_activities import parse_ids
from bridge.web.api_app_passwords import app_password_routes
from bridge.web.api_crm import crm_routes
from bridge.web.api_http import METHODS, ApiError, BasicAuth, error_response, json_object, resource
from bridge.web.api_json import (
    account_json,
    calendar_json,
    run_json,
    status_json,
    sync_status_json,
)
from bridge.web.api_oauth import remember_consent

PREFIX = "/api/v1"
ACCOUNTS = f"{PREFIX}/calendar-accounts"
MAX_RUNS = 100
DEFAULT_RUNS = 20

T = TypeVar("T")
Action = Callable[[str, int], T]


def api_routes(settings: Settings, accounts: CalendarAccounts) -> list[BaseRoute]:
    """Every `/api/v1/` route, and a JSON 404 for any other path under `/api/`."""
    api = _AccountsApi(accounts, settings.base_url)
    auth = BasicAuth(accounts.engine, settings)
    one = f"{ACCOUNTS}/{{id:int}}"
    return [
        resource(ACCOUNTS, {"GET": auth(api.list_accounts), "POST": auth(api.connect)}),
        resource(one, {"GET": auth(api.show), "DELETE": auth(api.disconnect)}),
        resource(f"{one}/settings", {"PATCH": auth(api.change_settings)}),
        resource(f"{one}/calendars", {"GET": auth(api.calendars)}),
        resource(f"{one}/reconnect", {"POST": auth(api.reconnect)}),
        resource(f"{one}/start", {"POST": auth(api.start)}),
        resource(f"{one}/stop", {"POST": auth(api.stop)}),
        resource(f"{one}/sync", {"POST": auth(api.sync_now)}),
        resource(f"{one}/apply-deletions", {"POST": auth(api.apply_deletions)}),
        resource(f"{one}/restore", {"POST": auth(api.restore_deletions)}),
        resource(f"{one}/runs", {"GET": auth(api.runs)}),
        resource(f"{PREFIX}/activities/sync-status", {"GET": auth(api.sync_status)}),
        *app_password_routes(PREFIX, accounts.engine, auth),
        *crm_routes(PREFIX, accounts.engine, auth),
        Route("/api/{rest:path}", _no_endpoint, methods=METHODS),
    ]


async def _no_endpoint(_request: Request) -> Response:
    return error_response(404, "no such API endpoint")


class _AccountsApi:
    """The endpoints; each takes the request and the signed-in login."""

    def __init__(self, accounts: CalendarAccounts, base_url: str) -> None:
        self.accounts = accounts
        self.base_url = base_url

    async def list_accounts(self, _request: Request, login: str) -> Response:
        found = await run_in_threadpool(self.accounts.accounts, login)
        return JSONResponse([account_json(account) for account in found])

    async def connect(self, request: Request, login: str) -> Response:
        """`{"provider", ...}`: what the provider's spec asks for.

        Credentials (CalDAV: `url`, `username`, `password`): checked against
        the server, then the account is stored: 201. Consent (Google:
        `redirect_uri`?): the consent page to send the browser to.
        """
        body = await json_object(request)
        name = body.get("provider")
        names = " or ".join(sorted(spec.kind.value for spec in PROVIDERS))
        if not isinstance(name, str):
            raise ApiError(400, f"provider must be {names}")
        try:
            spec = provider_spec(name)
        except UnknownProvider:
            raise ApiError(400, f"provider must be {names}") from None
        connect = spec.connect
        if isinstance(connect, OAuthConnect):
            fields = _text_fields(body, optional=("redirect_uri",))
            return await self._consent(login, spec, fields.get("redirect_uri"), None)
        fields = _text_fields(body, required=tuple(field.name for field in connect.fields))
        account = await run_in_threadpool(self.accounts.connect, login, spec.kind, fields)
        location = {"Location": f"{ACCOUNTS}/{account.id}"}
        return JSONResponse(account_json(account), status_code=201, headers=location)

    async def reconnect(self, request: Request, login: str) -> Response:
        """New credentials for the account, keeping its settings, links and cursor.

        Credentials (CalDAV): `{"password"}` (with `url` and `username`, if
        given, that must be the account's), checked against the server: 200
        and the account. Consent (Google): `{"redirect_uri"?}`: the consent
        page, as for connecting.
        """
        account_id = _account_id(request)
        account = await run_in_threadpool(self.accounts.account, login, account_id)
        spec = provider_spec(account.provider)
        body = await json_object(request)
        connect = spec.connect
        if isinstance(connect, OAuthConnect):
            fields = _text_fields(body, optional=("redirect_uri",))
            return await self._consent(login, spec, fields.get("redirect_uri"), account_id)
        others = tuple(field.name for field in connect.fields if field.name != connect.secret)
        fields = _text_fields(body, required=(connect.secret,), optional=others)
        reconnect = functools.partial(self.accounts.reconnect, values=fields)
        renewed = await self._on_account(request, login, reconnect)
        return JSONResponse(account_json(renewed))

    async def _consent(
        self, login: str, spec: ProviderSpec, redirect_uri: str | None, account_id: int | None
    ) -> Response:
        """The consent page for a new account or `account_id`, with the flow's cookie."""
        redirect_uri = redirect_uri or callback_url(self.base_url, spec.kind)
        _check_address("redirect_uri", redirect_uri)
        consent = functools.partial(
            self.accounts.consent_url, kind=spec.kind, account_id=account_id
        )
        url, nonce = await run_in_threadpool(consent, login, redirect_uri=redirect_uri)
        response = JSONResponse({"authorization_url": url})
        remember_consent(response, spec.kind, nonce, secure=redirect_uri.startswith("https:"))
        return response

    async def show(self, request: Request, login: str) -> Response:
        status = await run_in_threadpool(self.accounts.status, login, _account_id(request))
        return JSONResponse(status_json(status))

    async def change_settings(self, request: Request, login: str) -> Response:
        """Apply the given fields at once; one bad field refuses them all (400 naming it)."""
        changes = await json_object(request)
        account = await self._on_account(
            request, login, functools.partial(self.accounts.update_settings, changes=changes)
        )
        return JSONResponse(settings_to_json(account.settings))

    async def calendars(self, request: Request, login: str) -> Response:
        found = await self._on_account(request, login, self.accounts.calendars)
        return JSONResponse([calendar_json(calendar) for calendar in found])

    async def start(self, request: Request, login: str) -> Response:
        account = await self._on_account(request, login, self.accounts.start)
        return JSONResponse(account_json(account))

    async def stop(self, request: Request, login: str) -> Response:
        account = await self._on_account(request, login, self.accounts.stop)
        return JSONResponse(account_json(account))

    async def sync_now(self, request: Request, login: str) -> Response:
        account = await self._on_account(request, login, self.accounts.sync_now)
        return JSONResponse(account_json(account))

    async def apply_deletions(self, request: Request, login: str) -> Response:
        account = await self._on_account(request, login, self.accounts.apply_deletions)
        return JSONResponse(account_json(account))

    async def restore_deletions(self, request: Request, login: str) -> Response:
        account = await self._on_account(request, login, self.accounts.restore_deletions)
        return JSONResponse(account_json(account))

    async def disconnect(self, request: Request, login: str) -> Response:
        await self._on_account(request, login, self.accounts.disconnect)
        return Response(status_code=204)

    async def runs(self, request: Request, login: str) -> Response:
        limit = _limit(request.query_params.get("limit"))
        status = await run_in_threadpool(self.accounts.status, login, _account_id(request), limit)
        return JSONResponse([run_json(run) for run in status.runs])

    async def sync_status(self, request: Request, login: str) -> Response:
        ids = parse_ids(request.query_params.get("ids"))
        found = await run_in_threadpool(self.accounts.activity_statuses, login, ids)
        return JSONResponse(
            {
                "activities": [
                    {"id": activity_id, "accounts": [sync_status_json(entry) for entry in entries]}
                    for activity_id, entries in found
                ]
            }
        )

    async def _on_account(self, request: Request, login: str, action: Action[T]) -> T:
        """`action` on the caller's account: 404 when it is not theirs, 409 when refused.

        The ownership check comes first so that an account the action finds
        in the wrong state (409, `AccountStateError`) is never confused with
        someone else's (404).
        """

        def act(account_id: int) -> T:
            self.accounts.account(login, account_id)
            return action(login, account_id)

        return await run_in_threadpool(act, _account_id(request))


MAX_ID = 2**63 - 1


def _account_id(request: Request) -> int:
    """The path's account id; one no database can hold names no account either."""
    account_id = request.path_params["id"]
    if account_id > MAX_ID:
        raise ApiError(404, f"no calendar account {account_id}")
    return account_id


def _text_fields(
    body: dict[str, object], required: tuple[str, ...] = (), optional: tuple[str, ...] = ()
) -> dict[str, str]:
    """The named non-empty string fields of a connect request; 400 naming any other field."""
    unknown = sorted(set(body) - {"provider", *required, *optional})
    if unknown:
        raise ApiError(400, f"unknown field {unknown[0]!r}")
    fields: dict[str, str] = {}
    for name in (*required, *optional):
        if name not in body:
            if name in required:
                raise ApiError(400, f"{name} is required")
            continue
        value = body[name]
        if not isinstance(value, str) or not value.strip():
            raise ApiError(400, f"{name} must be a non-empty string")
        fields[name] = value
    return fields


def _check_address(name: str, value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ApiError(400, f"{name} must be an http or https address")


def _limit(text: str | None) -> int:
    if text is None:
        return DEFAULT_RUNS
    if not re.fullmatch(r"[0-9]{1,3}", text) or not 1 <= int(text) <= MAX_RUNS:
        raise ApiError(400, f"limit must be a whole number from 1 to {MAX_RUNS}")
    return int(text)
