"""Time-range lookups find exactly the overlapping rows, short, long and recurring alike."""

from __future__ import annotations

import sqlalchemy as sa

from bridge.store import dav
from bridge.store.spans import SHORT_SPAN_SECONDS

DAY = 86400
WINDOW = (100 * DAY, 107 * DAY)

# name -> (start, end, recurring)
ITEMS = {
    "inside": (101 * DAY, 101 * DAY + 3600, False),
    "ends-at-window-start": (99 * DAY, 100 * DAY, False),
    "starts-at-window-end": (107 * DAY, 107 * DAY + 3600, False),
    "overnight-into-window": (100 * DAY - 3600, 100 * DAY + 3600, False),
    "two-days-into-window": (100 * DAY - SHORT_SPAN_SECONDS + 60, 100 * DAY + 60, False),
    "month-long": (80 * DAY, 120 * DAY, False),
    "long-before": (10 * DAY, 50 * DAY, False),
    "series-from-the-past": (1 * DAY, 2**40, True),
    "series-from-the-future": (200 * DAY, 2**40, True),
}
EXPECTED = {
    "inside",
    "overnight-into-window",
    "two-days-into-window",
    "month-long",
    "series-from-the-past",
}


def test_overlap_query_matches_a_plain_scan(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        collection = dav.create_collection(conn, "u/cal", "plain", {"tag": "VCALENDAR"})
        dav.put_items(
            conn,
            collection.id,
            [
                dav.StoredItem(f"{name}.ics", name, "VEVENT", "x", '"e"', start, end, recurring)
                for name, (start, end, recurring) in ITEMS.items()
            ],
        )
        found = dav.list_items(conn, collection.id, time_range=WINDOW)
    assert {row.uid for row in found} == EXPECTED
