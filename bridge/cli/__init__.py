"""The `calbridge` command: one module per command group, joined here.

Each module's ``register`` adds its sub-commands and sets a ``handler``
taking the parsed arguments and the settings. Failures a user can fix
(`CliError`, and the store's ``ValueError`` subclasses such as an unknown or
duplicate user) end as one line on stderr and exit status 1; usage errors
exit 2, as argparse does.
"""

from __future__ import annotations

import argparse
import sys

import sqlalchemy as sa

from bridge.cli import accounts, demo, feeds, migrate, serve, transfer, users, worker
from bridge.cli.common import CliError
from bridge.config import get_settings

GROUPS = (migrate, users, feeds, accounts, transfer, demo, serve, worker)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="calbridge",
        description="A CRM's activities in the calendars people already use.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in GROUPS:
        group.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        return args.handler(args, get_settings())
    except CliError as error:
        return _fail(str(error), error.status)
    except ValueError as error:
        return _fail(str(error), 1)
    except sa.exc.OperationalError as error:
        return _fail(f"database unavailable: {str(error.orig).strip().splitlines()[0]}", 1)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)


def _fail(message: str, status: int) -> int:
    print(f"calbridge: error: {message}", file=sys.stderr)
    return status
