"""The `calbridge` command: one module per command group, joined here.

Each module's ``register`` adds its sub-commands and sets a ``handler``
taking the parsed arguments and the settings. Failures a user can fix
(`bridge.errors.UserError`: `CliError`, an unknown or duplicate user, a bad
setting) end as one line on stderr and exit status 1; usage errors exit 2,
as argparse does. Anything else is a bug: its traceback goes to stderr and
the exit status is 2, so a script cannot mistake it for the user's mistake.
A reader that stops reading (`calbridge account list | head -2`) ends the
command quietly, as it ends `ls` or `grep`.

Building the parser imports no database, settings or provider code: `--help`
and usage errors answer at once, and each command imports what it uses.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback

from bridge.cli import accounts, demo, feeds, migrate, serve, transfer, users, worker
from bridge.cli.common import CliError
from bridge.errors import UserError

GROUPS = (migrate, users, feeds, accounts, transfer, demo, serve, worker)
CLOSED_PIPE_STATUS = 128 + 13
"""What a shell reports for a command ended by SIGPIPE."""
BUG_STATUS = 2
"""A failure that is not the user's: the traceback is on stderr."""


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
        return _run(args)
    except Exception:
        traceback.print_exc()
        return BUG_STATUS


def _run(args: argparse.Namespace) -> int:
    """The command's status; a user's mistake is one line on stderr, a bug propagates."""
    import sqlalchemy as sa

    from bridge.config import get_settings

    try:
        settings = get_settings()
    except ValueError as error:  # the settings' parsers (pydantic, TOML): a setting to fix
        return _fail(str(error), 1)
    try:
        status = args.handler(args, settings)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit
        return status
    except BrokenPipeError:
        return _reader_gone()
    except CliError as error:
        return _fail(str(error), error.status)
    except UserError as error:
        return _fail(str(error), 1)
    except sa.exc.OperationalError as error:
        return _fail(f"database unavailable: {str(error.orig).strip().splitlines()[0]}", 1)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)


def _reader_gone() -> int:
    """Stop writing to a stdout nobody reads; the interpreter's last flush must not fail.

    Python's own advice (the `signal` module's notes on SIGPIPE): point the
    descriptor at /dev/null rather than restore SIGPIPE's default, which would
    also kill the process over a closed network connection.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return CLOSED_PIPE_STATUS


def _fail(message: str, status: int) -> int:
    print(f"calbridge: error: {message}", file=sys.stderr)
    return status
