"""Privacy settings applied at once to what an account imported before.

`private_events` and `import_visibility` decide the private flag of every
activity imported from the account's calendar, not only of the next ones:
a change is applied in the same transaction that saves it, so no door
(CalDAV, feeds, the API) can serve an imported event under the settings
the user just left. "Not imported" removes earlier private imports from
CalBridge (their events stay in the calendar).
"""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa

from bridge.domain import ImportVisibility, PrivateEventPolicy, SyncSettings
from bridge.links import Side
from bridge.store import activities as activity_store
from bridge.store import schema
from bridge.store.crm import list_activity_types


def reapply_privacy(
    conn: sa.Connection, account_id: int, before: SyncSettings, after: SyncSettings
) -> int:
    """Bring the activities imported by the account in line with `after`; how many changed.

    An import whose event's privacy was never recorded (imported before
    CalBridge kept it) is treated as private when the new settings hide
    more: over-hiding can be undone, a leak cannot.
    """
    policy = (after.private_events, after.import_visibility)
    if (before.private_events, before.import_visibility) == policy:
        return 0
    tightened = _hides_more(before, after)
    links, acts = schema.sync_links.c, schema.activities.c
    rows = conn.execute(
        sa.select(links.activity_id, links.external_private, acts.private)
        .join(schema.activities, acts.id == links.activity_id)
        .where(
            links.account_id == account_id,
            links.origin == Side.CALENDAR.value,
            acts.deleted_at.is_(None),
        )
    ).all()
    types = list_activity_types(conn)
    changed = 0
    for activity_id, external_private, private_now in rows:
        if external_private and after.private_events is PrivateEventPolicy.SKIP:
            _forget_import(conn, account_id, activity_id)
            changed += 1
            continue
        if external_private is None:
            wanted = tightened or private_now or _private(False, after)
        else:
            wanted = _private(external_private, after)
        if wanted == private_now:
            continue
        activity = activity_store.get_activity(conn, activity_id)
        if activity is not None:
            activity_store.save_activity(conn, dataclasses.replace(activity, private=wanted), types)
            changed += 1
    return changed


def _private(event_private: bool, settings: SyncSettings) -> bool:
    """The rule of `bridge.sync.decisions.imported_private`, on a recorded event privacy."""
    if settings.import_visibility is ImportVisibility.OWNER_ONLY:
        return True
    return event_private and settings.private_events is not PrivateEventPolicy.EVERYONE


def _hides_more(before: SyncSettings, after: SyncSettings) -> bool:
    """Whether `after` keeps some imported event from colleagues that `before` showed."""
    owner_only = ImportVisibility.OWNER_ONLY
    if after.import_visibility is owner_only and before.import_visibility is not owner_only:
        return True
    return (
        before.private_events is PrivateEventPolicy.EVERYONE
        and after.private_events is not PrivateEventPolicy.EVERYONE
    )


def _forget_import(conn: sa.Connection, account_id: int, activity_id: int) -> None:
    """Remove a private import from CalBridge; its event stays where it is, unlinked."""
    activity_store.delete_activity(conn, activity_id)
    links = schema.sync_links.c
    conn.execute(
        sa.delete(schema.sync_links).where(
            links.account_id == account_id, links.activity_id == activity_id
        )
    )
