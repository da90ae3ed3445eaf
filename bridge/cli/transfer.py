"""`calbridge import` and `calbridge export`: .ics files in and out of a user's activities.

The transfer code (the iCalendar package, Radicale) and rich's progress bar are
imported by the command that uses them, not when the parser is built.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bridge.cli.common import CliError, database

if TYPE_CHECKING:
    from bridge.config import Settings
    from bridge.transfer import ImportReport

# Enough failures to see what went wrong without burying the summary.
SHOWN_FAILURES = 20


def register(commands: argparse._SubParsersAction) -> None:
    load = commands.add_parser("import", help="import an .ics file into a user's activities")
    load.add_argument("file", type=Path, metavar="FILE.ics")
    load.add_argument("--user", required=True)
    load.add_argument("--type", help="activity type of imported events (default: the user's)")
    load.set_defaults(handler=run_import)

    dump = commands.add_parser("export", help="write a user's activities as one .ics file")
    dump.add_argument("--user", required=True)
    dump.add_argument("--output", type=Path, help="default: standard output")
    dump.set_defaults(handler=run_export)


def run_import(args: argparse.Namespace, settings: Settings) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from bridge.transfer import import_calendar

    text = _read(args.file)
    console = Console(stderr=True)
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with (
        database(settings) as engine,
        Progress(*columns, console=console, disable=not console.is_terminal) as bar,
    ):
        task = bar.add_task("importing", total=None)
        report = import_calendar(
            engine,
            text,
            login=args.user,
            type_key=args.type,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    _print_report(report)
    return 0


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise CliError(f"{path}: not a UTF-8 text file") from error
    except OSError as error:
        raise CliError(f"{path}: {error.strerror}") from error


def _print_report(report: ImportReport) -> None:
    print(
        f"imported {report.imported}, skipped {report.skipped} (already there), "
        f"failed {len(report.failed)}"
    )
    for failure in report.failed[:SHOWN_FAILURES]:
        where = f"object {failure.position}" + (f" (UID {failure.uid})" if failure.uid else "")
        print(f"  {where}: {failure.reason}", file=sys.stderr)
    if len(report.failed) > SHOWN_FAILURES:
        print(f"  ... and {len(report.failed) - SHOWN_FAILURES} more", file=sys.stderr)


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    from bridge.transfer import export_calendar

    with database(settings) as engine:
        text = export_calendar(engine, args.user)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        args.output.write_text(text, encoding="utf-8", newline="")
    except OSError as error:
        raise CliError(f"{args.output}: {error.strerror}") from error
    print(f"wrote {args.output}", file=sys.stderr)
    return 0
