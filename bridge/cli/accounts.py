"""`calbridge account ...`: connect calendar accounts and manage their sync.

Every command acts as one CRM user (`--user`) through `CalendarAccounts`,
the same service the JSON API calls, so another user's account is "no
calendar account N" here too. Passwords come from a prompt or stdin, never
from an option, so they stay out of shell history and process lists.

The `connect` commands and their options come from the provider registry
(`bridge.providers.registry`), whose specs are cheap to import. The account
service loads providers (and the OAuth callback the web app's), which takes
longer than the whole of `calbridge --help` should: it is imported inside
the commands that use it, never when the parser is built.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import queue
import sys
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from bridge.accounts import AccountState, CalendarAccount
from bridge.cli.common import CliError, database, print_table, read_password
from bridge.providers.registry import PROVIDERS, provider_spec
from bridge.providers.spec import CredentialConnect, CredentialField, ProviderSpec, callback_url
from bridge.store.sync_settings import settings_to_json

if TYPE_CHECKING:
    from bridge.calendar_accounts import AccountStatus, CalendarAccounts, Consented
    from bridge.cli.loopback import LoopbackRedirect
    from bridge.config import Settings
    from bridge.providers import ExternalCalendar

LIST_SETTING = "pushed_type_keys"
"""The one list-valued setting, which `--set` also takes as comma-separated keys."""
ERROR_WIDTH = 60


def register(commands: argparse._SubParsersAction) -> None:
    group = commands.add_parser(
        "account", help="connect calendar accounts and manage their sync"
    ).add_subparsers(dest="account_command", required=True, metavar="COMMAND")

    connect = group.add_parser("connect", help="connect a calendar account")
    kinds = connect.add_subparsers(dest="provider", required=True, metavar="PROVIDER")
    for spec in PROVIDERS:
        _connect_command(kinds, spec)

    reconnect = group.add_parser(
        "reconnect",
        help="give an account a new password or grant; settings, links and cursor stay",
    )
    reconnect.add_argument("id", type=int)
    reconnect.add_argument("--user", required=True)
    for secret in _secret_fields():
        reconnect.add_argument(
            f"--{secret.name}-stdin",
            action="store_true",
            help=f"read the new {secret.name} from stdin (accounts that connect with one)",
        )
    _consent_options(reconnect)
    reconnect.set_defaults(handler=reconnect_account)

    listing = group.add_parser("list", help="list the user's calendar accounts")
    listing.add_argument("--user", required=True)
    listing.set_defaults(handler=show_accounts)

    settings = group.add_parser("settings", help="show or change an account's sync settings")
    settings.add_argument("id", type=int)
    settings.add_argument("--user", required=True)
    settings.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a JSON value or plain text; pushed_type_keys also takes call,meeting",
    )
    settings.set_defaults(handler=change_settings)

    for name, handler, text in (
        ("start", start, "start (or resume) syncing"),
        ("stop", stop, "stop syncing; settings and links are kept"),
        ("sync-now", sync_now, "have the worker sync the account at once"),
        ("apply-deletions", apply_deletions, "carry out the deletions a held run listed"),
        ("restore", restore_deletions, "bring back what a held run would have deleted"),
        ("status", show_status, "state, counters, recent runs and item errors"),
        ("calendars", show_calendars, "the account's calendars, to pick calendar_id from"),
        ("disconnect", disconnect, "forget the account (calendar events and activities stay)"),
    ):
        command = group.add_parser(name, help=text)
        command.add_argument("id", type=int)
        command.add_argument("--user", required=True)
        command.set_defaults(handler=handler)
    activities = group.add_parser(
        "activities", help="where some of the user's activities are synced, or why not"
    )
    activities.add_argument("ids", type=int, nargs="+", metavar="ACTIVITY_ID")
    activities.add_argument("--user", required=True)
    activities.set_defaults(handler=show_activities)


def _connect_command(kinds: argparse._SubParsersAction, spec: ProviderSpec) -> None:
    """`account connect KIND`: the options the provider's way of connecting asks for."""
    connect = spec.connect
    if isinstance(connect, CredentialConnect):
        command = kinds.add_parser(
            spec.kind.value, help=f"connect a {spec.label} account (checked at once)"
        )
        command.add_argument("--user", required=True, help="the CRM user connecting it")
        for field in connect.fields:
            if field.secret:
                command.add_argument(
                    f"--{field.name}-stdin",
                    action="store_true",
                    help=f"read {field.help} from stdin",
                )
            else:
                command.add_argument(f"--{field.name}", required=True, help=field.help)
        command.set_defaults(handler=connect_with_credentials)
        return
    command = kinds.add_parser(
        spec.kind.value, help=f"connect a {spec.label} account (consent in a browser)"
    )
    command.add_argument("--user", required=True, help="the CRM user connecting it")
    _consent_options(command)
    command.set_defaults(handler=connect_by_consent)


