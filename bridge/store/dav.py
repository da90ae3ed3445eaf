"""Plain CalDAV/CardDAV collections and their items, stored verbatim.

Each collection keeps its own revision counter in its row; an item change or
a property change takes the next value. A deleted item stays as a tombstone
(``deleted``) so sync-collection can report it. Paths are Radicale's sanitized
paths without leading or trailing slashes; the root is ``""``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from bridge.store.chunks import chunks
from bridge.store.schema import dav_collections, dav_items
from bridge.store.spans import is_long_span, overlapping

col = dav_collections.c
item = dav_items.c


@dataclass(frozen=True)
class StoredItem:
    """What an upload writes; the text is stored exactly as given."""

    href: str
    uid: str
    component: str
    text: str
    etag: str
    range_start: int
    range_end: int
    recurring: bool


def parent_of(path: str) -> str:
    return path.rpartition("/")[0] if "/" in path else ""


def get_collection(conn: sa.Connection, path: str) -> sa.Row | None:
    return conn.execute(sa.select(dav_collections).where(col.path == path)).first()


def child_collections(conn: sa.Connection, parent_path: str) -> list[sa.Row]:
    return list(
        conn.execute(
            sa.select(dav_collections).where(col.parent_path == parent_path).order_by(col.path)
        )
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def bump(conn: sa.Connection, collection_id: int) -> int:
    """Take the collection's next revision (row-locked until commit on PostgreSQL)."""
    return int(
        conn.execute(
            sa.update(dav_collections)
            .where(col.id == collection_id)
            .values(revision=col.revision + 1, updated_at=_now())
            .returning(col.revision)
        ).scalar_one()
    )


def create_collection(
    conn: sa.Connection, path: str, kind: str, props: Mapping[str, str]
) -> sa.Row:
    """Create the collection, or replace an existing one's properties and items."""
    existing = get_collection(conn, path)
    if existing is None:
        conn.execute(
            sa.insert(dav_collections).values(
                path=path,
                parent_path=parent_of(path),
                kind=kind,
                props=dict(props),
                revision=0,
                updated_at=_now(),
            )
        )
    else:
        conn.execute(sa.delete(dav_items).where(item.collection_id == existing.id))
        conn.execute(
            sa.update(dav_collections)
            .where(col.id == existing.id)
            .values(kind=kind, props=dict(props), revision=col.revision + 1, updated_at=_now())
        )
    row = get_collection(conn, path)
    assert row is not None
    return row


def delete_collection(conn: sa.Connection, path: str) -> None:
    """Delete the collection and everything below it."""
    doomed = sa.select(col.id).where(sa.or_(col.path == path, col.path.startswith(path + "/")))
    conn.execute(sa.delete(dav_items).where(item.collection_id.in_(doomed)))
    conn.execute(
        sa.delete(dav_collections).where(sa.or_(col.path == path, col.path.startswith(path + "/")))
    )


def set_props(conn: sa.Connection, collection_id: int, props: Mapping[str, str]) -> None:
    conn.execute(
        sa.update(dav_collections)
        .where(col.id == collection_id)
        .values(props=dict(props), revision=col.revision + 1, updated_at=_now())
    )


ITEM_LISTING = (
    item.id,
    item.href,
    item.uid,
    item.component,
    item.etag,
    item.range_start,
    item.range_end,
    item.recurring,
    item.updated_at,
)


def list_items(
    conn: sa.Connection,
    collection_id: int,
    *,
    hrefs: Iterable[str] | None = None,
    time_range: tuple[int, int] | None = None,
    with_text: bool = False,
    max_bytes: int | None = None,
) -> list[sa.Row]:
    """Live items, by href; ``max_bytes`` leaves out those whose text is longer in UTF-8."""
    columns = (*ITEM_LISTING, item.text) if with_text else ITEM_LISTING
    query = sa.select(*columns).where(item.collection_id == collection_id, item.deleted.is_(False))
    if max_bytes is not None:
        query = query.where(_utf8_length(conn, item.text) <= max_bytes)
    if hrefs is not None:
        rows = []
        for chunk in chunks(list(hrefs)):
            rows.extend(conn.execute(query.where(item.href.in_(chunk))))
        return sorted(rows, key=lambda row: row.href)
    if time_range is not None:
        return overlapping(conn, query.order_by(item.href), dav_items, *time_range)
    return list(conn.execute(query.order_by(item.href)))


def _utf8_length(conn: sa.Connection, text: sa.ColumnElement[str]) -> sa.ColumnElement[int]:
    """Bytes of a text column (SQLite before 3.43 has no ``octet_length``)."""
    if conn.dialect.name == "sqlite":
        return sa.func.length(sa.cast(text, sa.LargeBinary))
    return sa.func.octet_length(text)


def item_texts(conn: sa.Connection, ids: Sequence[int]) -> dict[int, str]:
    result: dict[int, str] = {}
    for chunk in chunks(ids):
        for row in conn.execute(sa.select(item.id, item.text).where(item.id.in_(chunk))):
            result[row.id] = row.text
    return result


def has_uid(conn: sa.Connection, collection_id: int, uid: str) -> bool:
    query = sa.select(item.id).where(
        item.collection_id == collection_id, item.uid == uid, item.deleted.is_(False)
    )
    return conn.execute(query.limit(1)).first() is not None


def put_items(conn: sa.Connection, collection_id: int, stored: Sequence[StoredItem]) -> int:
    """Create or replace items (by href) under one new revision; returns it."""
    revision = bump(conn, collection_id)
    now = _now()
    existing = {
        row.href: row.id
        for chunk in chunks([entry.href for entry in stored])
        for row in conn.execute(
            sa.select(item.id, item.href).where(
                item.collection_id == collection_id, item.href.in_(chunk)
            )
        )
    }
    inserts, updates = [], []
    for entry in stored:
        values = {
            "collection_id": collection_id,
            "href": entry.href,
            "uid": entry.uid,
            "component": entry.component,
            "text": entry.text,
            "etag": entry.etag,
            "range_start": entry.range_start,
            "range_end": entry.range_end,
            "recurring": entry.recurring,
            "long_span": is_long_span(entry.range_start, entry.range_end, entry.recurring),
            "revision": revision,
            "updated_at": now,
            "deleted": False,
        }
        if entry.href in existing:
            updates.append(
                {f"new_{key}": value for key, value in values.items()}
                | {"item_id": existing[entry.href]}
            )
        else:
            inserts.append(values)
    if inserts:
        conn.execute(sa.insert(dav_items), inserts)
    if updates:
        conn.execute(
            sa.update(dav_items)
            .where(item.id == sa.bindparam("item_id"))
            .values({key[4:]: sa.bindparam(key) for key in updates[0] if key != "item_id"}),
            updates,
        )
    return revision


def delete_item(conn: sa.Connection, collection_id: int, href: str) -> None:
    revision = bump(conn, collection_id)
    conn.execute(
        sa.update(dav_items)
        .where(item.collection_id == collection_id, item.href == href)
        .values(deleted=True, text=None, revision=revision, updated_at=_now())
    )


def changed_since(conn: sa.Connection, collection_id: int, revision: int) -> list[str]:
    query = sa.select(item.href).where(
        item.collection_id == collection_id, item.revision > revision
    )
    return list(conn.execute(query).scalars())
