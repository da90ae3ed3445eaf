"""One page of an activity list, filtered, sorted and cut in SQL.

A list of 100,000 activities must answer a page in milliseconds, so the
database does the filtering, the ordering and the paging, reading the
owner's rows in `list_key` order from `ix_activities_owner_list_key` for the
usual sort by start. Only the ids of the page come back; the caller loads
those activities.

Privacy is part of the query, not an afterthought: a colleague's private
activity ("masked") is exempt from the type and done filters (filtering on
them would reveal its type or state), sorts as "Busy" with no type, and
never matches a sync filter (its links are its owner's business).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import sqlalchemy as sa

from bridge.store.list_keys import UNDATED
from bridge.store.schema import activities, sync_item_errors, sync_links, users

c = activities.c


class SortOrder(enum.StrEnum):
    START = "start"
    START_DESC = "-start"
    SUBJECT = "subject"
    TYPE = "type"
    OWNER = "owner"


class SyncFilter(enum.StrEnum):
    """The viewer's own activities by where their sync stands, over all their accounts."""

    SYNCED = "synced"
    """Linked to an event in at least one connected calendar."""
    FAILED = "failed"
    """The last attempt to sync it failed in at least one account."""
    NOT_SYNCED = "not-synced"
    """In no connected calendar (yet, or by the settings: the badges say why)."""


@dataclass(frozen=True)
class ListQuery:
    """What to list for `viewer_id`; `owner_id` None means everyone's activities.

    `key_from` / `key_to` bound the start as list keys (`key_at`), `key_to`
    excluded; either one leaves out undated activities. `after` is a
    (list key, id) position for paging by start without an offset.
    """

    viewer_id: int
    owner_id: int | None = None
    type_keys: tuple[str, ...] | None = None
    done: bool | None = None
    key_from: int | None = None
    key_to: int | None = None
    sync: SyncFilter | None = None
    sort: SortOrder = SortOrder.START
    after: tuple[int, int] | None = None
    offset: int = 0
    limit: int = 100


def _masked(query: ListQuery) -> sa.ColumnElement[bool]:
    """Whether a row is a colleague's private activity; plainly false for the viewer's own list.

    Saying so outright, rather than leaving the database to find out, keeps
    the conditions and the ordering on plain columns, which the indexes serve.
    """
    if query.owner_id == query.viewer_id:
        return sa.false()
    return sa.and_(c.private.is_(True), c.owner_id != query.viewer_id)


def _conditions(query: ListQuery) -> list[sa.ColumnElement[bool]]:
    masked = _masked(query)
    own = query.owner_id == query.viewer_id
    where: list[sa.ColumnElement[bool]] = [c.deleted_at.is_(None)]
    if query.owner_id is not None:
        where.append(c.owner_id == query.owner_id)
    if query.type_keys is not None:
        keys = c.type_key.in_(query.type_keys)
        where.append(keys if own else sa.or_(masked, keys))
    if query.done is not None:
        done = c.done.is_(query.done)
        where.append(done if own else sa.or_(masked, done))
    if query.key_from is not None or query.key_to is not None:
        where.append(c.list_key < (UNDATED if query.key_to is None else query.key_to))
    if query.key_from is not None:
        where.append(c.list_key >= query.key_from)
    if query.sync is not None:
        where.append(c.owner_id == query.viewer_id)
        where.append(_sync_condition(query.sync))
    if query.after is not None:
        where.append(sa.tuple_(c.list_key, c.id) > sa.tuple_(*query.after))
    return where


def _sync_condition(wanted: SyncFilter) -> sa.ColumnElement[bool]:
    linked = sa.exists().where(sync_links.c.activity_id == c.id)
    if wanted is SyncFilter.SYNCED:
        return linked
    if wanted is SyncFilter.FAILED:
        return sa.exists().where(sync_item_errors.c.activity_id == c.id)
    return ~linked


def _ordering(query: ListQuery) -> list[sa.ColumnElement]:
    own = query.owner_id == query.viewer_id
    masked = _masked(query)
    by_start = [c.list_key, c.id]
    if query.sort is SortOrder.START_DESC:
        return [c.list_key.desc(), c.id.desc()]
    if query.sort is SortOrder.SUBJECT:
        subject = c.subject if own else sa.case((masked, sa.literal("Busy")), else_=c.subject)
        return [subject, *by_start]
    if query.sort is SortOrder.TYPE:
        type_key = c.type_key if own else sa.case((masked, sa.literal("")), else_=c.type_key)
        return [type_key, *by_start]
    if query.sort is SortOrder.OWNER:
        login = sa.select(users.c.login).where(users.c.id == c.owner_id).scalar_subquery()
        return [login, *by_start]
    return by_start


def page_of(conn: sa.Connection, query: ListQuery) -> list[tuple[int, int]]:
    """(id, list key) of the page's activities in order, and of one more if there is one."""
    select = (
        sa.select(c.id, c.list_key)
        .where(*_conditions(query))
        .order_by(*_ordering(query))
        .limit(query.limit + 1)
    )
    if query.after is None and query.offset:
        select = select.offset(query.offset)
    return [(row.id, row.list_key) for row in conn.execute(select)]
