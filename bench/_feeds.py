"""Timing `GET /feeds/<token>.ics`, the secret iCal feed subscribers poll.

Feeds have no Radicale counterpart worth comparing (Radicale would serve the
whole collection as one file), so these are CalBridge-only figures. "Cold"
is the first request after a change, when nothing cached can answer;
"revalidated" is a subscriber's poll with the ETag it holds, answered 304.
"""

from __future__ import annotations

from _dav import Sample, Target
from _events import changed


def feed_path(token: str) -> str:
    return f"/feeds/{token}.ics"


def cold(target: Target, token: str, round_: int) -> tuple[Sample, str]:
    """Edit one event through CalDAV (untimed), then time the full feed; returns its ETag too."""
    target.put(changed(target.events[round_], round_), new=False)
    elapsed, response = target.send("GET", feed_path(token), expect=(200,))
    count = response.text.count("BEGIN:VEVENT")
    return Sample(elapsed, count), response.headers["ETag"]


def revalidated(target: Target, token: str, etag: str) -> Sample:
    elapsed, _ = target.send(
        "GET", feed_path(token), headers={"If-None-Match": etag}, expect=(304,)
    )
    return Sample(elapsed, 0)
