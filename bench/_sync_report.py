"""The sync benchmark's table: each measure, its target, and whether the target was met.

A missed target is printed as MISSED in red and counted under the table,
so a run says at a glance what CalBridge still has to fix; the detail
column carries what explains the figure (requests per endpoint, run time).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console
from rich.table import Table


@dataclass(frozen=True)
class Row:
    """One measure; `met` is None for a figure that has no target (it only informs)."""

    measure: str
    measured: str
    target: str = ""
    met: bool | None = None
    detail: str = ""


def _verdict(met: bool | None) -> str:
    if met is None:
        return ""
    return "[green]met[/]" if met else "[bold red]MISSED[/]"


def print_table(console: Console, title: str, rows: list[Row]) -> None:
    table = Table(title=title, show_lines=True)
    table.add_column("measure")
    table.add_column("measured", justify="right")
    table.add_column("target", justify="right")
    table.add_column("")
    table.add_column("detail")
    for row in rows:
        table.add_row(row.measure, row.measured, row.target, _verdict(row.met), row.detail)
    console.print(table)
    missed = [row.measure for row in rows if row.met is False]
    if missed:
        console.print(f"[bold red]MISSED {len(missed)} target(s):[/] " + "; ".join(missed))
    else:
        console.print("[green]every target met[/]")
