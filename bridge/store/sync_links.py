"""The link table: which activity is which external event, as of the last sync of the pair.

Rows are keyed both ways within an account: one event (id, recurrence id)
has at most one activity and one activity at most one event, which the
unique constraints enforce, so a retried write can never leave a pair
linked twice. `bridge.links.Link` is the row's value; `recurrence_id` is
stored as '' for single events so the constraint also covers them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa

from bridge.ical.times import utc_aware
from bridge.links import ActivitySync, EventKey, ItemError, Link, Side
from bridge.store.chunks import CHUNK, chunks
from bridge.store.schema import sync_item_errors, sync_links

c = sync_links.c
e = sync_item_errors.c


def _to_link(row: sa.Row) -> Link:
    return Link(
        activity_id=row.activity_id,
        external_id=row.external_id,
        external_etag=row.external_etag,
        crm_hash=row.crm_hash,
        external_hash=row.external_hash,
        recurrence_id=row.recurrence_id or None,
        origin=Side(row.origin),
        series_id=row.series_id,
        external_private=row.external_private,
    )


def links_of(conn: sa.Connection, account_id: int, calendar_id: str) -> list[Link]:
    rows = conn.execute(
        sa.select(sync_links).where(c.account_id == account_id, c.calendar_id == calendar_id)
    )
    return [_to_link(row) for row in rows]


def linked_ids(
    conn: sa.Connection, account_id: int, calendar_id: str, external_ids: Sequence[str]
) -> set[str]:
    """Which of `external_ids` a link of the account's calendar holds."""
    found: set[str] = set()
    for chunk in chunks(external_ids):
        query = sa.select(c.external_id).where(
            c.account_id == account_id, c.calendar_id == calendar_id, c.external_id.in_(chunk)
        )
        found.update(conn.execute(query).scalars())
    return found


def count_links(conn: sa.Connection, account_id: int, calendar_id: str) -> int:
    return conn.execute(
        sa.select(sa.func.count())
        .select_from(sync_links)
        .where(c.account_id == account_id, c.calendar_id == calendar_id)
    ).scalar_one()


def save_link(
    conn: sa.Connection, account_id: int, calendar_id: str, link: Link, now: dt.datetime
) -> None:
    """Record `link` as the synced state of its pair, replacing any row of either side."""
    save_links(conn, account_id, calendar_id, [link], now)


def save_links(
    conn: sa.Connection,
    account_id: int,
    calendar_id: str,
    links: Sequence[Link],
    now: dt.datetime,
) -> None:
    """`save_link` for many pairs at once (a pushed batch), in a few statements."""
    if not links:
        return
    for chunk in chunks([link.activity_id for link in links]):
        conn.execute(
            sa.delete(sync_links).where(c.account_id == account_id, c.activity_id.in_(chunk))
        )
    keys = [(link.external_id, link.recurrence_id or "") for link in links]
    for chunk in chunks(keys, CHUNK // 2):
        conn.execute(
            sa.delete(sync_links).where(
                c.account_id == account_id,
                c.calendar_id == calendar_id,
                sa.tuple_(c.external_id, c.recurrence_id).in_(chunk),
            )
        )
    conn.execute(
        sa.insert(sync_links),
        [
            {
                "account_id": account_id,
                "calendar_id": calendar_id,
                "external_id": link.external_id,
                "recurrence_id": link.recurrence_id or "",
                "series_id": link.series_id,
                "activity_id": link.activity_id,
                "origin": link.origin.value,
                "external_etag": link.external_etag,
                "crm_hash": link.crm_hash,
                "external_hash": link.external_hash,
                "external_private": link.external_private,
                "synced_at": now,
            }
            for link in links
        ],
    )


def drop_link(conn: sa.Connection, account_id: int, calendar_id: str, key: EventKey) -> None:
    _drop(conn, account_id, calendar_id, key)


def _drop(conn: sa.Connection, account_id: int, calendar_id: str, key: EventKey) -> None:
    external_id, recurrence_id = key
    conn.execute(
        sa.delete(sync_links).where(
            c.account_id == account_id,
            c.calendar_id == calendar_id,
            c.external_id == external_id,
            c.recurrence_id == (recurrence_id or ""),
        )
    )


def drop_links_outside(conn: sa.Connection, account_id: int, calendar_id: str) -> int:
    """Forget the links to calendars other than `calendar_id` (the user picked another one).

    The events already pushed to the old calendar stay there, unlinked: they
    are the user's data now, and CalBridge never deletes what it no longer
    tracks.
    """
    result = conn.execute(
        sa.delete(sync_links).where(c.account_id == account_id, c.calendar_id != calendar_id)
    )
    return result.rowcount


def syncs_of(conn: sa.Connection, activity_ids: list[int]) -> dict[int, list[ActivitySync]]:
    """The links of each given activity (activities with none are absent)."""
    found: dict[int, list[ActivitySync]] = {}
    if not activity_ids:
        return found
    rows = conn.execute(
        sa.select(c.activity_id, c.account_id, c.calendar_id, c.synced_at)
        .where(c.activity_id.in_(activity_ids))
        .order_by(c.account_id)
    )
    for row in rows:
        found.setdefault(row.activity_id, []).append(
            ActivitySync(row.account_id, row.calendar_id, utc_aware(row.synced_at))
        )
    return found


def record_item_error(
    conn: sa.Connection,
    account_id: int,
    message: str,
    now: dt.datetime,
    *,
    activity_id: int | None = None,
    external_id: str | None = None,
) -> None:
    """Note why one item failed (replacing its previous error), without stopping the run."""
    clear_item_error(conn, account_id, activity_id=activity_id, external_id=external_id)
    conn.execute(
        sa.insert(sync_item_errors).values(
            account_id=account_id,
            activity_id=activity_id,
            external_id=external_id,
            message=message,
            at=now,
        )
    )


def clear_item_error(
    conn: sa.Connection,
    account_id: int,
    *,
    activity_id: int | None = None,
    external_id: str | None = None,
) -> None:
    """Forget the error of an item that has now synced."""
    if external_id is None and activity_id is not None:
        clear_activity_errors(conn, account_id, [activity_id])
        return
    subjects = []
    if activity_id is not None:
        subjects.append(e.activity_id == activity_id)
    if external_id is not None:
        subjects.append(e.external_id == external_id)
    if subjects:
        conn.execute(
            sa.delete(sync_item_errors).where(e.account_id == account_id, sa.or_(*subjects))
        )


def clear_activity_errors(conn: sa.Connection, account_id: int, activity_ids: list[int]) -> None:
    """`clear_item_error` for many activities at once (a pushed batch)."""
    for chunk in chunks(activity_ids):
        conn.execute(
            sa.delete(sync_item_errors).where(e.account_id == account_id, e.activity_id.in_(chunk))
        )


def item_errors(
    conn: sa.Connection, *, account_id: int | None = None, activity_ids: list[int] | None = None
) -> list[ItemError]:
    """The recorded item errors of an account, or of some activities, oldest first."""
    query = sa.select(sync_item_errors).order_by(e.at, e.id)
    if account_id is not None:
        query = query.where(e.account_id == account_id)
    if activity_ids is not None:
        query = query.where(e.activity_id.in_(activity_ids))
    return [
        ItemError(row.account_id, row.activity_id, row.external_id, row.message, utc_aware(row.at))
        for row in conn.execute(query)
    ]
