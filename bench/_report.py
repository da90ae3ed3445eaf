"""The result table: each request's median on both servers, the ratio, and the target.

Targets are printed next to the figures so a run says at a glance whether
CalBridge still meets what it promises, not just how fast it was.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from _dav import Sample
from rich.console import Console
from rich.table import Table


@dataclass(frozen=True)
class Goal:
    """What CalBridge promises for a request: a time ceiling, a speed-up over Radicale, or both."""

    max_ms: float | None = None
    min_ratio: float | None = None

    def describe(self) -> str:
        parts = []
        if self.min_ratio is not None:
            parts.append(f">={self.min_ratio:g}x")
        if self.max_ms is not None:
            parts.append(f"<{self.max_ms:g} ms")
        return ", ".join(parts)

    def met(self, calbridge_ms: float, ratio: float | None) -> bool:
        fast_enough = self.max_ms is None or calbridge_ms < self.max_ms
        ahead_enough = self.min_ratio is None or (ratio is not None and ratio >= self.min_ratio)
        return fast_enough and ahead_enough


@dataclass(frozen=True)
class Stat:
    """One request kind on one server: median time, items in the answer, how many runs."""

    ms: float
    items: int
    runs: int

    @classmethod
    def of(cls, samples: Sequence[Sample]) -> Stat:
        """The median; the item count of the last run (runs agree unless something broke)."""
        return cls(statistics.median(s.ms for s in samples), samples[-1].items, len(samples))


@dataclass(frozen=True)
class Row:
    """One request kind; ``radicale`` is None where Radicale has no counterpart."""

    request: str
    calbridge: Stat
    radicale: Stat | None = None
    goal: Goal | None = None

    @property
    def ratio(self) -> float | None:
        """Radicale's time over CalBridge's: how many times faster CalBridge answered."""
        if self.radicale is None:
            return None
        return self.radicale.ms / max(self.calbridge.ms, 1e-6)


def _ms(stat: Stat | None) -> str:
    return "—" if stat is None else f"{stat.ms:,.1f}"


def _ratio(ratio: float | None) -> str:
    if ratio is None:
        return "—"
    if ratio < 1:
        return f"{1 / ratio:,.1f}x slower"
    return f"{ratio:,.1f}x faster"


def _both(row: Row, field: str) -> str:
    """A per-server count as "Radicale / CalBridge", or CalBridge's alone."""
    mine = f"{getattr(row.calbridge, field):,}"
    return mine if row.radicale is None else f"{getattr(row.radicale, field):,} / {mine}"


def _verdict(row: Row) -> str:
    if row.goal is None:
        return ""
    return "[green]met[/]" if row.goal.met(row.calbridge.ms, row.ratio) else "[red]MISSED[/]"


def print_table(console: Console, title: str, rows: list[Row]) -> None:
    table = Table(title=title)
    table.add_column("request")
    table.add_column("Radicale ms", justify="right")
    table.add_column("CalBridge ms", justify="right")
    table.add_column("ratio", justify="right")
    table.add_column("items R / C", justify="right")
    table.add_column("runs R / C", justify="right")
    table.add_column("target (CalBridge)")
    table.add_column("")
    for row in rows:
        goal = row.goal.describe() if row.goal is not None else ""
        table.add_row(
            row.request,
            _ms(row.radicale),
            _ms(row.calbridge),
            _ratio(row.ratio),
            _both(row, "items"),
            _both(row, "runs"),
            goal,
            _verdict(row),
        )
    console.print(table)
