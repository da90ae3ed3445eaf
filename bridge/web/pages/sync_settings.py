"""Settings → Calendar sync: the user's connected accounts, their state and their settings.

Everything goes through `CalendarAccounts`, the service the CLI and the
JSON API call, so the page cannot save settings the worker would trip on
and cannot reach another user's account. The settings form works twice
over: with htmx every change posts the whole form and only a small status
line is swapped in ("Saved." or the error naming the field); without
JavaScript the Save button posts the same form and is answered 303 back to
the page. Posting the whole form each time keeps one code path for both.

The actions (start, stop, sync now, apply or restore held deletions,
disconnect) are plain forms answered 303; disconnecting asks first on a
page of its own, so no script is needed. A `UserError` from the service is
shown on the page with its status. Connecting and reconnecting are
`sync_connect`'s; what they report comes back through the session, once.
Choosing the first calendar of an account redraws the whole page (htmx's
`HX-Refresh`), since it is what makes Start sync possible.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bridge.accounts import AccountState, CalendarAccount
from bridge.calendar_accounts import AccountStatus, CalendarAccounts
from bridge.config import Settings
from bridge.domain import ConflictPolicy, ImportVisibility, PrivateEventPolicy, SyncType, User
from bridge.errors import UserError
from bridge.providers import ExternalCalendar
from bridge.providers.registry import provider_spec
from bridge.providers.spec import CredentialConnect, CredentialField, ProviderSpec
from bridge.secrets import box_from_settings
from bridge.store.activities import by_ids
from bridge.store.crm import list_activity_types
from bridge.store.sync_settings import MAX_WINDOW_DAYS, SettingsError
from bridge.web.notices import notify, redirect_with_notice, take_notice
from bridge.web.pages.forms import form_fields, parse_form
from bridge.web.pages.session import signed_in
from bridge.web.pages.sync_connect import SyncConnectPages, Typed, connect_offers
from bridge.web.pages.templates import render

RECENT_RUNS = 5
"""How many of an account's last runs the page lists."""

STATE_HELP = {
    AccountState.STOPPED: "Not syncing. Settings and links are kept; Start sync resumes.",
    AccountState.ACTIVE: "Syncing: changes on either side are carried over on every run.",
    AccountState.NEEDS_RECONNECT: (
        "The provider no longer accepts the stored credentials: connect the account again."
    ),
    AccountState.NEEDS_ATTENTION: (
        "A run held back many deletions to be safe: choose to apply or restore them, "
        "and syncing resumes with your choice."
    ),
}
"""A plain explanation of each account state, for people who never read the README."""

CHOICES = {
    "sync_type": [(SyncType.TWO_WAY, "Two-way"), (SyncType.ONE_WAY, "One-way (CRM to calendar)")],
    "import_visibility": [
        (ImportVisibility.EVERYONE, "Everyone"),
        (ImportVisibility.OWNER_ONLY, "Only me"),
    ],
    "private_events": [
        (PrivateEventPolicy.EVERYONE, "Visible to everyone"),
        (PrivateEventPolicy.BUSY_BLOCK, "Busy block (others see “Busy”)"),
        (PrivateEventPolicy.SKIP, "Not imported"),
    ],
    "conflict_policy": [
        (ConflictPolicy.MOST_RECENT, "Most recent change"),
        (ConflictPolicy.CRM_WINS, "CRM wins"),
        (ConflictPolicy.CALENDAR_WINS, "Calendar wins"),
    ],
}
"""The options of each choice setting, with labels a person understands."""

DONE = {
    "saved": "Settings saved.",
    "start": "Sync started: the first run is due now.",
    "stop": "Sync stopped. Settings and links are kept.",
    "sync": "A run is due now.",
    "disconnect": "The account is disconnected.",
    "apply-deletions": "The held deletions are applied on the run that is due now.",
    "restore": "The held deletions are restored on the run that is due now.",
}
"""What the page says after each action it redirected back from."""


@dataclass(frozen=True)
class AccountView:
    """One account as the page shows it; `calendars` is empty when the provider can't be asked."""

    status: AccountStatus
    calendars: list[ExternalCalendar]
    calendars_error: str | None

    @property
    def account(self) -> CalendarAccount:
        return self.status.account

    @property
    def state_help(self) -> str:
        return STATE_HELP.get(self.account.state, "")

    @property
    def spec(self) -> ProviderSpec:
        return provider_spec(self.account.provider)

    @property
    def reconnect_field(self) -> CredentialField | None:
        """What reconnecting asks for again: a credential provider's secret; None for consent."""
        connect = self.spec.connect
        if isinstance(connect, CredentialConnect):
            return next(field for field in connect.fields if field.name == connect.secret)
        return None


def form_changes(body: bytes) -> dict[str, object]:
    """The settings a posted form describes, as the service takes them.

    An unchecked checkbox is not sent, so a missing one means false (or no
    types); a number that is not a whole number is refused naming its field.
    """
    fields: dict[str, list[str]] = {}
    for name, value in form_fields(body):
        fields.setdefault(name, []).append(value)
    changes: dict[str, object] = {}
    for name in ("calendar_id", "import_type_key", *CHOICES):
        if name in fields:
            changes[name] = fields[name][-1]
    for name in ("window_past_days", "window_future_days"):
        if name in fields:
            text = fields[name][-1].strip()
            try:
                changes[name] = int(text)
            except ValueError:
                raise SettingsError(
                    f"{name} must be a whole number of days from 0 to {MAX_WINDOW_DAYS}"
                ) from None
    changes["pushed_type_keys"] = fields.get("pushed_type_keys", [])
    changes["include_crm_info"] = "include_crm_info" in fields
    return changes


