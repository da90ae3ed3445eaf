"""`GET /api/v1/activities/sync-status?ids=1,2,3`: where the caller's activities are synced.

The list and calendar views ask for the activities on screen at once, so
everything is read in a handful of queries whatever the number of ids;
`bridge.sync.status` then explains each one. Ids of other users'
activities, deleted ones and unknown ones are left out of the answer
alike, so it reveals nothing about them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import sqlalchemy as sa

from bridge.store.activities import by_ids
from bridge.store.sync_accounts import accounts_of
from bridge.store.sync_links import item_errors, syncs_of
from bridge.store.users import get_user
from bridge.sync.status import SyncStatus, sync_status
from bridge.web.api_http import ApiError

MAX_IDS = 500
_IDS = re.compile(r"[0-9]{1,18}(,[0-9]{1,18})*")


def parse_ids(text: str | None) -> list[int]:
    """The `ids` parameter: comma-separated activity ids, each once, at most `MAX_IDS`."""
    if not text or not _IDS.fullmatch(text.replace(" ", "")):
        raise ApiError(400, "ids must be a comma-separated list of activity ids")
    ids = list(dict.fromkeys(int(part) for part in text.replace(" ", "").split(",")))
    if len(ids) > MAX_IDS:
        raise ApiError(400, f"ids may name at most {MAX_IDS} activities at a time")
    return ids


def sync_statuses(
    engine: sa.Engine, login: str, ids: list[int], clock: Callable[[], dt.datetime]
) -> list[tuple[int, list[SyncStatus]]]:
    """Each of `login`'s live activities among `ids`, in the order asked, with its entries."""
    with engine.connect() as conn:
        user = get_user(conn, login)
        owned = {item.id: item for item in by_ids(conn, ids) if item.owner_id == user.id}
        accounts = accounts_of(conn, user.id)
        links = syncs_of(conn, list(owned))
        errors = item_errors(conn, activity_ids=list(owned))
    now = clock()
    return [
        (
            activity_id,
            sync_status(owned[activity_id], accounts, links.get(activity_id, []), errors, now),
        )
        for activity_id in ids
        if activity_id in owned
    ]
