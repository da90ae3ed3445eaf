"""`GET /api/v1/activities/sync-status?ids=1,2,3`: reading the `ids` parameter.

The list and calendar views ask for the activities on screen at once;
`CalendarAccounts.activity_statuses` reads them in a handful of queries.
"""

from __future__ import annotations

import re

from bridge.errors import InvalidInput

MAX_IDS = 500
_IDS = re.compile(r"[0-9]{1,18}(,[0-9]{1,18})*")


def parse_ids(text: str | None) -> list[int]:
    """The `ids` parameter: comma-separated activity ids, each once, at most `MAX_IDS`."""
    if not text or not _IDS.fullmatch(text.replace(" ", "")):
        raise InvalidInput("ids must be a comma-separated list of activity ids")
    ids = list(dict.fromkeys(int(part) for part in text.replace(" ", "").split(",")))
    if len(ids) > MAX_IDS:
        raise InvalidInput(f"ids may name at most {MAX_IDS} activities at a time")
    return ids