class SyncSettingsPages:
    """The routes of Settings → Calendar sync, over one `CalendarAccounts`."""

    def __init__(self, engine: sa.Engine, accounts: CalendarAccounts, settings: Settings) -> None:
        self.engine = engine
        self.accounts = accounts
        self.settings = settings

    def routes(self) -> list[Route]:
        guard = signed_in(self.engine)
        connecting = SyncConnectPages(self.accounts, self.settings.base_url, self.page)
        return [
            Route("/settings", guard(self.show), methods=["GET", "HEAD"]),
            *connecting.routes(guard),
            Route("/settings/accounts/{id:int}", guard(self.save), methods=["POST"]),
            Route("/settings/accounts/{id:int}/{action:str}", guard(self.act), methods=["POST"]),
        ]

    # -- reading ----------------------------------------------------------------

    def _views(self, user: User) -> tuple[list[AccountView], dict[str, Any], dict[int, str]]:
        """The accounts, the activity types, and the subjects of the activities that failed.

        Only the user's own activities are named (an item error can only be
        about them, and a subject is never shown to anyone else).
        """
        views = []
        for account in self.accounts.accounts(user.login):
            status = self.accounts.status(user.login, account.id, RECENT_RUNS)
            try:
                calendars, problem = self.accounts.calendars(user.login, account.id), None
            except UserError as error:
                calendars, problem = [], str(error)
            views.append(AccountView(status, calendars, problem))
        failed = [item.activity_id for view in views for item in view.status.item_errors]
        with self.engine.connect() as conn:
            types = list_activity_types(conn)
            found = by_ids(conn, [activity_id for activity_id in failed if activity_id])
        subjects = {item.id: item.subject for item in found if item.owner_id == user.id}
        return views, types, subjects

    async def page(
        self,
        request: Request,
        user: User,
        *,
        error: str | None = None,
        status_code: int = 200,
        typed: Typed | None = None,
    ) -> Response:
        """The page; `error` on top, `typed` back in the connect forms it came from."""
        views, types, subjects = await run_in_threadpool(self._views, user)
        notice, failed = take_notice(request)
        error = error or failed
        context = {
            "views": views,
            "types": sorted(types.values(), key=lambda item: item.name),
            "choices": CHOICES,
            "max_days": MAX_WINDOW_DAYS,
            "error": error,
            "notice": notice,
            "offers": connect_offers(self.settings),
            "typed": typed or {},
            "subjects": subjects,
        }
        return render(request, "settings_sync.html", context, status_code=status_code)

    async def show(self, request: Request, user: User) -> Response:
        return await self.page(request, user)

    # -- changing ---------------------------------------------------------------

    async def save(self, request: Request, user: User) -> Response:
        """Save the whole form: htmx gets a status line, a plain form a 303 back."""
        account_id = request.path_params["id"]
        htmx = request.headers.get("HX-Request") == "true"
        try:
            changes = form_changes(await request.body())
            first = await run_in_threadpool(self._save, user.login, account_id, changes)
        except UserError as error:
            if htmx:
                return render(
                    request,
                    "settings_sync_status.html",
                    {"message": str(error), "failed": True},
                    status_code=error.http_status,
                )
            return await self.page(request, user, error=str(error), status_code=error.http_status)
        if htmx and first is not None:
            notify(request, f"Calendar {first} chosen: Start sync is possible now.")
            return Response(headers={"HX-Refresh": "true"})
        if htmx:
            return render(request, "settings_sync_status.html", {"message": "Saved."})
        return redirect_with_notice(request, "/settings", DONE["saved"])

    def _save(self, login: str, account_id: int, changes: dict[str, object]) -> str | None:
        """Save `changes`; the calendar's id when it is the account's first one, else None."""
        before = self.accounts.account(login, account_id)
        after = self.accounts.update_settings(login, account_id, changes)
        if before.settings.calendar_id or not after.settings.calendar_id:
            return None
        return after.settings.calendar_id

    async def act(self, request: Request, user: User) -> Response:
        """Start, stop, sync now, apply or restore held deletions, disconnect (after a
        confirmation step)."""
        account_id = request.path_params["id"]
        action = request.path_params["action"]
        operations = {
            "start": self.accounts.start,
            "stop": self.accounts.stop,
            "sync": self.accounts.sync_now,
            "apply-deletions": self.accounts.apply_deletions,
            "restore": self.accounts.restore_deletions,
        }
        try:
            if action == "disconnect":
                form = parse_form(await request.body())
                account = await run_in_threadpool(self.accounts.account, user.login, account_id)
                if form.get("confirm") != "yes":
                    return render(request, "settings_sync_disconnect.html", {"account": account})
                await run_in_threadpool(self.accounts.disconnect, user.login, account_id)
            elif action in operations:
                await run_in_threadpool(operations[action], user.login, account_id)
            else:
                return Response("Not Found", status_code=404)
        except UserError as error:
            return await self.page(request, user, error=str(error), status_code=error.http_status)
        return redirect_with_notice(request, "/settings", DONE[action])


def sync_settings_routes(engine: sa.Engine, settings: Settings) -> list[Route]:
    """The routes, over an account service built as `bridge.web.app` builds its own."""
    box = box_from_settings(settings.secret_key, settings.secret_key_file)
    return SyncSettingsPages(engine, CalendarAccounts(engine, box, settings), settings).routes()
