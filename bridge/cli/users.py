"""`calbridge user ...`: accounts and the app passwords calendar clients sign in with.

The store brings SQLAlchemy, the iCalendar package and Radicale with it, so
each command imports it when it runs: building the parser for `--help` stays quick.
"""

from __future__ import annotations

import argparse
import zoneinfo
from typing import TYPE_CHECKING

from bridge.cli.common import CliError, database, print_table, read_password

if TYPE_CHECKING:
    from bridge.config import Settings


def register(commands: argparse._SubParsersAction) -> None:
    group = commands.add_parser("user", help="manage users").add_subparsers(
        dest="user_command", required=True, metavar="COMMAND"
    )

    add = group.add_parser("add", help="create a user")
    add.add_argument("login")
    add.add_argument("--name", default="")
    add.add_argument("--email", default="")
    add.add_argument("--timezone", default="UTC")
    add.add_argument("--password", help="default: prompt, or one line of stdin when piped")
    add.set_defaults(handler=add_user)

    passwd = group.add_parser("passwd", help="set a user's password")
    passwd.add_argument("login")
    passwd.add_argument("--password", help="default: prompt, or one line of stdin when piped")
    passwd.set_defaults(handler=change_password)

    app = group.add_parser(
        "app-password", help="the app passwords calendar clients sign in with"
    ).add_subparsers(dest="app_password_command", required=True, metavar="COMMAND")

    app_add = app.add_parser("add", help="create an app password; it is printed once")
    app_add.add_argument("login")
    app_add.add_argument("--label", default="")
    app_add.set_defaults(handler=new_app_password)

    app_list = app.add_parser("list", help="list a user's app passwords (never the secrets)")
    app_list.add_argument("login")
    app_list.set_defaults(handler=show_app_passwords)

    app_revoke = app.add_parser("revoke", help="revoke an app password: it stops working at once")
    app_revoke.add_argument("login")
    app_revoke.add_argument("id", type=int, help="the ID that `app-password list` shows")
    app_revoke.set_defaults(handler=revoke)

    group.add_parser("list", help="list users").set_defaults(handler=show_users)


def add_user(args: argparse.Namespace, settings: Settings) -> int:
    _check_timezone(args.timezone)
    from bridge.store.db import writing
    from bridge.store.users import create_user

    password = read_password(args.password)
    with database(settings) as engine, writing(engine) as conn:
        user = create_user(
            conn,
            args.login,
            password,
            name=args.name,
            email=args.email,
            timezone=args.timezone,
        )
    print(f"created user {user.login}")
    return 0


def _check_timezone(name: str) -> None:
    """Refused here because a bad zone would only surface later, when events are rendered."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise CliError(
            f"unknown time zone {name!r} (use an IANA name like Europe/Berlin)"
        ) from error


def change_password(args: argparse.Namespace, settings: Settings) -> int:
    from bridge.store.db import writing
    from bridge.store.users import set_password

    password = read_password(args.password, "New password: ")
    with database(settings) as engine, writing(engine) as conn:
        set_password(conn, args.login, password)
    print(f"password of {args.login} changed")
    return 0


def new_app_password(args: argparse.Namespace, settings: Settings) -> int:
    from bridge.store.db import writing
    from bridge.store.users import add_app_password

    with database(settings) as engine, writing(engine) as conn:
        secret = add_app_password(conn, args.login, args.label)
    print(secret)
    return 0


def show_app_passwords(args: argparse.Namespace, settings: Settings) -> int:
    from bridge.store.users import list_app_passwords

    with database(settings) as engine, engine.connect() as conn:
        found = list_app_passwords(conn, args.login)
    print_table(
        ("ID", "LABEL", "CREATED"),
        [(entry.id, entry.label or "-", f"{entry.created_at:%Y-%m-%d %H:%M}") for entry in found],
    )
    return 0


def revoke(args: argparse.Namespace, settings: Settings) -> int:
    from bridge.store.db import writing
    from bridge.store.users import revoke_app_password

    with database(settings) as engine, writing(engine) as conn:
        revoke_app_password(conn, args.login, args.id)
    print(f"app password {args.id} of {args.login} revoked")
    return 0


def show_users(_args: argparse.Namespace, settings: Settings) -> int:
    from bridge.store.users import list_users

    with database(settings) as engine, engine.connect() as conn:
        users = list_users(conn)
    print_table(
        ("LOGIN", "NAME", "EMAIL", "TIMEZONE"),
        [(user.login, user.name, user.email, user.timezone) for user in users],
    )
    return 0
