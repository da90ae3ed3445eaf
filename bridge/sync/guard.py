"""The mass-deletion guard: a run that would delete many synced items waits for the user.

A calendar emptied by mistake, a server that suddenly lists nothing, or a
bulk deletion that arrives from another account must not be copied to the
other side in one run. Whatever the kind of listing (full, incremental,
cancelled events), every linked item that one side lost while the other
still has it counts; above the limits the run deletes nothing, and the
account waits until its owner chooses to apply the deletions or to restore
what was deleted. Pure: the planner counts, the run stores and asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bridge.links import Side


class DeletionChoice(StrEnum):
    """The owner's answer to a held run, used by the next run only."""

    APPLY = "apply"
    """Delete on the other side what one side deleted, as the run wanted to."""
    RESTORE = "restore"
    """Bring back what was deleted: push the activities again, undelete deleted activities."""


@dataclass(frozen=True)
class HeldDeletion:
    """One linked item a held run would have deleted; `deleted_in` is the side that lost it."""

    activity_id: int
    deleted_in: Side

    def to_json(self) -> dict[str, object]:
        return {"activity_id": self.activity_id, "deleted_in": self.deleted_in.value}

    @classmethod
    def from_json(cls, value: dict[str, object]) -> HeldDeletion:
        return cls(int(str(value["activity_id"])), Side(str(value["deleted_in"])))


@dataclass(frozen=True)
class DeletionLimits:
    """How many deletions one run may make without asking.

    Up to `minimum` always pass (a few events deleted by hand). More than
    that are held when they exceed `share` of the account's linked items, or
    `ceiling` whatever the share, so a big calendar cannot lose hundreds of
    items at once either.
    """

    minimum: int = 10
    share: float = 0.25
    ceiling: int = 200

    def exceeded(self, deletions: int, linked: int) -> bool:
        if deletions <= self.minimum:
            return False
        return deletions > self.ceiling or deletions > self.share * linked


DEFAULT_LIMITS = DeletionLimits()


def attention_message(held: list[HeldDeletion], linked: int) -> str:
    """What the account's status says while it waits for the owner's choice."""
    in_calendar = sum(1 for item in held if item.deleted_in is Side.CALENDAR)
    in_crm = len(held) - in_calendar
    parts = []
    if in_calendar:
        parts.append(f"{in_calendar} deleted in the calendar")
    if in_crm:
        parts.append(f"{in_crm} deleted in CalBridge")
    return (
        f"this run would delete {len(held)} of {linked} synced items ({', '.join(parts)});"
        " nothing was deleted: apply the deletions or restore the items"
        " (calbridge account apply-deletions / restore)"
    )
