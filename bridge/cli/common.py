"""What every command shares: the error type, the database handle, passwords, tables.

Commands raise `CliError`, or another `bridge.errors.UserError`, for anything
the user can fix; `bridge.cli.main` turns it into one line on stderr and an
exit status instead of a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from bridge.errors import InvalidInput

if TYPE_CHECKING:
    import sqlalchemy as sa

    from bridge.config import Settings

Handler = Callable[[argparse.Namespace, "Settings"], int]


class CliError(InvalidInput):
    """A failure the user can fix on the command line; ``status`` is the process exit status."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


@contextlib.contextmanager
def database(settings: Settings) -> Iterator[sa.Engine]:
    """An engine on a migrated database, disposed when the command ends.

    A missing schema is reported as such rather than as the first query's
    "no such table", which would not tell the user what to do.
    """
    import sqlalchemy as sa

    from bridge.store.db import create_engine

    engine = create_engine(settings.database_url)
    try:
        if not sa.inspect(engine).has_table("alembic_version"):
            raise CliError("the database has no schema yet: run `calbridge migrate` first")
        yield engine
    finally:
        engine.dispose()


def read_password(given: str | None, prompt: str = "Password: ", *, confirm: bool = True) -> str:
    """The password from the option, a prompt on a terminal, or one line of stdin.

    Reading stdin keeps passwords out of shell history and process lists in scripts.
    A new password is asked for twice (`confirm`); one checked at once is not.
    """
    if given is not None:
        password = given
    elif sys.stdin.isatty():
        password = getpass.getpass(prompt)
        if confirm and getpass.getpass("Repeat: ") != password:
            raise CliError("the passwords do not match")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise CliError("the password must not be empty")
    return password


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Plain aligned columns: readable on a terminal and easy to cut in scripts."""
    cells = [list(headers), *([str(value) for value in row] for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for row in cells:
        print(
            "  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip()
        )


def feed_url(settings: Settings, token: str) -> str:
    return f"{settings.base_url}/feeds/{token}.ics"