def _secret_fields() -> list[CredentialField]:
    """The secret fields of every provider that connects with credentials, once each."""
    found: dict[str, CredentialField] = {}
    for spec in PROVIDERS:
        if isinstance(spec.connect, CredentialConnect):
            for field in spec.connect.fields:
                if field.secret:
                    found.setdefault(field.name, field)
    return list(found.values())


def _consent_options(command: argparse.ArgumentParser) -> None:
    where = command.add_mutually_exclusive_group()
    where.add_argument(
        "--redirect-uri",
        help="consent: where the provider sends the browser (default: PUBLIC_URL's callback); "
        "paste the address it lands on",
    )
    where.add_argument(
        "--loopback",
        nargs="?",
        const=0,
        type=int,
        metavar="PORT",
        help="consent: receive the answer on http://127.0.0.1:PORT/ (any free port if none is "
        "given) and finish by itself; needs an OAuth client that accepts that address",
    )


@contextlib.contextmanager
def calendar_accounts(settings: Settings) -> Iterator[CalendarAccounts]:
    """The account service over the configured database, key and providers."""
    from bridge.calendar_accounts import CalendarAccounts
    from bridge.secrets import SecretError, box_from_settings

    with database(settings) as engine:
        try:
            box = box_from_settings(settings.secret_key, settings.secret_key_file)
        except SecretError as error:
            raise CliError(str(error)) from None
        yield CalendarAccounts(engine, box, settings)


# -- connecting -----------------------------------------------------------------------


def connect_with_credentials(args: argparse.Namespace, settings: Settings) -> int:
    connect = _credential_connect(args.provider)
    values = {
        field.name: _secret(args.provider, field, getattr(args, f"{field.name}_stdin"))
        if field.secret
        else getattr(args, field.name)
        for field in connect.fields
    }
    with calendar_accounts(settings) as accounts, _pointing_to_reconnect(args.user):
        account = accounts.connect(args.user, args.provider, values)
        _print_connected(accounts, args.user, account)
    return 0


def _credential_connect(kind: str) -> CredentialConnect:
    connect = provider_spec(kind).connect
    assert isinstance(connect, CredentialConnect), "the parser offers credentials only for these"
    return connect


@contextlib.contextmanager
def _pointing_to_reconnect(login: str) -> Iterator[None]:
    """An account connected already: say the command that renews its credentials instead."""
    from bridge.store.sync_accounts import AlreadyConnected

    try:
        yield
    except AlreadyConnected as error:
        command = f"calbridge account reconnect {error.account_id} --user {login}"
        raise CliError(f"{error} (`{command}`)") from None


def _secret(kind: str, field: CredentialField, from_stdin: bool) -> str:
    """A secret credential: one line of stdin, or asked for once on a terminal.

    It is checked against the server at once, so it is not asked for twice.
    """
    if not from_stdin and not sys.stdin.isatty():
        raise CliError(
            f"no terminal to ask for the {field.name} on: pipe it with --{field.name}-stdin"
        )
    return read_password(None, f"{provider_spec(kind).label} {field.name}: ", confirm=False)


def connect_by_consent(args: argparse.Namespace, settings: Settings) -> int:
    with calendar_accounts(settings) as accounts, _pointing_to_reconnect(args.user):
        consented = _consent(accounts, args, settings, args.provider)
        _print_connected(accounts, args.user, consented.account)
    return 0


