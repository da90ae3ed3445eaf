"""Connecting and managing users' calendar accounts: what the CLI and the JSON API both call.

Every operation names the acting user, and an account of another user is
answered exactly like a missing one, so ids reveal nothing. Credentials are
checked against the provider when connecting (a wrong password is refused
before anything is stored) and stored encrypted. Settings are validated as
a whole before they are saved, so the worker never trips on them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa

from bridge import errors
from bridge.accounts import AccountState, CalendarAccount
from bridge.config import Settings
from bridge.connections import close_channel, open_provider, secret_saver
from bridge.domain import Activity, ProviderKind
from bridge.links import ItemError
from bridge.providers import (
    CalendarProvider,
    ExternalCalendar,
    GrantRevoked,
    ProviderError,
    TemporaryFailure,
)
from bridge.providers.oauth import (
    OAuthApp,
    OAuthTokens,
    authorization_url,
    exchange_code,
    new_code_verifier,
    tokens_secret,
)
from bridge.providers.registry import UnknownProvider, provider_spec
from bridge.providers.spec import (
    CredentialConnect,
    OAuthConnect,
    ProviderSpec,
    SecretSaver,
    StoredAccount,
)
from bridge.secrets import SecretBox, SecretError
from bridge.security import new_token, same_secret, token_digest
from bridge.store import sync_accounts, sync_links, sync_runs
from bridge.store.activities import by_ids
from bridge.store.crm import list_activity_types
from bridge.store.db import writing
from bridge.store.sync_accounts import AccountError
from bridge.store.sync_settings import (
    SettingsError,
    new_account_settings,
    settings_from_json,
    settings_to_json,
)
from bridge.store.users import get_user
from bridge.sync.guard import DeletionChoice
from bridge.sync.privacy import reapply_privacy
from bridge.sync.status import SyncStatus, sync_status

CONSENT_LIFETIME = dt.timedelta(minutes=15)


class ConnectError(errors.Unprocessable):
    """Connecting failed: wrong credentials, unreachable server, refused consent."""


class AccountStateError(errors.Conflict, AccountError):
    """The account is the user's, but not in a state (or of a kind) the action needs."""


class ReconnectNeeded(AccountStateError):
    """The account's grant or password stopped working: it must be reconnected first."""


class CalendarNotChosen(AccountStateError):
    """The account's server names no default calendar and none has been picked yet."""

    def __init__(self, account_id: int, calendars: list[ExternalCalendar]) -> None:
        offered = ", ".join(f"{item.id} ({item.name})" for item in calendars)
        super().__init__(
            f"account {account_id} has no calendar chosen (its server names no default): "
            f"set calendar_id to one of {offered}"
        )
        self.calendars = calendars


@dataclass(frozen=True)
class Consented:
    """The account a finished consent connected, or reconnected."""

    account: CalendarAccount
    reconnected: bool


@dataclass(frozen=True)
class AccountStatus:
    """Everything the status views show about one account."""

    account: CalendarAccount
    runs: list[sync_runs.SyncRun]
    item_errors: list[ItemError]
    linked: int


