"""The sync engine: decide what one run of a calendar sync must do, then do it.

The pure core (no I/O; what this package exports):
- `plan`: link table + CRM side now + calendar side now -> a `Plan` (`planner`),
  each pair decided by the rules in `decisions`.
- `CrmItem`, `ExternalItem`, the actions and `Plan` (`model`); the `Link` rows
  they refer to live in `bridge.links`.
- `draft_for`, `apply_event`, `normalised`: an item's synced content both ways (`content`).
- `crm_hash`, `event_hash`: content hashes recorded in links, for change and
  echo detection (`hashing`).

The edge that applies it, imported by module: `sides` reads both sides from
the store and the provider's listing, `executor` applies a plan through
`bridge.providers.CalendarProvider` and `bridge.store`, and `run` does one
whole run of an account (listing, planning, applying, recording). `status`
explains to users where an activity is synced, or why not.
"""

from bridge.sync.content import Content, activity_uid, apply_event, draft_for, normalised
from bridge.sync.hashing import content_hash, crm_hash, event_hash
from bridge.sync.model import (
    Action,
    CrmItem,
    ExternalItem,
    ForgetLink,
    ImportCreate,
    ImportDelete,
    ImportUpdate,
    Plan,
    PushCreate,
    PushDelete,
    PushUpdate,
    Relink,
    RestoreActivity,
    Skip,
)
from bridge.sync.planner import plan

__all__ = [
    "Action",
    "Content",
    "CrmItem",
    "ExternalItem",
    "ForgetLink",
    "ImportCreate",
    "ImportDelete",
    "ImportUpdate",
    "Plan",
    "PushCreate",
    "PushDelete",
    "PushUpdate",
    "Relink",
    "RestoreActivity",
    "Skip",
    "activity_uid",
    "apply_event",
    "content_hash",
    "crm_hash",
    "draft_for",
    "event_hash",
    "normalised",
    "plan",
]