def _consent(
    accounts: CalendarAccounts,
    args: argparse.Namespace,
    settings: Settings,
    kind: str,
    account_id: int | None = None,
) -> Consented:
    """Run the provider's consent for a new account, or to reconnect `account_id`.

    The answer is pasted, or with `--loopback` received by a listener on
    127.0.0.1 (a paste still counts, for a browser on another machine).
    """
    from bridge.cli.loopback import LoopbackRedirect

    label = provider_spec(kind).label
    if args.loopback is None:
        redirect_uri = args.redirect_uri or callback_url(settings.base_url, kind)
        url, nonce = accounts.consent_url(args.user, kind, redirect_uri, account_id, pasted=True)
        _show_consent(
            label,
            url,
            "Then paste the address the browser was sent to (or the code and the state):",
        )
        answer = sys.stdin.readline()
    else:
        try:
            receiver = LoopbackRedirect(args.loopback, label)
        except OSError as error:
            raise CliError(f"cannot listen on 127.0.0.1:{args.loopback}: {error}") from None
        with receiver:
            url, nonce = accounts.consent_url(
                args.user, kind, receiver.redirect_uri, account_id, pasted=True
            )
            _show_consent(
                label,
                url,
                "This command finishes when the browser comes back (a browser on another "
                "machine cannot: paste the address it ends on here instead).",
            )
            answer = _first_answer(receiver)
    if not answer.strip():
        raise CliError(f"nothing pasted: connect again and paste the address {label} sent to")
    code, state = consent_answer(answer, label)
    return accounts.finish_consent(kind, state, code, nonce)


def _show_consent(label: str, url: str, then: str) -> None:
    print(f"Open this address, sign in to {label} and allow access:", file=sys.stderr)
    print(url, flush=True)
    print(then, file=sys.stderr)


def _first_answer(receiver: LoopbackRedirect) -> str:
    """What comes first: the browser at the loopback address, or a line pasted on stdin."""
    from bridge.calendar_accounts import CONSENT_LIFETIME

    def read_pasted() -> None:
        line = sys.stdin.readline()
        if line.strip():  # stdin at its end is no answer: the browser may still come
            receiver.answers.put(line)

    threading.Thread(target=read_pasted, daemon=True).start()
    try:
        return receiver.answers.get(timeout=CONSENT_LIFETIME.total_seconds())
    except queue.Empty:
        raise CliError("no answer from the browser in time: connect again") from None


def reconnect_account(args: argparse.Namespace, settings: Settings) -> int:
    """New credentials for an account: its secret (a password), or the consent once more."""
    with calendar_accounts(settings) as accounts:
        account = accounts.account(args.user, args.id)
        connect = provider_spec(account.provider).connect
        if isinstance(connect, CredentialConnect):
            field = next(field for field in connect.fields if field.name == connect.secret)
            secret = _secret(account.provider, field, getattr(args, f"{field.name}_stdin"))
            account = accounts.reconnect(args.user, args.id, {field.name: secret})
        else:
            account = _consent(accounts, args, settings, account.provider, args.id).account
    print(
        f"account {account.id} reconnected ({account.account_email}); settings, links and "
        f"sync position are kept; it is {account.state.value}"
    )
    return 0


def consent_answer(line: str, label: str) -> tuple[str, str]:
    """The code and state from the redirected address, its query, or "CODE STATE".

    The browser lands on the redirect URI even when nothing serves it, so the
    address bar is what a user of the command line can paste.
    """
    text = line.strip()
    if "=" in text:
        query = parse_qs(urlsplit(text).query or text)
        if "error" in query:
            raise CliError(
                f"{label} did not grant access ({query['error'][0]}): "
                "run the command again and allow access"
            )
        code, state = query.get("code", [""])[0], query.get("state", [""])[0]
    else:
        parts = text.split()
        code, state = parts if len(parts) == 2 else ("", "")
    if not code or not state:
        raise CliError(
            f"paste the whole address {label} sent the browser to (with code= and state=)"
        )
    return code, state


def _print_connected(accounts: CalendarAccounts, login: str, account: CalendarAccount) -> None:
    print(f"connected {account.provider.value} account {account.id} ({account.account_email})")
    _print_calendars(accounts.calendars(login, account.id), account)
    if not account.settings.calendar_id:
        print(_how_to_choose(account.id, login))
    print(f"it is stopped: start it with `calbridge account start {account.id} --user {login}`")


def _print_calendars(calendars: list[ExternalCalendar], account: CalendarAccount) -> None:
    print_table(
        ("CALENDAR", "NAME", "PRIMARY", "WRITABLE", "SYNCED"),
        [
            (
                item.id,
                item.name,
                _yes(item.primary),
                _yes(item.writable),
                _yes(item.id == account.settings.calendar_id),
            )
            for item in calendars
        ],
    )