class CalendarAccounts:
    """The account operations of one CalBridge installation."""

    def __init__(
        self,
        engine: sa.Engine,
        box: SecretBox,
        settings: Settings,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.engine = engine
        self.box = box
        self.settings = settings
        self.clock = clock

    # -- connecting ---------------------------------------------------------------

    def connect(self, login: str, kind: str, values: Mapping[str, str]) -> CalendarAccount:
        """Connect an account of a provider that takes typed credentials (`CredentialConnect`).

        The credentials are checked by listing the calendars before anything
        is stored; the account is stored stopped.
        """
        spec, connect = self._credential_spec(kind)
        values = _credentials(connect, values, required=[field.name for field in connect.fields])
        stored = connect.stored(values)
        calendars = self._check(spec, stored)
        return self._store(
            login, spec.kind, stored.account_email, stored.secret, calendars, stored.server_url
        )

    def consent_url(
        self,
        login: str,
        kind: str,
        redirect_uri: str,
        account_id: int | None = None,
        *,
        pasted: bool = False,
    ) -> tuple[str, str]:
        """The provider's consent page for `login`, and the nonce the answer must come back with.

        With `account_id` the consent reconnects that account of the user
        (`finish_consent` then renews its grant instead of adding one).
        `pasted`: the answer reaches CalBridge by the user pasting the address
        into a terminal, so a callback it lands on only says so (`pasted_consent`).

        The PKCE verifier travels inside the state, encrypted and dated, so no
        server-side session is needed, and a state cannot be forged, nor used
        after `CONSENT_LIFETIME`. The nonce binds the answer to whoever asked
        (the API keeps it in a cookie of the asking browser, the command line
        in memory): a consent link sent to someone else cannot connect their
        calendar to the sender's CalBridge user.
        """
        spec, app = self._oauth_app(kind)
        login = self._user(login)
        if account_id is not None:
            self._reconnectable(self.account(login, account_id), spec.kind)
        verifier = new_code_verifier()
        nonce = new_token()
        sealed = {
            "provider": spec.kind.value,
            "login": login,
            "redirect_uri": redirect_uri,
            "verifier": verifier,
            "nonce": token_digest(nonce),
            "account": account_id,
            "pasted": pasted,
        }
        state = self.box.encrypt(json.dumps(sealed))
        url, _ = authorization_url(app, redirect_uri, state, verifier)
        return url, nonce

    def finish_consent(self, kind: str, state: str, code: str, nonce: str) -> Consented:
        """Finish the consent flow: trade the code, find out who consented, store the account.

        `nonce` is the one `consent_url` gave whoever started the flow; a
        flow started for an account reconnects it (`reconnect_tokens`).
        """
        data = self._consent_state(state)
        spec, app = self._oauth_app(kind)
        if data.get("provider") != spec.kind.value:
            raise ConnectError(f"the consent answer is not {spec.label}'s: connect again")
        if not nonce or not same_secret(token_digest(nonce), data.get("nonce", "")):
            raise ConnectError(
                "the consent answer does not belong to this browser: connect again from here"
            )
        try:
            tokens = exchange_code(app, code, data["verifier"], data["redirect_uri"])
        except ProviderError as error:
            raise ConnectError(f"{spec.label} refused the connection: {error}") from None
        account_id = data.get("account")
        if account_id is None:
            account = self.connect_tokens(data["login"], spec.kind, tokens)
            return Consented(account, reconnected=False)
        account = self.reconnect_tokens(data["login"], spec.kind, account_id, tokens)
        return Consented(account, reconnected=True)

    def pasted_consent(self, state: str) -> bool:
        """Whether `state` is a live consent whose answer the user pastes into a terminal."""
        try:
            return bool(self._consent_state(state).get("pasted"))
        except ConnectError:
            return False

    def _consent_state(self, state: str) -> dict[str, Any]:
        """What `consent_url` sealed into `state`; `ConnectError` if forged or stale."""
        try:
            lifetime = int(CONSENT_LIFETIME.total_seconds())
            data = json.loads(self.box.decrypt(state, max_age=lifetime))
        except (SecretError, ValueError):
            raise ConnectError("the consent answer is unknown or expired: connect again") from None
        if not isinstance(data, dict):
            raise ConnectError("the consent answer is unknown or expired: connect again")
        return data

    def connect_tokens(self, login: str, kind: str, tokens: OAuthTokens) -> CalendarAccount:
        """Store an OAuth account from granted tokens (the end of any consent flow)."""
        spec, email, secret, calendars = self._granted(kind, tokens)
        return self._store(login, spec.kind, email, secret, calendars)

    # -- reconnecting -------------------------------------------------------------

    def reconnect(self, login: str, account_id: int, values: Mapping[str, str]) -> CalendarAccount:
        """Give a credential account a new secret, checked against its server before it is saved.

        Only the secret is needed; the identity and the server stay the
        account's, and one given that differs is refused (`AccountError`),
        since links and cursor belong to that calendar. Settings, links and
        cursor are kept (`_renew`).
        """
        account = self.account(login, account_id)
        spec, connect = self._credential_spec(account.provider)
        self._reconnectable(account, spec.kind)
        values = _credentials(connect, values, required=[connect.secret])
        kept = {connect.identity: account.account_email}
        if connect.server:
            kept[connect.server] = account.server_url
        if any(
            name in values and values[name].rstrip("/") != kept[name].rstrip("/") for name in kept
        ):
            raise AccountStateError(
                f"account {account_id} is {account.account_email}"
                + (f" at {account.server_url}" if account.server_url else "")
                + ": reconnecting cannot move it to another server or user; connect that as a "
                "new account"
            )
        stored = connect.stored({**values, **kept})
        self._check(spec, stored)
        return self._renew(login, account_id, stored.secret)

    def reconnect_tokens(
        self, login: str, kind: str, account_id: int, tokens: OAuthTokens
    ) -> CalendarAccount:
        """Renew an OAuth account's grant, if the consent was given by the same account."""
        account = self._reconnectable(self.account(login, account_id), provider_spec(kind).kind)
        spec, email, secret, _ = self._granted(kind, tokens)
        if email != account.account_email:
            raise AccountStateError(
                f"access was granted by the {spec.label} account {email}, but account "
                f"{account_id} is {account.account_email}: reconnect signed in to {spec.label} "
                f"as {account.account_email}"
            )
        return self._renew(login, account_id, secret)

    # -- reading ------------------------------------------------------------------

    def accounts(self, login: str) -> list[CalendarAccount]:
        with self.engine.connect() as conn:
            return sync_accounts.accounts_of(conn, get_user(conn, login).id)

    def account(self, login: str, account_id: int) -> CalendarAccount:
        """The user's account, or `AccountError` (also for another user's account)."""
        with self.engine.connect() as conn:
            return self._owned(conn, login, account_id)

    def status(self, login: str, account_id: int, runs: int = 10) -> AccountStatus:
        with self.engine.connect() as conn:
            account = self._owned(conn, login, account_id)
            return AccountStatus(
                account=account,
                runs=sync_runs.recent_runs(conn, account_id, runs),
                item_errors=sync_links.item_errors(conn, account_id=account_id),
                linked=sync_links.count_links(conn, account_id, account.settings.calendar_id),
            )

    def activity_statuses(self, login: str, ids: list[int]) -> list[tuple[int, list[SyncStatus]]]:
        """Where each of `login`'s live activities among `ids` is synced, or why not.

        In the order asked; ids of other users' activities, deleted ones and
        unknown ones are left out alike, so the answer reveals nothing about them.
        """
        with self.engine.connect() as conn:
            found = by_ids(conn, ids)
        _accounts, statuses = self.sync_view(login, found)
        return [(found_id, statuses[found_id]) for found_id in ids if found_id in statuses]

    def sync_view(
        self, login: str, loaded: Sequence[Activity]
    ) -> tuple[list[CalendarAccount], dict[int, list[SyncStatus]]]:
        """`login`'s accounts, and where each of their activities among `loaded` is synced.

        For a caller that has loaded the activities already (a page): they are
        not read again. Other users' activities among them are left out.
        """
        with self.engine.connect() as conn:
            user = get_user(conn, login)
            accounts = sync_accounts.accounts_of(conn, user.id)
            owned = {item.id: item for item in loaded if item.owner_id == user.id}
            if not owned:
                return accounts, {}
            links = sync_links.syncs_of(conn, list(owned))
            errors = sync_links.item_errors(conn, activity_ids=list(owned))
        now = self.clock()
        return accounts, {
            activity_id: sync_status(activity, accounts, links.get(activity_id, []), errors, now)
            for activity_id, activity in owned.items()
        }

    def calendars(self, login: str, account_id: int) -> list[ExternalCalendar]:
        """The account's calendars, asked of the provider now (for picking one)."""
        account = self.account(login, account_id)
        try:
            provider = open_provider(
                account, self.box, self.settings, secret_saver(self.engine, account.id, self.clock)
            )
        except ProviderError as error:  # a secret no configured key opens
            raise ConnectError(f"connect the account again: {error}") from None
        try:
            return _calendars(provider)
        finally:
            provider.close()

    # -- changing -----------------------------------------------------------------

    def update_settings(
        self, login: str, account_id: int, changes: Mapping[str, object]
    ) -> CalendarAccount:
        """Apply some settings at once; every field is checked before anything is saved.

        Activity type keys must exist; the calendar must be one of the
        account's. Raises `SettingsError` naming the offending field.
        """
        account = self.account(login, account_id)
        merged = settings_to_json(account.settings) | dict(changes)
        settings = settings_from_json(merged)
        with self.engine.connect() as conn:
            known = set(list_activity_types(conn))
        unknown = sorted((settings.pushed_type_keys | {settings.import_type_key}) - known)
        if unknown:
            raise SettingsError(f"unknown activity type {unknown[0]!r}")
        if settings.calendar_id != account.settings.calendar_id:
            offered = {item.id for item in self.calendars(login, account_id)}
            if settings.calendar_id not in offered:
                raise SettingsError(f"calendar_id {settings.calendar_id!r} is not in the account")
        with writing(self.engine) as conn:
            sync_accounts.save_settings(conn, account_id, settings, self.clock())
            reapply_privacy(conn, account_id, account.settings, settings)
            return sync_accounts.require_account(conn, account_id)

    def start(self, login: str, account_id: int) -> CalendarAccount:
        """Start (or resume after needs_attention) syncing; the first run is due at once.

        Refused while the account needs reconnecting (`ReconnectNeeded`: a run
        would only fail again) or has no calendar chosen (`CalendarNotChosen`).
        """
        account = self.account(login, account_id)
        if account.state is AccountState.NEEDS_RECONNECT:
            raise ReconnectNeeded(
                f"account {account_id} needs reconnecting before it can sync: "
                f"{account.last_error or 'its credentials stopped working'}"
            )
        if not account.settings.calendar_id:
            raise CalendarNotChosen(account_id, self.calendars(login, account_id))
        return self._move(login, account_id, AccountState.ACTIVE)

    def stop(self, login: str, account_id: int) -> CalendarAccount:
        """Stop syncing; settings, credentials and links are kept for a later start."""
        stopped = self._move(login, account_id, AccountState.STOPPED)
        self._close_channel(stopped)
        return self.account(login, account_id)

    def apply_deletions(self, login: str, account_id: int) -> CalendarAccount:
        """The owner's "apply the deletions" for a run the mass-deletion guard held."""
        return self._choose_deletions(login, account_id, DeletionChoice.APPLY)

    def restore_deletions(self, login: str, account_id: int) -> CalendarAccount:
        """The owner's "restore" for a held run: deleted events are pushed again and
        deleted activities brought back, instead of deleting their counterparts."""
        return self._choose_deletions(login, account_id, DeletionChoice.RESTORE)

    def _choose_deletions(
        self, login: str, account_id: int, choice: DeletionChoice
    ) -> CalendarAccount:
        with writing(self.engine) as conn:
            account = self._owned(conn, login, account_id)
            if account.state is not AccountState.NEEDS_ATTENTION or not account.held_deletions:
                raise AccountStateError(f"account {account_id} holds no deletions")
            sync_accounts.choose_deletions(conn, account_id, choice.value, self.clock())
            return sync_accounts.require_account(conn, account_id)

    def sync_now(self, login: str, account_id: int) -> CalendarAccount:
        """Have the worker run the account at once; only active accounts run."""
        account = self.account(login, account_id)
        if account.state is not AccountState.ACTIVE:
            raise AccountStateError(
                f"account {account_id} is {account.state.value}: start it first"
            )
        with writing(self.engine) as conn:
            sync_accounts.request_sync(conn, account_id, self.clock())
            return sync_accounts.require_account(conn, account_id)

    def disconnect(self, login: str, account_id: int) -> None:
        """Forget the account: credentials, settings, links, errors and run history.

        Events already in the external calendar and activities already
        imported stay where they are: disconnecting never deletes user data.
        """
        self._close_channel(self.account(login, account_id))
        with writing(self.engine) as conn:
            self._owned(conn, login, account_id)
            sync_accounts.remove_account(conn, account_id)

    # -- helpers ------------------------------------------------------------------

    def _store(
        self,
        login: str,
        provider: ProviderKind,
        email: str,
        secret: str,
        calendars: list[ExternalCalendar],
        server_url: str = "",
    ) -> CalendarAccount:
        writable = [item for item in calendars if item.writable] or calendars
        primary = next((item for item in writable if item.primary), None)
        with writing(self.engine) as conn:
            user_id = get_user(conn, login).id
            types = list_activity_types(conn)
            settings = new_account_settings(types, "" if primary is None else primary.id)
            return sync_accounts.add_account(
                conn,
                user_id=user_id,
                provider=provider,
                account_email=email,
                encrypted_secret=self.box.encrypt(secret),
                settings=settings,
                now=self.clock(),
                server_url=server_url,
                display_name="" if primary is None else primary.name,
            )

    def _spec(self, kind: str) -> ProviderSpec:
        try:
            return provider_spec(kind)
        except UnknownProvider as error:
            raise ConnectError(str(error)) from None

    def _credential_spec(self, kind: str) -> tuple[ProviderSpec, CredentialConnect]:
        spec = self._spec(kind)
        if not isinstance(spec.connect, CredentialConnect):
            raise ConnectError(f"{spec.label} accounts connect through {spec.label}'s consent page")
        return spec, spec.connect

    def _oauth_app(self, kind: str) -> tuple[ProviderSpec, OAuthApp]:
        spec = self._spec(kind)
        if not isinstance(spec.connect, OAuthConnect):
            names = ", ".join(field.name for field in spec.connect.fields)
            raise ConnectError(f"{spec.label} accounts connect with credentials ({names})")
        app = spec.connect.app(self.settings.section(spec.kind))
        if app is None:
            raise ConnectError(
                f"{spec.label} is not set up on this server: {spec.connect.setup_hint}"
            )
        return spec, app

    def _open(
        self, spec: ProviderSpec, stored: StoredAccount, save: SecretSaver
    ) -> CalendarProvider:
        return spec.open(self.settings.section(spec.kind), stored, save)

    def _check(self, spec: ProviderSpec, stored: StoredAccount) -> list[ExternalCalendar]:
        """The calendars the credentials reach: proof they work, before anything is stored."""
        provider = self._open(spec, stored, lambda _renewed: None)
        try:
            return _calendars(provider)
        finally:
            provider.close()

    def _granted(
        self, kind: str, tokens: OAuthTokens
    ) -> tuple[ProviderSpec, str, str, list[ExternalCalendar]]:
        """Who granted `tokens`, the secret to store (renewed on the way, if it was) and the
        account's calendars."""
        spec = self._spec(kind)
        if not isinstance(spec.connect, OAuthConnect):
            raise ConnectError(f"{spec.label} accounts connect with credentials")
        renewed: list[str] = [tokens_secret(tokens)]
        provider = self._open(spec, StoredAccount("", "", renewed[0]), renewed.append)
        try:
            calendars = _calendars(provider)
            email = spec.connect.identify(provider, calendars)
        finally:
            provider.close()
        return spec, email, renewed[-1], calendars

    @staticmethod
    def _reconnectable(account: CalendarAccount, kind: ProviderKind) -> CalendarAccount:
        if account.provider is not kind:
            raise AccountStateError(
                f"account {account.id} is a {account.provider.value} account, "
                f"not a {kind.value} one: reconnect it as {account.provider.value}"
            )
        return account

    def _renew(self, login: str, account_id: int, secret: str) -> CalendarAccount:
        """Store checked credentials; an account that needed reconnecting syncs again at once.

        Only a run of an active account sets needs_reconnect, so such an
        account goes back to active; any other state is kept. Settings,
        links, cursor and counters are untouched: the next run goes on where
        the last good one ended.
        """
        with writing(self.engine) as conn:
            account = self._owned(conn, login, account_id)
            now = self.clock()
            sync_accounts.replace_secret(conn, account_id, self.box.encrypt(secret), now)
            if account.state is AccountState.NEEDS_RECONNECT:
                sync_accounts.set_state(conn, account_id, AccountState.ACTIVE, now)
            return sync_accounts.require_account(conn, account_id)

    def _close_channel(self, account: CalendarAccount) -> None:
        """Stop the account's push channel at the provider, best effort, and forget it."""
        if account.channel is None:
            return
        try:
            save = secret_saver(self.engine, account.id, self.clock)
            provider = open_provider(account, self.box, self.settings, save)
        except ProviderError:
            with writing(self.engine) as conn:
                sync_accounts.save_channel(conn, account.id, None, self.clock())
            return
        try:
            close_channel(self.engine, account, provider, now=self.clock)
        finally:
            provider.close()

    def _owned(self, conn: sa.Connection, login: str, account_id: int) -> CalendarAccount:
        user = get_user(conn, login)
        account = sync_accounts.get_account(conn, account_id)
        if account is None or account.user_id != user.id:
            raise AccountError(f"no calendar account {account_id}")
        return account

    def _move(self, login: str, account_id: int, state: AccountState) -> CalendarAccount:
        with writing(self.engine) as conn:
            self._owned(conn, login, account_id)
            sync_accounts.set_state(conn, account_id, state, self.clock())
            return sync_accounts.require_account(conn, account_id)

    def _user(self, login: str) -> str:
        with self.engine.connect() as conn:
            return get_user(conn, login).login


def _credentials(
    connect: CredentialConnect, values: Mapping[str, str], required: list[str]
) -> dict[str, str]:
    """The typed credentials, checked: only known fields, the required ones not empty, a
    server address http or https (CalBridge speaks nothing else to it)."""
    known = {field.name for field in connect.fields}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConnectError(f"unknown field {unknown[0]!r}: expected {', '.join(sorted(known))}")
    missing = [name for name in required if not values.get(name)]
    if missing:
        raise ConnectError(f"{missing[0]} is required")
    address = values.get(connect.server, "") if connect.server else ""
    if address:
        parts = urlsplit(address)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise errors.InvalidInput(f"{connect.server} must be an http or https address")
    return {name: value for name, value in values.items() if value}


def _calendars(provider: CalendarProvider) -> list[ExternalCalendar]:
    """The account's calendars; a refusal or outage becomes a `ConnectError` that says so.

    A refused password or grant and an unreachable server already say what
    happened in the provider's words (which server, why); anything else is
    the server refusing the connection.
    """
    try:
        calendars = provider.list_calendars()
    except (GrantRevoked, TemporaryFailure) as error:
        raise ConnectError(str(error)) from None
    except ProviderError as error:
        raise ConnectError(f"the calendar server refused the connection: {error}") from None
    if not calendars:
        raise ConnectError("the account has no calendar CalBridge could sync with")
    return calendars