def _how_to_choose(account_id: int, login: str) -> str:
    return (
        "no calendar is chosen (the server names no default): pick one with "
        f"`calbridge account settings {account_id} --user {login} --set calendar_id=CALENDAR`"
    )


# -- reading --------------------------------------------------------------------------


def show_accounts(args: argparse.Namespace, settings: Settings) -> int:
    with calendar_accounts(settings) as accounts:
        found = accounts.accounts(args.user)
    print_table(
        (
            "ID",
            "PROVIDER",
            "ACCOUNT",
            "CALENDAR",
            "STATE",
            "LAST-SUCCESS",
            "LAST-ERROR",
            "PUSHED/IMPORTED/FAILED",
        ),
        [
            (
                account.id,
                account.provider.value,
                account.account_email,
                account.settings.calendar_id or "(none chosen)",
                account.state.value,
                _when(account.last_success_at),
                _short(account.last_error),
                f"{account.pushed}/{account.imported}/{account.failed}",
            )
            for account in found
        ],
    )
    return 0


def show_status(args: argparse.Namespace, settings: Settings) -> int:
    with calendar_accounts(settings) as accounts:
        status = accounts.status(args.user, args.id)
    _print_status(status, args.user)
    return 0


def show_calendars(args: argparse.Namespace, settings: Settings) -> int:
    with calendar_accounts(settings) as accounts:
        account = accounts.account(args.user, args.id)
        calendars = accounts.calendars(args.user, args.id)
    _print_calendars(calendars, account)
    if not account.settings.calendar_id:
        print(_how_to_choose(account.id, args.user))
    return 0


def _state_text(account: CalendarAccount, login: str) -> str:
    """The state, and for one that needs reconnecting the command that does it."""
    if account.state is AccountState.NEEDS_RECONNECT:
        return (
            f"{account.state.value}: run `calbridge account reconnect {account.id} --user {login}`"
        )
    if account.state is AccountState.NEEDS_ATTENTION and account.held_deletions:
        return (
            f"{account.state.value}: {len(account.held_deletions)} deletions held; run "
            f"`calbridge account apply-deletions {account.id} --user {login}` or "
            f"`calbridge account restore {account.id} --user {login}`"
        )
    return account.state.value


def _print_status(status: AccountStatus, login: str) -> None:
    account = status.account
    print(f"account {account.id}: {account.provider.value} {account.account_email}")
    counters = f"pushed {account.pushed}, imported {account.imported}, failed {account.failed}"
    for label, value in (
        ("calendar", account.settings.calendar_id or "(none chosen)"),
        ("state", _state_text(account, login)),
        ("last success", _when(account.last_success_at)),
        ("last error", account.last_error or "-"),
        ("counters", counters),
        ("linked events", status.linked),
    ):
        print(f"{label + ':':<15}{value}")
    print("\nrecent runs:")
    print_table(
        ("STARTED", "OUTCOME", "PUSHED", "IMPORTED", "DELETED", "FAILED", "MESSAGE"),
        [
            (
                _when(run.started_at),
                run.outcome.value if run.outcome else "unfinished",
                run.counts.pushed,
                run.counts.imported,
                run.counts.deleted,
                run.counts.failed,
                run.message or "-",
            )
            for run in status.runs
        ],
    )
    if account.held_deletions:
        print("\nheld deletions:")
        print_table(
            ("ACTIVITY", "DELETED IN"),
            [(held["activity_id"], held["deleted_in"]) for held in account.held_deletions],
        )
    print("\nitem errors:")
    print_table(
        ("AT", "ACTIVITY", "EVENT", "MESSAGE"),
        [
            (_when(error.at), error.activity_id or "-", error.external_id or "-", error.message)
            for error in status.item_errors
        ],
    )


# -- changing -------------------------------------------------------------------------


def change_settings(args: argparse.Namespace, settings: Settings) -> int:
    changes = setting_changes(args.set)
    with calendar_accounts(settings) as accounts:
        if changes:
            account = accounts.update_settings(args.user, args.id, changes)
        else:
            account = accounts.account(args.user, args.id)
    print_table(
        ("SETTING", "VALUE"),
        [(key, _setting_text(value)) for key, value in settings_to_json(account.settings).items()],
    )
    return 0


def setting_changes(assignments: list[str]) -> dict[str, object]:
    """`--set KEY=VALUE` options as a changes mapping; the service checks the values."""
    changes: dict[str, object] = {}
    for assignment in assignments:
        key, equals, text = assignment.partition("=")
        key = key.strip()
        if not equals or not key:
            raise CliError(f"--set takes KEY=VALUE, not {assignment!r}")
        try:
            value: object = json.loads(text)
        except ValueError:
            value = text
        if key == LIST_SETTING and isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        changes[key] = value
    return changes


def _setting_text(value: object) -> str:
    """A setting as `--set` takes it back: lists comma-separated, JSON spelling for flags."""
    if isinstance(value, list):
        return ",".join(value) or "(none)"
    if isinstance(value, bool):
        return json.dumps(value)
    return str(value)


def start(args: argparse.Namespace, settings: Settings) -> int:
    from bridge.calendar_accounts import CalendarNotChosen, ReconnectNeeded

    with calendar_accounts(settings) as accounts:
        try:
            accounts.start(args.user, args.id)
        except ReconnectNeeded as error:
            raise CliError(
                f"{error}; run `calbridge account reconnect {args.id} --user {args.user}`"
            ) from None
        except CalendarNotChosen as error:
            rows = [(item.id, item.name) for item in error.calendars]
            print_table(("CALENDAR", "NAME"), rows)
            raise CliError(
                f"account {args.id} has no calendar chosen (its server names no default): pick "
                f"one above with `calbridge account settings {args.id} --user {args.user} "
                "--set calendar_id=CALENDAR`, then start it"
            ) from None
    print(f"account {args.id} started: the first sync is due now")
    return 0


def stop(args: argparse.Namespace, settings: Settings) -> int:
    with calendar_accounts(settings) as accounts:
        accounts.stop(args.user, args.id)
    print(f"account {args.id} stopped: settings, credentials and links are kept")
    return 0


def sync_now(args: argparse.Namespace, settings: Settings) -> int:
    with calendar_accounts(settings) as accounts:
        accounts.sync_now(args.user, args.id)
    print(f"account {args.id}: sync requested, the worker runs it shortly")
    return 0


def apply_deletions(args: argparse.Namespace, settings: Settings) -> int:
    with calendar_accounts(settings) as accounts:
        account = accounts.apply_deletions(args.user, args.id)
    print(f"account {args.id}: the {len(account.held_deletions)} held deletions are applied next")
    return 0


def restore_deletions(args: argparse.Namespace, settings: Settings) -> int:
    with calendar_accounts(settings) as accounts:
        account = accounts.restore_deletions(args.user, args.id)
    print(
        f"account {args.id}: the {len(account.held_deletions)} held items are restored next "
        "(deleted events pushed again, deleted activities brought back)"
    )
    return 0


def disconnect(args: argparse.Namespace, settings: Settings) -> int:
    with calendar_accounts(settings) as accounts:
        accounts.disconnect(args.user, args.id)
    print(
        f"account {args.id} disconnected: its credentials, settings, links and runs are "
        "forgotten; events already in the calendar and activities imported from it stay"
    )
    return 0


# -- formatting -----------------------------------------------------------------------


def _when(moment: dt.datetime | None) -> str:
    return "never" if moment is None else f"{moment.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"


def _short(text: str | None) -> str:
    if not text:
        return "-"
    line = " ".join(text.split())
    return line if len(line) <= ERROR_WIDTH else line[: ERROR_WIDTH - 1] + "…"


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def show_activities(args: argparse.Namespace, settings: Settings) -> int:
    """One line per activity and account: synced (calendar, when) or the reason it is not."""
    with calendar_accounts(settings) as accounts:
        found = accounts.activity_statuses(args.user, list(dict.fromkeys(args.ids)))
    rows = [
        (
            str(activity_id),
            str(entry.account_id),
            entry.account_email,
            f"synced to {entry.calendar_id} at {entry.synced_at:%Y-%m-%d %H:%M} UTC"
            if entry.synced_at is not None
            else f"not synced: {entry.reason}",
        )
        for activity_id, entries in found
        for entry in entries
    ]
    if not rows:
        print("no such activities of this user, or no connected accounts")
        return 0
    print_table(("ACTIVITY", "ACCOUNT", "E-MAIL", "STATUS"), rows)
    return 0
